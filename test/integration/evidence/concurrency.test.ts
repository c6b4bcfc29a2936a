/**
 * Concurrency on one hot object for every money or inventory operation: CONCURRENCY (default 1000)
 * requests at once through the real handlers against DynamoDB Local; no lost update, no double sell,
 * the exact final state.
 */
import { describe, expect, it } from 'vitest';
import { handler as userBalanceUpdate } from '../../../functions/balance/user_balance_update.js';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { handler as cardFromGroupSell } from '../../../functions/cards/card_from_group_sell.js';
import { handler as cardPaymentAdd } from '../../../functions/cards/card_payment_add.js';
import { handler as cardBalanceGet } from '../../../functions/cards/card_balance_get.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { listPayments } from '../../../lib/domain/payments.js';
import { getUser } from '../../../lib/domain/users.js';
import { BUSY_TEXT, callHandler, errorOf, retriedWhileBusy } from '../../support/api.js';
import { ADMIN, makeUser, setAdminSettings } from '../../support/world.js';
import { ADMIN_CALLER, call, createCards, createGroup } from '../cards/helpers.js';
import { makeDid, makeProvider } from '../dids/support.js';

const N = Number(process.env.CONCURRENCY ?? 1000);
const asAdmin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });
const all = <T>(count: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => make(i)));

describe(`${N} concurrent requests on one hot object`, () => {
  it('user_balance_update: every acknowledged change lands exactly once', async () => {
    const user = await makeUser('user');
    const answers = await all(N, () => asAdmin(userBalanceUpdate, { user_id: String(user.id), balance: '0.0001' }));
    // Every acknowledged change lands once; a change refused with the retry hint (DynamoDB Local out of lock time) not at all.
    const applied = answers.filter((a) => errorOf(a.xml) === undefined);
    expect(answers.filter((a) => errorOf(a.xml) !== undefined && errorOf(a.xml) !== BUSY_TEXT)).toEqual([]);
    expect(applied.length).toBeGreaterThan(N / 2);
    expect((await getUser(user.id))!.balanceMicros).toBe(applied.length * 100);
  }, 600_000);

  it('payment_create: exact balance and exactly one record per payment; a retried transaction id pays once', async () => {
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    const user = await makeUser('user');
    const answers = await all(N, (i) =>
      retriedWhileBusy(() => asAdmin(paymentCreate, { user_id: String(user.id), p_currency: 'USD', amount: '0.01', transaction: `tx-${i % (N / 2)}` })));
    const paid = answers.filter((a) => !errorOf(a.xml) && !JSON.stringify(a.xml).includes('already been recorded'));
    expect(paid).toHaveLength(N / 2);
    expect((await getUser(user.id))!.balanceMicros).toBe((N / 2) * 10_000);
    expect(await listPayments({ userId: user.id }, '0000', '9999')).toHaveLength(N / 2);
  }, 600_000);

  it('card_from_group_sell: no card is sold twice', async () => {
    const cards = Math.min(300, N / 2);
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '1' });
    await createCards(ADMIN_CALLER, group, '8800000001', String(8800000000 + cards));
    const answers = await all(N, () => call(cardFromGroupSell, ADMIN_CALLER, { id: String(group) }));
    const sold = answers.flatMap((a) => (a.xml.page?.cards ? [a.xml.page.cards.card].flat() : []));
    expect(sold).toHaveLength(cards);
    expect(new Set(sold.map((c: any) => c.number)).size).toBe(cards);
    expect(answers.filter((a) => errorOf(a.xml) !== undefined && errorOf(a.xml) !== 'Free cards was not found')).toEqual([]);
  }, 600_000);

  it('card_payment_add: every acknowledged top-up lands on the card exactly once', async () => {
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '0' });
    await createCards(ADMIN_CALLER, group, '8900000001', '8900000001');
    await call(cardFromGroupSell, ADMIN_CALLER, { id: String(group), number: '8900000001' });
    const answers = await all(N, () => call(cardPaymentAdd, ADMIN_CALLER, { number: '8900000001', amount: '0.01', description: 'hot' }));
    const applied = answers.filter((a) => errorOf(a.xml) === undefined);
    expect(answers.filter((a) => errorOf(a.xml) !== undefined && errorOf(a.xml) !== BUSY_TEXT)).toEqual([]);
    expect(applied.length).toBeGreaterThan(N / 2);
    const balance = (await call(cardBalanceGet, ADMIN_CALLER, { number: '8900000001' })).xml.page.calling_card.balance;
    expect(Number(balance) * 100).toBeCloseTo(applied.length, 6);
  }, 600_000);

  it('did_device_assign: one DID, many devices racing — exactly one wins', async () => {
    const user = await makeUser('user');
    const devices = await all(10, async () => Number((await asAdmin(deviceCreate, { user_id: String(user.id), type: 'SIP' })).xml.page.id));
    const did = await makeDid(await makeProvider());
    const answers = await all(N, (i) => asAdmin(didDeviceAssign, { device_id: String(devices[i % devices.length]), did: did.number }));
    const winners = answers.filter((a) => a.xml.page?.status?.success === 'Device assigned to DID');
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => /Internal error|busy/.test(a.body))).toEqual([]);
  }, 600_000);
});
