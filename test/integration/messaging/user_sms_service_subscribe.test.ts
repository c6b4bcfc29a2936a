import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as subscribe } from '../../../functions/messaging/user_sms_service_subscribe.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { getSmsSubscription, smsKeys, subscribeToSms } from '../../../lib/domain/messaging.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };
const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
const SUCCESS = { page: { status: { success: 'User successfully subscribed to SMS service' } } };

async function smsReseller(options: { right?: 0 | 1 | 2; subscribed?: boolean } = {}) {
  const world = await makeReseller();
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME, Key: { PK: `USER#${world.reseller.id}`, SK: 'USER' },
    UpdateExpression: 'SET #p = :p', ExpressionAttributeNames: { '#p': 'permissions' }, ExpressionAttributeValues: { ':p': { sms_addon: options.right ?? 2 } },
  }));
  if (options.subscribed ?? true) {
    await subscribeToSms({ userId: world.reseller.id, smsTariffId: 1, smsLcrId: 3, subscribedAt: new Date().toISOString() });
  }
  return world;
}

beforeAll(async () => {
  await put({ ...smsKeys.lcr(3), id: 3, ownerId: 0, name: 'admin SMS LCR' });
  await put({ ...smsKeys.tariff(1), id: 1, ownerId: 0, name: 'users', tariffType: 'user' });
  await put({ ...smsKeys.tariff(4), id: 4, ownerId: 0, name: 'providers', tariffType: 'provider' });
});

describe('user_sms_service_subscribe', () => {
  it('the admin subscribes a user with a tariff and an LCR, once', async () => {
    const user = await makeUser('user');
    const params = { u: 'admin', user_id: String(user.id), sms_tariff_id: '1', sms_lcr_id: '3' };
    expect((await callHandler(subscribe, params, asAdmin)).xml).toEqual(SUCCESS);
    expect(await getSmsSubscription(user.id)).toMatchObject({ smsTariffId: 1, smsLcrId: 3 });
    expect((await callHandler(subscribe, params, asAdmin)).xml).toEqual({ page: { status: { error: 'User is already subscribed to SMS service' } } });
  });

  it('a subscribed reseller with the sms_addon right subscribes its own users with its own tariff and LCR', async () => {
    const { reseller, user, secret } = await smsReseller();
    await put({ ...smsKeys.tariff(50 + reseller.id), id: 50 + reseller.id, ownerId: reseller.id, name: 'resold', tariffType: 'user' });
    const answer = await callHandler(subscribe, { u: reseller.username, user_id: String(user.id), sms_tariff_id: String(50 + reseller.id) }, { secret });
    expect(answer.xml).toEqual(SUCCESS);
    expect((await getSmsSubscription(user.id))?.smsLcrId).toBe(3);
    const other = await makeUser('user');
    expect(errorOf((await callHandler(subscribe, { u: reseller.username, user_id: String(other.id), sms_tariff_id: '1' }, { secret })).xml)).toBe('User was not found');
  });

  it('answers every documented error', async () => {
    const user = await makeUser('user');
    const call = (params: Record<string, string>) => callHandler(subscribe, { u: 'admin', user_id: String(user.id), sms_tariff_id: '1', sms_lcr_id: '3', ...params }, asAdmin);
    expect(errorOf((await call({ user_id: '99999' })).xml)).toBe('User was not found');
    const accountant = await makeUser('accountant');
    expect(errorOf((await call({ user_id: String(accountant.id) })).xml)).toBe('User was not found');
    expect(errorOf((await call({ sms_tariff_id: '' })).xml)).toBe('SMS Tariff was not found');
    expect(errorOf((await call({ sms_tariff_id: '4' })).xml)).toBe('SMS Tariff was not found');
    expect(errorOf((await call({ sms_lcr_id: '' })).xml)).toBe('SMS LCR was not found');
    expect(errorOf((await call({ sms_lcr_id: '777' })).xml)).toBe('SMS LCR was not found');
    const unsubscribedReseller = await smsReseller({ subscribed: false });
    await put({ ...smsKeys.tariff(900), id: 900, ownerId: unsubscribedReseller.reseller.id, name: 'r', tariffType: 'user' });
    expect(errorOf((await call({ user_id: String(unsubscribedReseller.user.id), sms_tariff_id: '900' })).xml)).toBe('Reseller does not have SMS Subscription');
    expect(errorOf((await callHandler(subscribe, { u: 'admin', user_id: '1', sms_tariff_id: '1', hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('denies simple users and accountants; a reseller needs the right and its own subscription', async () => {
    const user = await makeUser('user');
    const accountant = await makeUser('accountant');
    for (const caller of [user, accountant]) {
      expect(errorOf((await callHandler(subscribe, { u: caller.username, user_id: String(user.id), sms_tariff_id: '1' }, asAdmin)).xml)).toBe('Access Denied');
    }
    const withoutRight = await smsReseller({ right: 1 });
    const withoutSubscription = await smsReseller({ subscribed: false });
    for (const { reseller, user: own, secret } of [withoutRight, withoutSubscription]) {
      const answer = await callHandler(subscribe, { u: reseller.username, user_id: String(own.id), sms_tariff_id: '1' }, { secret });
      expect(errorOf(answer.xml)).toBe('You are not authorized to use this functionality');
    }
  });

  it('answers Access Denied in <status> when the SMS addon is off', async () => {
    await setAdminSettings({ SMS_Addon_Active: '0' });
    const answer = await callHandler(subscribe, { u: 'admin', user_id: '1', sms_tariff_id: '1' }, asAdmin);
    await setAdminSettings({ SMS_Addon_Active: '1' });
    expect(answer.xml).toEqual({ status: { error: 'Access Denied' } });
  });

  describe('with the wiki key 123456', () => {
    beforeAll(() => setAdminSettings({ API_Secret_Key: '123456' }));
    afterAll(() => setAdminSettings({ API_Secret_Key: ADMIN.secret }));
    it('accepts the VERIFIED example hash (user_id=2, sms_tariff_id=1)', async () => {
      const answer = await callHandler(subscribe, { u: 'admin', user_id: '2', sms_tariff_id: '1', sms_lcr_id: '3', hash: 'f600528fc40daff85d0c0a7b413256f1e3d5f408' });
      expect(errorOf(answer.xml)).not.toBe('Incorrect hash');
    });
  });
});
