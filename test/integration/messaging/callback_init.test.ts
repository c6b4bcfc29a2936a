import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as callbackInit } from '../../../functions/callback/callback_init.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { nextId } from '../../../lib/db/counters.js';
import { callbackKeys } from '../../../lib/domain/callback.js';
import { deviceKeys } from '../../../lib/domain/devices.js';
import { callHandler, errorOf, parseXml } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };
const get = async (key: { PK: string; SK: string }) => (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key }))).Item;

async function deviceOf(user: TestUser) {
  const id = await nextId('device');
  await db.send(new PutCommand({
    TableName: TABLE_NAME,
    Item: { ...deviceKeys.device(id), id, userId: user.id, ownerId: user.ownerId, callerIdNumber: '37060000001', type: 'device' },
  }));
  return id;
}

let user: TestUser;
let device: number;
beforeAll(async () => {
  user = await makeUser('user');
  device = await deviceOf(user);
});

describe('callback_init', () => {
  it('records the request and what would be dialled; answers <status>Ok</status>', async () => {
    const answer = await callHandler(callbackInit, { u: user.username, device: String(device), src: '111', dst: '222', cli_legb: '999' }, asAdmin);
    expect(answer.body).toContain('<status>Ok</status>');
    expect(answer.xml).toEqual({ status: 'Ok' });
  });

  it('with callback_uniqueid=1 answers the uniqueid linking both legs; legs use the device caller id unless overridden', async () => {
    const answer = await callHandler(callbackInit, { u: user.username, device: String(device), src: '111', dst: '222', cli_legb: '999', callback_uniqueid: '1' }, asAdmin);
    expect(answer.xml).toEqual({ page: { status: 'ok', callback_uniqueid: expect.stringMatching(/^\d{17}$/) } });
    const uniqueid = answer.xml.page.callback_uniqueid;
    expect(await get(callbackKeys.request(uniqueid))).toMatchObject({ userId: user.id, deviceId: device, src: '111', dst: '222' });
    expect(await get(callbackKeys.leg(uniqueid, 'A'))).toMatchObject({ number: '111', callerId: '37060000001' });
    expect(await get(callbackKeys.leg(uniqueid, 'B'))).toMatchObject({ number: '222', callerId: '999' });
  });

  it('without dst dials only leg A (the source is asked for the destination)', async () => {
    const answer = await callHandler(callbackInit, { u: user.username, device: String(device), src: '111', callback_uniqueid: '1' }, asAdmin);
    const uniqueid = answer.xml.page.callback_uniqueid;
    expect(await get(callbackKeys.leg(uniqueid, 'A'))).toBeDefined();
    expect(await get(callbackKeys.leg(uniqueid, 'B'))).toBeUndefined();
  });

  it('the admin may use any device; the old name callback routes here', async () => {
    expect(callbackInit.declaration.aliases).toEqual(['callback']);
    expect((await callHandler(callbackInit, { u: 'admin', device: String(device), src: '1' }, asAdmin)).xml).toEqual({ status: 'Ok' });
  });

  it('answers Bad device, No source and Not authenticated as <status> text', async () => {
    const stranger = await makeUser('user');
    expect((await callHandler(callbackInit, { u: stranger.username, device: String(device), src: '1' }, asAdmin)).xml).toEqual({ status: 'Bad device' });
    expect((await callHandler(callbackInit, { u: user.username, device: '999999', src: '1' }, asAdmin)).xml).toEqual({ status: 'Bad device' });
    const { reseller, secret } = await makeReseller();
    expect((await callHandler(callbackInit, { u: reseller.username, device: String(device), src: '1' }, { secret })).xml).toEqual({ status: 'Bad device' });
    expect((await callHandler(callbackInit, { u: user.username, device: String(device) }, asAdmin)).xml).toEqual({ status: 'No source' });
    expect((await callHandler(callbackInit, { u: 'ghost', device: String(device), src: '1' }, asAdmin)).xml).toEqual({ status: 'Not authenticated' });
    expect(errorOf((await callHandler(callbackInit, { u: user.username, device: String(device), src: '1', hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('hashes device, dst, src in that order (the newest wiki revision)', async () => {
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha1').update(`${device}222111secret`).digest('hex');
    const answer = await callHandler(callbackInit, { u: user.username, device: String(device), src: '111', dst: '222', hash });
    expect(parseXml(answer.body)).toEqual({ status: 'Ok' });
  });

  it('answers Access Denied when the Callback addon is off', async () => {
    await setAdminSettings({ CB_Addon_Active: '0' });
    const answer = await callHandler(callbackInit, { u: user.username, device: String(device), src: '1' }, asAdmin);
    await setAdminSettings({ CB_Addon_Active: '1' });
    expect(answer.xml).toEqual({ status: 'Access Denied' });
  });
});
