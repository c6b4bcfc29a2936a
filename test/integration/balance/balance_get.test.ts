import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { handler as balanceGet } from '../../../functions/balance/user_balance_get.js';
import { handler as byUsername } from '../../../functions/balance/user_balance_get_by_username.js';
import { handler as simpleBalance } from '../../../functions/balance/user_simple_balance_get.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { BALANCE_OVER_HTTP_SETTING, currencyKey } from '../../../lib/domain/balance.js';
import { buildDevice, createDeviceItems } from '../../../lib/domain/devices.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeUser, setAdminSettings } from '../../support/world.js';

const secret = { secret: ADMIN.secret };

beforeAll(async () => {
  await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '1' });
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...currencyKey('EUR'), exchangeRateMicros: 2_000_000 } }));
});
afterAll(() => setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '0' }));

const withFeatureOff = async (check: () => Promise<void>) => {
  await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '0' });
  try {
    await check();
  } finally {
    await setAdminSettings({ [BALANCE_OVER_HTTP_SETTING]: '1' });
  }
};

describe('user_balance_get (balance)', () => {
  it('answers the balance, converted on request', async () => {
    const user = await makeUser('user', { balanceMicros: 26_500_000, currency: 'EUR' });
    expect(balanceGet.declaration.aliases).toEqual(['balance']);
    expect((await callHandler(balanceGet, { u: 'admin', username: user.username }, secret)).xml).toEqual({ page: { balance: '26.5' } });
    expect((await callHandler(balanceGet, { username: user.username, currency: 'EUR' }, secret)).xml.page.balance).toBe('53.0');
    expect((await callHandler(balanceGet, { username: user.username, user_currency: '1' }, secret)).xml).toEqual({
      page: { balance: '53.0', currency: 'EUR' },
    });
  });

  it('answers User was not found, Feature disabled and Incorrect hash', async () => {
    const user = await makeUser('user');
    expect((await callHandler(balanceGet, { username: 'ghost' }, secret)).xml).toEqual({ page: { error: 'User was not found' } });
    expect((await callHandler(balanceGet, { username: user.username, hash: 'x' })).xml).toEqual({ status: { error: 'Incorrect hash' } });
    await withFeatureOff(async () => {
      expect((await callHandler(balanceGet, { username: user.username }, secret)).xml).toEqual({ page: { error: 'Feature disabled' } });
    });
  });
});

describe('user_simple_balance_get (simple_balance)', () => {
  it('answers the bare number by uniquehash, in the query or the path', async () => {
    const user = await makeUser('user', { balanceMicros: -349_282_180_000 });
    expect(simpleBalance.declaration).toMatchObject({ aliases: ['simple_balance'], pathId: true });
    expect((await callHandler(simpleBalance, { id: user.uniquehash }, secret)).body).toBe('-349282.18');
    const path = await callHandler(simpleBalance, { id: user.uniquehash }, { ...secret, pathId: user.uniquehash, httpMethod: 'GET' });
    expect(path.body).toBe('-349282.18');
  });

  it('answers Feature disabled as text, and unknown hashes / wrong hash as errors', async () => {
    const user = await makeUser('user');
    expect(errorOf((await callHandler(simpleBalance, { id: 'nope' }, secret)).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(simpleBalance, { id: user.uniquehash, hash: 'x' })).xml)).toBe('Incorrect hash');
    await withFeatureOff(async () => {
      expect((await callHandler(simpleBalance, { id: user.uniquehash }, secret)).body).toBe('Feature disabled');
    });
  });
});

describe('user_balance_get_by_username', () => {
  it('answers the balance of the device user, unhashed', async () => {
    const user = await makeUser('user', { balanceMicros: 66_000_000 });
    const device = await buildDevice(user, {}, { username: `dev${user.id}` });
    await db.send(new TransactWriteCommand({ TransactItems: createDeviceItems(device) as never }));
    const answer = await callHandler(byUsername, {}, { pathId: device.username, httpMethod: 'GET' });
    expect(answer.xml).toEqual({ page: { balance: '66.0000' } });
    const euros = await callHandler(byUsername, { currency: 'EUR' }, { pathId: device.username });
    expect(euros.xml.page.balance).toBe('132.0000');
    expect((await callHandler(byUsername, {}, { pathId: 'missing' })).xml).toEqual({ page: { error: 'User was not found' } });
    await withFeatureOff(async () => {
      expect((await callHandler(byUsername, {}, { pathId: device.username })).xml).toEqual({ page: { error: 'Feature disabled' } });
    });
  });
});
