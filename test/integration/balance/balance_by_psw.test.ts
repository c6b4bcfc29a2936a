import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as byPsw } from '../../../functions/balance/user_balance_get_by_psw.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { handler as deviceDelete } from '../../../functions/devices/device_delete.js';
import { handler as deviceUpdate } from '../../../functions/devices/device_update.js';
import { handler as register } from '../../../functions/users/user_register.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { keys, pad } from '../../../lib/db/keys.js';
import { BALANCE_OVER_HTTP_SETTING, currencyKey } from '../../../lib/domain/balance.js';
import { findDevicesBySecret } from '../../../lib/domain/devices.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { findUserByUsername } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, uniqueName } from '../../support/world.js';

type Handler = Parameters<typeof callHandler>[0];
const admin = (handler: Handler, params: Record<string, string>) => callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });
/** The method as a phone calls it: GET, no `u`, no hash, the password in the path. */
const balanceOf = (password: string, params: Record<string, string> = {}) =>
  callHandler(byPsw, params, { pathId: password, httpMethod: 'GET' });
const NOT_FOUND = { page: { error: 'User was not found' } };

async function deviceOf(user: { id: number }): Promise<{ id: string; password: string }> {
  const answer = await admin(deviceCreate, { user_id: String(user.id) });
  expect(answer.xml.page.status).toBe('Device created');
  return { id: String(answer.xml.page.id), password: String(answer.xml.page.password) };
}
const changePassword = (deviceId: string, password: string) => admin(deviceUpdate, { device: deviceId, password });

/** The secret look-up items stored for a password (read straight from the table). */
const lookupItems = async (password: string) =>
  (await db.send(new QueryCommand({
    TableName: TABLE_NAME,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': `DEVICE_SECRET#${createHash('sha256').update(password).digest('hex')}` },
  }))).Items ?? [];

beforeAll(async () => {
  await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '1', API_Allow_registration_ower_API: '1' });
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...currencyKey('EUR'), exchangeRateMicros: 2_000_000 } }));
});
afterAll(() => setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '0', API_Allow_registration_ower_API: '0' }));

describe('user_balance_get_by_psw', () => {
  it('answers the balance of the user whose device has the password, unhashed, over GET and POST', async () => {
    const user = await makeUser('user', { balanceMicros: 66_000_000 });
    const device = await deviceOf(user);
    expect(byPsw.declaration).toMatchObject({ method: 'user_balance_get_by_psw', pathId: true });
    expect((await balanceOf(device.password)).xml).toEqual({ page: { balance: '66.0000' } });
    expect((await callHandler(byPsw, {}, { pathId: device.password, httpMethod: 'POST' })).xml).toEqual({ page: { balance: '66.0000' } });
    expect((await balanceOf(device.password, { currency: 'EUR' })).xml).toEqual({ page: { balance: '132.0000' } });
  });

  it('answers User was not found for an unknown, missing or wrong-case password, and for a deleted user', async () => {
    const user = await makeUser('user');
    const device = await deviceOf(user);
    expect((await balanceOf('no-such-password')).xml).toEqual(NOT_FOUND);
    expect((await callHandler(byPsw, {}, { httpMethod: 'GET' })).xml).toEqual(NOT_FOUND);
    expect((await balanceOf(device.password.toUpperCase())).xml).toEqual(NOT_FOUND);
    const goneUser = await makeUser('user');
    const goneDevice = await deviceOf(goneUser);
    await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: keys.user(goneUser.id), UpdateExpression: 'SET deleted = :t', ExpressionAttributeValues: { ':t': true } }));
    expect((await balanceOf(goneDevice.password)).xml).toEqual(NOT_FOUND);
  });

  it('answers Feature disabled while "Allow devices to check balance over HTTP" is off', async () => {
    const device = await deviceOf(await makeUser('user'));
    await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '0' });
    try {
      expect((await balanceOf(device.password)).xml).toEqual({ page: { error: 'Feature disabled' } });
      expect(errorOf((await balanceOf('no-such-password')).xml)).toBe('User was not found');
    } finally {
      await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '1' });
    }
  });

  it("reads the setting of the device user's reseller, not the admin's", async () => {
    const { reseller, user } = await makeReseller();
    const device = await deviceOf(user);
    expect((await balanceOf(device.password)).xml).toEqual({ page: { error: 'Feature disabled' } });
    await updateSettings(reseller.id, { [BALANCE_OVER_HTTP_SETTING]: '1' });
    expect((await balanceOf(device.password)).xml).toEqual({ page: { balance: '0.0000' } });
  });

  it('follows a password change: the old password is no longer found, the new one is', async () => {
    const user = await makeUser('user', { balanceMicros: 12_340_000 });
    const device = await deviceOf(user);
    const newPassword = uniqueName('pw');
    expect((await changePassword(device.id, newPassword)).xml.page.status).toBeDefined();
    expect((await balanceOf(device.password)).xml).toEqual(NOT_FOUND);
    expect((await balanceOf(newPassword)).xml).toEqual({ page: { balance: '12.3400' } });
    expect(await lookupItems(device.password)).toEqual([]);
    // An update that leaves the password alone keeps the look-up.
    expect((await admin(deviceUpdate, { device: device.id, description: 'desk phone' })).xml.page.status).toBeDefined();
    expect((await balanceOf(newPassword)).xml).toEqual({ page: { balance: '12.3400' } });
  });

  it('stores a digest of the password in the look-up key, never the password', async () => {
    const device = await deviceOf(await makeUser('user'));
    const items = await lookupItems(device.password);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ SK: `DEVICE#${pad(Number(device.id))}`, deviceId: Number(device.id) });
    expect(JSON.stringify(items[0])).not.toContain(device.password);
  });

  it('no longer finds a deleted device', async () => {
    const user = await makeUser('user', { balanceMicros: 1_000_000 });
    const device = await deviceOf(user);
    expect((await balanceOf(device.password)).xml).toEqual({ page: { balance: '1.0000' } });
    expect((await admin(deviceDelete, { device: device.id })).xml).toEqual({ page: { status: 'Device was deleted' } });
    expect((await balanceOf(device.password)).xml).toEqual(NOT_FOUND);
    expect(await lookupItems(device.password)).toEqual([]);
  });

  it('with two devices sharing a password answers for the lowest device id, then for the other once it is gone', async () => {
    const first = await makeUser('user', { balanceMicros: 10_000_000 });
    const second = await makeUser('user', { balanceMicros: 20_000_000 });
    const older = await deviceOf(first);
    const newer = await deviceOf(second);
    const shared = uniqueName('shared');
    await changePassword(newer.id, shared);
    await changePassword(older.id, shared);
    expect((await findDevicesBySecret(shared)).map((d) => d.id)).toEqual([Number(older.id), Number(newer.id)]);
    expect((await balanceOf(shared)).xml).toEqual({ page: { balance: '10.0000' } });
    await changePassword(older.id, uniqueName('pw'));
    expect((await balanceOf(shared)).xml).toEqual({ page: { balance: '20.0000' } });
  });

  it("finds the first device written by user_register's transaction", async () => {
    const owner = (await findUserByUsername(ADMIN.username))!;
    const username = uniqueName('reg');
    const answer = await callHandler(register, {
      id: owner.uniquehash, username, password: 'Secret123', password2: 'Secret123', first_name: 'Ann', last_name: 'Lee',
      country_id: '123', email: `${username}@example.com`, device_type: 'SIP',
    }, { secret: ADMIN.secret });
    const settings = answer.xml.page.user_device_settings;
    expect((await balanceOf(String(settings.password))).xml).toEqual({ page: { balance: '0.0000' } });
    expect((await findDevicesBySecret(String(settings.password))).map((d) => d.id)).toEqual([Number(settings.device_id)]);
  });
});
