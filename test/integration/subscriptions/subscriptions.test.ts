import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as serviceCreate } from '../../../functions/services/service_create.js';
import { handler as serviceDelete } from '../../../functions/services/service_delete.js';
import { handler as subscriptionCreate } from '../../../functions/subscriptions/subscription_create.js';
import { handler as subscriptionUpdate } from '../../../functions/subscriptions/subscription_update.js';
import { handler as subscriptionDelete } from '../../../functions/subscriptions/subscription_delete.js';
import { handler as subscriptionsGet } from '../../../functions/subscriptions/subscriptions_get.js';
import { runSubscriptionCharges } from '../../../functions/jobs/subscriptions_charge.js';
import { PREPAID_FLOOR_SETTING } from '../../../lib/domain/balance.js';
import { chargesOf, getSubscription, listSubscriptions } from '../../../lib/domain/subscriptions.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const asAdmin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const balanceOf = async (id: number) => (await getUser(id))!.balanceMicros;

async function service(params: Record<string, string>, as: { u: string; secret: string } = { u: 'admin', secret: ADMIN.secret }) {
  const answer = await callHandler(serviceCreate, { u: as.u, ...params }, { secret: as.secret });
  return String(answer.xml.page.status.service.id);
}

async function subscribe(userId: number, serviceId: string, extra: Record<string, string> = {}) {
  const answer = await asAdmin(subscriptionCreate, { user_id: String(userId), service_id: serviceId, ...extra });
  expect(answer.xml.page.status.success, answer.body).toBe('Subscription was successfully created');
  const subs = await listSubscriptions({ userId });
  return subs.sort((a, b) => b.id - a.id)[0]!;
}

describe('subscription_create', () => {
  it('hashes user_id then service_id (MOR selenium order) and creates the subscription', async () => {
    const user = await makeUser('user', { postpaid: true });
    const serviceId = await service({ new_service_name: 'P', new_service_type: 'periodic_fee', service_sell_price: '10' });
    const answer = await callHandler(subscriptionCreate, {
      u: 'admin', service_id: serviceId, user_id: String(user.id), subscription_memo: 'acc_one', subscription_activation_start: '1370325664',
      hash: sha1(`${user.id}${serviceId}secret`),
    });
    expect(answer.xml).toEqual({ page: { status: { success: 'Subscription was successfully created' } } });
    const [sub] = await listSubscriptions({ userId: user.id });
    expect(sub).toMatchObject({ memo: 'acc_one', activationStart: 1370325664, activationEnd: null, serviceId: Number(serviceId), ownerId: 0 });
    // A postpaid user is charged by the schedule, not at once.
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('charges a prepaid user the current period at once, or refuses with insufficient balance', async () => {
    const once = await service({ new_service_name: 'Once', new_service_type: 'one_time_fee', service_sell_price: '7.5' });
    const rich = await makeUser('user', { balanceMicros: 10_000_000 });
    const sub = await subscribe(rich.id, once);
    expect(await balanceOf(rich.id)).toBe(2_500_000);
    expect((await chargesOf(sub.id)).map((c) => c.amountMicros)).toEqual([7_500_000]);
    expect(sub.nextPeriodStart).toBeNull();

    const poor = await makeUser('user', { balanceMicros: 1_000_000 });
    const refused = await asAdmin(subscriptionCreate, { user_id: String(poor.id), service_id: once });
    expect(errorOf(refused.xml)).toBe('User has insufficient balance');
    expect(await listSubscriptions({ userId: poor.id })).toEqual([]);
    expect(await balanceOf(poor.id)).toBe(1_000_000);

    await subscribe(poor.id, once, { ignore_balance: '1' });
    expect(await balanceOf(poor.id)).toBe(-6_500_000);
  });

  it('answers every documented error', async () => {
    const flat = await service({ new_service_name: 'F', new_service_type: 'flat_rate', service_minutes_per_month: '10' });
    const periodic = await service({ new_service_name: 'PF', new_service_type: 'periodic_fee' });
    const user = await makeUser('user', { postpaid: true });
    const accountant = await makeUser('accountant');
    const uid = String(user.id);
    const cases: [Record<string, string>, string][] = [
      [{ user_id: uid }, 'Service was not selected'],
      [{ user_id: uid, service_id: '99999' }, 'Service was not found'],
      [{ service_id: flat }, 'User was not selected'],
      [{ service_id: flat, user_id: '99999' }, 'User was not found'],
      [{ service_id: flat, user_id: String(accountant.id) }, 'Service cannot be subscribed to this User'],
      [{ service_id: flat, user_id: uid, subscription_activation_start: '2020-01-01' }, 'Subscription activation start date must be valid timestamp'],
      [{ service_id: flat, user_id: uid, subscription_activation_end: 'x' }, 'Subscription activation end date must be valid timestamp'],
      [{ service_id: flat, user_id: uid, subscription_activation_start: '2000', subscription_activation_end: '1000' }, 'Activation start date must be earlier than end date.'],
      [{ service_id: periodic, user_id: uid, subscription_no_expiration_at_the_end_of_a_month: '1' }, 'Service is not flat rate'],
    ];
    for (const [params, error] of cases) expect(errorOf((await asAdmin(subscriptionCreate, params)).xml), error).toBe(error);
    expect(errorOf((await callHandler(subscriptionCreate, { u: 'admin', user_id: uid, service_id: flat, hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('keeps tenants apart and checks roles', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const aService = await service({ new_service_name: 'A', new_service_type: 'periodic_fee' }, { u: a.reseller.username, secret: a.secret });
    const adminService = await service({ new_service_name: 'Adm', new_service_type: 'periodic_fee' });
    const ok = await callHandler(subscriptionCreate, { u: a.reseller.username, user_id: String(a.user.id), service_id: aService }, { secret: a.secret });
    expect(ok.xml.page.status.success).toBe('Subscription was successfully created');
    expect(errorOf((await callHandler(subscriptionCreate, { u: a.reseller.username, user_id: String(b.user.id), service_id: aService }, { secret: a.secret })).xml)).toBe('User was not found');
    expect(errorOf((await callHandler(subscriptionCreate, { u: a.reseller.username, user_id: String(a.user.id), service_id: adminService }, { secret: a.secret })).xml)).toBe('Service was not found');
    expect(errorOf((await callHandler(subscriptionCreate, { u: b.reseller.username, user_id: String(b.user.id), service_id: aService }, { secret: b.secret })).xml)).toBe('Service was not found');
    expect(errorOf((await callHandler(subscriptionCreate, { u: a.user.username, user_id: String(a.user.id), service_id: aService }, { secret: a.secret })).xml)).toBe('Access Denied');
    const accountant = await makeUser('accountant', { permissions: { manage_subscriptions_opt_1: 1 } });
    expect(errorOf((await callHandler(subscriptionCreate, { u: accountant.username, user_id: String(a.user.id), service_id: adminService }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to use this functionality');
    const editor = await makeUser('accountant', { permissions: { manage_subscriptions_opt_1: 2 } });
    expect(errorOf((await callHandler(subscriptionCreate, { u: editor.username, user_id: String(a.user.id), service_id: adminService }, { secret: ADMIN.secret })).xml)).toBe('User was not found');
    // The service now has a subscription: it cannot be deleted.
    expect(errorOf((await callHandler(serviceDelete, { u: a.reseller.username, service_id: aService }, { secret: a.secret })).xml))
      .toBe('Cannot delete - some subscriptions to this service exist');
  });
});

describe('scheduled charge', () => {
  it('charges across a month boundary exactly once, however often it runs', async () => {
    const user = await makeUser('user', { postpaid: true });
    const monthly = await service({ new_service_name: 'M31', new_service_type: 'periodic_fee', service_sell_price: '31' });
    const sub = await subscribe(user.id, monthly, { subscription_activation_start: String(unix('2025-01-15T10:00:00Z')), subscription_charge_for_past: '1' });
    expect(sub.nextPeriodStart).toBe(unix('2025-01-01T00:00:00Z'));

    await runSubscriptionCharges(unix('2025-01-20T00:00:00Z'));
    await runSubscriptionCharges(unix('2025-01-20T01:00:00Z'));
    expect(await balanceOf(user.id)).toBe(-17_000_000); // 15..31 Jan = 17 of 31 days
    await runSubscriptionCharges(unix('2025-01-31T23:59:59Z'));
    expect(await balanceOf(user.id)).toBe(-17_000_000);

    // Crossing into February: two overlapping runs and a repeat still charge February once.
    await Promise.all([runSubscriptionCharges(unix('2025-02-01T00:00:00Z')), runSubscriptionCharges(unix('2025-02-01T00:00:00Z'))]);
    await runSubscriptionCharges(unix('2025-02-01T01:00:00Z'));
    expect(await balanceOf(user.id)).toBe(-48_000_000);
    expect((await chargesOf(sub.id)).map((c) => [c.periodKey, c.amountMicros])).toEqual([['2025-01', 17_000_000], ['2025-02', 31_000_000]]);
    expect((await getSubscription(sub.id))!.nextPeriodStart).toBe(unix('2025-03-01T00:00:00Z'));
  });

  it('charges at the period end, applies the discount, and stops at the activation end', async () => {
    const user = await makeUser('user', { postpaid: true });
    const flat = await service({ new_service_name: 'FR', new_service_type: 'flat_rate', service_sell_price: '10', service_minutes_per_month: '100' });
    const sub = await subscribe(user.id, flat, {
      subscription_activation_start: String(unix('2025-03-10T00:00:00Z')), subscription_activation_end: String(unix('2025-04-20T00:00:00Z')),
      subscription_charge_for_past: '1', subscription_charge_balance_on: '2', subscription_discount_percent: '15',
    });
    await runSubscriptionCharges(unix('2025-03-31T12:00:00Z'));
    expect(await balanceOf(user.id)).toBe(0);
    await runSubscriptionCharges(unix('2025-04-01T00:00:00Z'));
    expect(await balanceOf(user.id)).toBe(-8_500_000);
    await runSubscriptionCharges(unix('2025-06-01T00:00:00Z'));
    await runSubscriptionCharges(unix('2025-07-01T00:00:00Z'));
    expect(await balanceOf(user.id)).toBe(-17_000_000);
    expect((await getSubscription(sub.id))!.nextPeriodStart).toBeNull();
  });

  it('never takes a prepaid user below zero when the floor setting is on: blocks the user instead', async () => {
    await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '1' });
    try {
      const user = await makeUser('user', { balanceMicros: 5_000_000 });
      const daily = await service({ new_service_name: 'D', new_service_type: 'periodic_fee', service_sell_price: '3', service_period: 'day' });
      const sub = await subscribe(user.id, daily, { subscription_activation_start: String(unix('2025-05-01T00:00:00Z')), subscription_charge_for_past: '1', ignore_balance: '1' });
      await runSubscriptionCharges(unix('2025-05-02T05:00:00Z'));
      expect(await balanceOf(user.id)).toBe(2_000_000);
      expect((await getUser(user.id))!.blocked).toBe(true);
      expect((await chargesOf(sub.id)).map((c) => c.periodKey)).toEqual(['2025-05-01']);
    } finally {
      await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '0' });
    }
  });
});

describe('subscription_update and subscription_delete', () => {
  it('updates with subscription_id as the only hash param', async () => {
    const user = await makeUser('user', { postpaid: true });
    const flat = await service({ new_service_name: 'U', new_service_type: 'flat_rate', service_minutes_per_month: '5' });
    const sub = await subscribe(user.id, flat);
    const answer = await callHandler(subscriptionUpdate, {
      u: 'admin', subscription_id: String(sub.id), subscription_memo: 'changed', subscription_activation_start: '1255132800',
      subscription_until_canceled: '1', subscription_no_expiration_at_the_end_of_a_month: '1', hash: sha1(`${sub.id}secret`),
    });
    expect(answer.xml).toEqual({ page: { status: { success: 'Subscription was successfully updated' } } });
    expect(await getSubscription(sub.id)).toMatchObject({ memo: 'changed', activationStart: 1255132800, untilCanceled: true, noExpiration: true });
    const cases: [Record<string, string>, string][] = [
      [{ subscription_id: '99999' }, 'Subscription was not found'],
      [{}, 'Subscription was not found'],
      [{ subscription_id: String(sub.id), subscription_activation_start: 'x' }, 'Subscription activation start date must be valid timestamp'],
      [{ subscription_id: String(sub.id), subscription_until_canceled: '0', subscription_activation_end: 'x' }, 'Subscription activation end date must be valid timestamp'],
      [{ subscription_id: String(sub.id), subscription_until_canceled: '0', subscription_activation_end: '1000' }, 'Activation start date must be earlier than end date.'],
    ];
    for (const [params, error] of cases) expect(errorOf((await asAdmin(subscriptionUpdate, params)).xml), error).toBe(error);
    const periodic = await service({ new_service_name: 'U2', new_service_type: 'periodic_fee' });
    const other = await subscribe(user.id, periodic);
    expect(errorOf((await asAdmin(subscriptionUpdate, { subscription_id: String(other.id), subscription_no_expiration_at_the_end_of_a_month: '1' })).xml)).toBe('Service is not flat rate');
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(subscriptionUpdate, { u: reseller.username, subscription_id: String(sub.id), subscription_memo: 'x' }, { secret })).xml)).toBe('Subscription was not found');
  });

  it('deletes with each action and returns the right money', async () => {
    const monthly = await service({ new_service_name: 'Del', new_service_type: 'periodic_fee', service_sell_price: '30' });
    const once = await service({ new_service_name: 'DelOnce', new_service_type: 'one_time_fee', service_sell_price: '4' });
    const prepaid = await makeUser('user', { balanceMicros: 100_000_000 });
    const a = await subscribe(prepaid.id, monthly);
    const charged = (await chargesOf(a.id))[0]!.amountMicros;
    expect(charged).toBeGreaterThan(0);
    // The seed's hash rule: subscription_id + subscription_delete_action + key.
    const answer = await callHandler(subscriptionDelete, { u: 'admin', subscription_id: String(a.id), subscription_delete_action: '2', hash: sha1(`${a.id}2secret`) });
    expect(answer.xml.page.status.success).toBe('Subscription deleted and money returned');
    expect(await balanceOf(prepaid.id)).toBe(100_000_000);

    const b = await subscribe(prepaid.id, once);
    expect(await balanceOf(prepaid.id)).toBe(96_000_000);
    expect(errorOf((await asAdmin(subscriptionDelete, { subscription_id: String(b.id), subscription_delete_action: '3' })).xml)).toBe('Subscription delete action was not found');
    expect((await asAdmin(subscriptionDelete, { subscription_id: String(b.id), subscription_delete_action: '1' })).xml.page.status.success).toBe('Subscription deleted');
    expect(await balanceOf(prepaid.id)).toBe(96_000_000);

    const c = await subscribe(prepaid.id, once);
    expect((await asAdmin(subscriptionDelete, { subscription_id: String(c.id), subscription_delete_action: '2' })).xml.page.status.success).toBe('Subscription deleted and money returned');
    expect(await balanceOf(prepaid.id)).toBe(96_000_000);

    const postpaid = await makeUser('user', { postpaid: true });
    const d = await subscribe(postpaid.id, monthly);
    expect((await asAdmin(subscriptionDelete, { subscription_id: String(d.id), subscription_delete_action: '2' })).xml.page.status.success).toBe('Subscription disabled');
    expect(await getSubscription(d.id)).toMatchObject({ disabled: true, nextPeriodStart: null });
    expect((await asAdmin(subscriptionDelete, { subscription_id: String(d.id), subscription_delete_action: '3' })).xml.page.status.success).toBe('Subscription deleted and money returned');
    expect(await getSubscription(d.id)).toBeUndefined();

    const cases: [Record<string, string>, string][] = [
      [{ subscription_delete_action: '1' }, 'Subscription was not selected'],
      [{ subscription_id: String(a.id) }, 'Subscription delete action was not selected'],
      [{ subscription_id: String(a.id), subscription_delete_action: '1' }, 'Subscription was not found'],
      [{ subscription_id: '99999', subscription_delete_action: '9' }, 'Subscription was not found'],
    ];
    for (const [params, error] of cases) expect(errorOf((await asAdmin(subscriptionDelete, params)).xml), error).toBe(error);
    const e = await subscribe(postpaid.id, monthly);
    expect(errorOf((await asAdmin(subscriptionDelete, { subscription_id: String(e.id), subscription_delete_action: '4' })).xml)).toBe('Subscription delete action was not found');
    const simple = await makeUser('user');
    expect(errorOf((await callHandler(subscriptionDelete, { u: simple.username, subscription_id: String(e.id), subscription_delete_action: '1' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    const accountant = await makeUser('accountant', { permissions: { manage_subscriptions_opt_1: 1 } });
    expect(errorOf((await callHandler(subscriptionDelete, { u: accountant.username, subscription_id: String(e.id), subscription_delete_action: '1' }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to use this functionality');
  });
});

describe('subscriptions_get', () => {
  it('filters as the seed page describes and keeps resellers to their users', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const svc = await service({ new_service_name: 'Service Name', new_service_type: 'periodic_fee', service_sell_price: '2' }, { u: a.reseller.username, secret: a.secret });
    const first = await callHandler(subscriptionCreate, {
      u: a.reseller.username, user_id: String(a.user.id), service_id: svc, subscription_memo: 'Subscriptions memo',
      subscription_activation_start: '1307167264', subscription_until_canceled: '1', ignore_balance: '1',
    }, { secret: a.secret });
    expect(first.xml.page.status.success).toBe('Subscription was successfully created');
    await callHandler(subscriptionCreate, {
      u: a.reseller.username, user_id: String(a.user.id), service_id: svc, subscription_memo: 'other',
      subscription_activation_start: '1307167264', subscription_activation_end: '1407167264', ignore_balance: '1',
    }, { secret: a.secret });

    const all = await callHandler(subscriptionsGet, { u: a.reseller.username }, { secret: a.secret });
    const list = [all.xml.page.status.subscriptions.subscription].flat();
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ service: 'Service Name', from: '2011-06-04 06:01:04 +0000', till: '', time_left: '', memo: 'Subscriptions memo', type: 'periodic_fee', price: '2.0', user_id: String(a.user.id), device: '' });
    expect(list[1]).toMatchObject({ till: '2014-08-04 15:47:44 +0000', time_left: '0' });

    const pick = async (params: Record<string, string>) => {
      const answer = await callHandler(subscriptionsGet, { u: a.reseller.username, ...params }, { secret: a.secret });
      return errorOf(answer.xml) ?? [answer.xml.page.status.subscriptions.subscription].flat().map((s: any) => s.memo);
    };
    expect(await pick({ subscription_until_canceled: '1' })).toEqual(['Subscriptions memo']);
    expect(await pick({ subscription_activation_end: '1407167264' })).toEqual(['other']);
    expect(await pick({ subscription_activation_start: '1307167265' })).toBe('No Subscriptions found');
    expect(await pick({ subscription_memo: 'other', user_id: String(a.user.id), service_id: svc })).toEqual(['other']);
    expect(await pick({ service_id: '999999' })).toBe('No Subscriptions found');
    expect(await pick({ from: '2', max_results: '5' })).toEqual(['other']);

    // The seed request: every filter, hashed with nothing but the key.
    const seed = await callHandler(subscriptionsGet, {
      u: a.reseller.username, service_id: svc, subscription_activation_start: '1307167264', subscription_activation_end: '1307167265',
      subscription_memo: 'Subscriptions memo', subscription_until_canceled: '1', user_id: String(a.user.id), hash: sha1(a.secret),
    });
    expect(errorOf(seed.xml)).toBe('No Subscriptions found');
    const adminSeed = await callHandler(subscriptionsGet, { u: 'admin', user_id: String(a.user.id), hash: 'e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4' });
    expect([adminSeed.xml.page.status.subscriptions.subscription].flat()).toHaveLength(2);

    expect(await (async () => errorOf((await callHandler(subscriptionsGet, { u: b.reseller.username, user_id: String(a.user.id) }, { secret: b.secret })).xml))()).toBe('No Subscriptions found');
    expect(errorOf((await callHandler(subscriptionsGet, { u: b.reseller.username }, { secret: b.secret })).xml)).toBe('No Subscriptions found');
    expect(errorOf((await callHandler(subscriptionsGet, { u: a.user.username }, { secret: a.secret })).xml)).toBe('You are not authorized to manage Subscriptions');
    expect(errorOf((await callHandler(subscriptionsGet, { u: 'ghost_user' }, { secret: ADMIN.secret })).xml)).toBe('You are not authorized to manage Subscriptions');
    expect(errorOf((await callHandler(subscriptionsGet, { u: 'admin', hash: 'bad' })).xml)).toBe('Incorrect hash');
  });
});
