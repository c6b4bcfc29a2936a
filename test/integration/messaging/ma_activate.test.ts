import { createHash } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as maActivate } from '../../../functions/monitoring/ma_activate.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { monitoringKey } from '../../../lib/domain/monitoring.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };
const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));

beforeAll(async () => {
  await put({ ...monitoringKey(2), id: 2, mtype: 1, name: 'increase' });
  await put({ ...monitoringKey(3), id: 3, mtype: 1, name: 'increase too' });
  await put({ ...monitoringKey(4), id: 4, mtype: 2, name: 'drop' });
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME, Key: { PK: 'USER#0', SK: 'USER' }, UpdateExpression: 'SET email = :e', ExpressionAttributeValues: { ':e': 'admin@example.com' },
  }));
});

describe('ma_activate (monitoring_addon_activate)', () => {
  it('blocks the users and answers each with MOR status text (leading space kept)', async () => {
    const a = await makeUser('user');
    const answer = await callHandler(maActivate, { u: 'admin', monitoring_id: '2', users: String(a.id), block: 'true', email: 'false', mtype: '1' }, asAdmin);
    expect(answer.body).toContain('<status> blocked</status>');
    expect(answer.xml).toEqual({ status: { monitoring_found: 'success', users: { user: { id: String(a.id), status: 'blocked' } } } });
    expect((await getUser(a.id))?.blocked).toBe(true);
  });

  it('emails the admin about every user without blocking', async () => {
    const a = await makeUser('user');
    const b = await makeUser('user');
    const answer = await callHandler(maActivate, { u: 'admin', monitoring_id: '2,3', users: `${a.id},${b.id}`, block: 'false', email: 'true', mtype: '1' }, asAdmin);
    expect(answer.body.match(/<status> email sent<\/status>/g)).toHaveLength(2);
    expect((await getUser(a.id))?.blocked).toBe(false);
  });

  it('answers email not sent when email sending is off', async () => {
    const a = await makeUser('user');
    await setAdminSettings({ Email_Sending_Enabled: '0' });
    const answer = await callHandler(maActivate, { u: 'admin', monitoring_id: '4', users: String(a.id), block: 'true', email: 'true', mtype: '2' }, asAdmin);
    await setAdminSettings({ Email_Sending_Enabled: '1' });
    expect(answer.body).toContain('<status> blocked email not sent</status>');
  });

  it('answers the documented errors in a bare <error>', async () => {
    const base = { u: 'admin', monitoring_id: '2', users: '1', block: 'true', email: 'true', mtype: '1' };
    expect((await callHandler(maActivate, { ...base, monitoring_id: '99' }, asAdmin)).xml).toEqual({
      error: 'Such monitoring was not found. Verify master-slave database integrity.',
    });
    expect(errorOf((await callHandler(maActivate, { ...base, mtype: '2' }, asAdmin)).xml)).toBe('Such monitoring was not found. Verify master-slave database integrity.');
    for (const missing of ['monitoring_id', 'users', 'block', 'email', 'mtype']) {
      const params: Record<string, string> = { ...base };
      delete params[missing];
      expect((await callHandler(maActivate, params, asAdmin)).xml).toEqual({ error: 'You must supply these params: monitoring_id, users, block, email, mtype' });
    }
    expect(errorOf((await callHandler(maActivate, { ...base, hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('is for the admin only', async () => {
    const user = await makeUser('user');
    const params = { monitoring_id: '2', users: String(user.id), block: 'true', email: 'false', mtype: '1' };
    expect(errorOf((await callHandler(maActivate, { u: user.username, ...params }, asAdmin)).xml)).toBe('Access Denied');
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(maActivate, { u: reseller.username, ...params }, { secret })).xml)).toBe('Access Denied');
    expect((await getUser(user.id))?.blocked).toBe(false);
  });

  it('hashes users, block, email, mtype (MOR global order; monitoring_id is not hashed)', async () => {
    const a = await makeUser('user');
    const hash = createHash('sha1').update(`${a.id}falsefalse1secret`).digest('hex');
    const answer = await callHandler(maActivate, { u: 'admin', monitoring_id: '2', users: String(a.id), block: 'false', email: 'false', mtype: '1', hash });
    expect(answer.xml.status.monitoring_found).toBe('success');
    expect(maActivate.declaration.aliases).toEqual(['monitoring_addon_activate']);
  });
});
