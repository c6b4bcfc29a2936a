import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as didDelete } from '../../../functions/quickforwards/quickforwards_did_delete.js';
import { handler as didUpdate } from '../../../functions/quickforwards/quickforwards_did_update.js';
import { handler as didsGet } from '../../../functions/quickforwards/quickforwards_dids_get.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { nextId } from '../../../lib/db/counters.js';
import { createDidItems, newDid } from '../../../lib/domain/dids.js';
import { quickforwardKeys } from '../../../lib/domain/quickforwards.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const QF_DIALPLAN = 71;
const OTHER_DIALPLAN = 72;
const RULE = 5;
const asAdmin = { secret: ADMIN.secret };

async function addDid(number: string, dialplanId: number) {
  const did = { ...newDid({ id: await nextId('did'), did: number, providerId: 1, resellerId: 0 }), dialplanId };
  await db.send(new TransactWriteCommand({ TransactItems: createDidItems(did) as never }));
}

const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
const ruleUser = () => makeUser('user', { extra: { details: { quickforwards_rule_id: String(RULE) } } });

let user: TestUser;
beforeAll(async () => {
  await put({ ...quickforwardKeys.rule(RULE), id: RULE, name: 'Lithuania', rule: '37060%|3706304____' });
  await put({ ...quickforwardKeys.dialplan(QF_DIALPLAN), id: QF_DIALPLAN, dptype: 'quickforwarddids' });
  await put({ ...quickforwardKeys.dialplan(OTHER_DIALPLAN), id: OTHER_DIALPLAN, dptype: 'pbxfunction' });
  await addDid('37060503666', QF_DIALPLAN);
  await addDid('37060503667', QF_DIALPLAN);
  await addDid('37063042438', QF_DIALPLAN);
  await addDid('37060599999', OTHER_DIALPLAN); // matches the rule, wrong dial plan
  await addDid('37199999999', QF_DIALPLAN); // right dial plan, outside the rule
  user = await ruleUser();
});

describe('quickforwards_dids_get', () => {
  it('lists the DIDs of the rule in quickforward dial plans, straight under <page>', async () => {
    const answer = await callHandler(didsGet, { u: user.username }, asAdmin);
    expect(answer.xml).toEqual({
      page: {
        quick_forward_did: [
          { did: '37060503666', forward_to: '', description: '' },
          { did: '37060503667', forward_to: '', description: '' },
          { did: '37063042438', forward_to: '', description: '' },
        ],
      },
    });
  });

  it('answers Quickforwards list is empty for a user without a rule', async () => {
    const plain = await makeUser('user');
    expect((await callHandler(didsGet, { u: plain.username }, asAdmin)).xml).toEqual({ page: { error: 'Quickforwards list is empty' } });
  });

  it('refuses every caller but a simple user, unknown users and a wrong hash', async () => {
    const notAuthorized = 'You are not authorized to use Quickforwards';
    expect(errorOf((await callHandler(didsGet, { u: 'admin' }, asAdmin)).xml)).toBe(notAuthorized);
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(didsGet, { u: reseller.username }, { secret })).xml)).toBe(notAuthorized);
    const accountant = await makeUser('accountant');
    expect(errorOf((await callHandler(didsGet, { u: accountant.username }, asAdmin)).xml)).toBe(notAuthorized);
    expect((await callHandler(didsGet, { u: 'nobody' }, asAdmin)).xml).toEqual({ page: { error: 'User was not found' } });
    expect(errorOf((await callHandler(didsGet, { u: user.username, hash: 'x' })).xml)).toBe('Incorrect hash');
  });
});

describe('quickforwards_did_update and quickforwards_did_delete', () => {
  it('upserts the forward; the list shows it only to that user', async () => {
    const first = await callHandler(didUpdate, { u: user.username, did: '37060503667', forward_to: '111', description: 'a' }, asAdmin);
    expect(first.xml).toEqual({ page: { new_quickforward_did: { did: '37060503667', forward_to: '111', description: 'a' } } });
    const cleared = await callHandler(didUpdate, { u: user.username, did: '37060503667', forward_to: '222' }, asAdmin);
    expect(cleared.xml.page.new_quickforward_did).toEqual({ did: '37060503667', forward_to: '222', description: '' });
    const listed = (await callHandler(didsGet, { u: user.username }, asAdmin)).xml.page.quick_forward_did;
    expect(listed[1]).toEqual({ did: '37060503667', forward_to: '222', description: '' });
    const neighbour = await ruleUser();
    const theirs = (await callHandler(didsGet, { u: neighbour.username }, asAdmin)).xml.page.quick_forward_did;
    expect(theirs[1]).toEqual({ did: '37060503667', forward_to: '', description: '' });
  });

  it('answers DID was not found for unknown DIDs, DIDs outside the rule or the dial plan, and users without a rule', async () => {
    for (const did of ['', '123', '37060599999', '37199999999']) {
      expect((await callHandler(didUpdate, { u: user.username, did, forward_to: '1' }, asAdmin)).xml).toEqual({ page: { error: 'DID was not found' } });
      expect(errorOf((await callHandler(didDelete, { u: user.username, did }, asAdmin)).xml)).toBe('DID was not found');
    }
    const plain = await makeUser('user');
    expect(errorOf((await callHandler(didUpdate, { u: plain.username, did: '37060503666' }, asAdmin)).xml)).toBe('DID was not found');
  });

  it('answers Invalid Quickforward number, No Quickforward is assigned, and the role errors', async () => {
    expect(errorOf((await callHandler(didUpdate, { u: user.username, did: '37060503666', forward_to: 'abc' }, asAdmin)).xml)).toBe('Invalid Quickforward number');
    const fresh = await ruleUser();
    expect((await callHandler(didDelete, { u: fresh.username, did: '37060503666' }, asAdmin)).xml).toEqual({
      page: { error: 'No Quickforward is assigned to specified DID' },
    });
    for (const handler of [didUpdate, didDelete]) {
      expect(errorOf((await callHandler(handler, { u: 'admin', did: '37060503666' }, asAdmin)).xml)).toBe('You are not authorized to use Quickforwards');
      expect(errorOf((await callHandler(handler, { u: 'ghost', did: '37060503666' }, asAdmin)).xml)).toBe('User was not found');
      expect(errorOf((await callHandler(handler, { u: user.username, did: '37060503666', hash: 'x' })).xml)).toBe('Incorrect hash');
    }
  });

  describe('with the wiki key 123456', () => {
    beforeAll(() => setAdminSettings({ API_Secret_Key: '123456' }));
    afterAll(() => setAdminSettings({ API_Secret_Key: ADMIN.secret }));

    it('accepts the VERIFIED update example (description first in the hash)', async () => {
      const answer = await callHandler(didUpdate, {
        u: user.username, did: '37060503666', forward_to: '37066603777', description: 'abyss', hash: 'b12dbb15d59356af0fd75dc413ebd07a5b852d15',
      });
      expect(answer.xml).toEqual({ page: { new_quickforward_did: { did: '37060503666', forward_to: '37066603777', description: 'abyss' } } });
    });

    it('accepts the VERIFIED delete example', async () => {
      await callHandler(didUpdate, { u: user.username, did: '37063042438', forward_to: '5' }, { secret: '123456' });
      const answer = await callHandler(didDelete, { u: user.username, did: '37063042438', hash: '8fe8606b6bb38ba1cc5e80630436b270cfc7e65e' });
      expect(answer.xml).toEqual({ page: { status: 'Quickforward successfully deleted' } });
      const again = await callHandler(didDelete, { u: user.username, did: '37063042438' }, { secret: '123456' });
      expect(errorOf(again.xml)).toBe('No Quickforward is assigned to specified DID');
    });
  });
});

describe("the owner's default rule", () => {
  it('applies to a user without its own quickforwards_rule_id', async () => {
    const plain = await makeUser('user');
    await setAdminSettings({ default_user_quickforwards_rule_id: String(RULE) });
    const answer = await callHandler(didsGet, { u: plain.username }, asAdmin);
    await setAdminSettings({ default_user_quickforwards_rule_id: '0' });
    expect(answer.xml.page.quick_forward_did).toHaveLength(3);
    const optedOut = await makeUser('user', { extra: { details: { quickforwards_rule_id: '0' } } });
    expect(errorOf((await callHandler(didsGet, { u: optedOut.username }, asAdmin)).xml)).toBe('Quickforwards list is empty');
  });
});
