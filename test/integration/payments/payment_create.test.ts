import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { currencyKey, PREPAID_FLOOR_SETTING } from '../../../lib/domain/balance.js';
import { listPayments } from '../../../lib/domain/payments.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const pay = (params: Record<string, string>, secret: string = ADMIN.secret) => callHandler(paymentCreate, params, { secret });
const paymentsOf = (userId: number) => listPayments({ userId }, '0000', '9999');

beforeAll(async () => {
  await setAdminSettings({ API_Allow_payments_ower_API: '1' });
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...currencyKey('EUR'), exchangeRateMicros: 2_000_000 } }));
});
afterAll(() => setAdminSettings({ API_Allow_payments_ower_API: '0' }));

describe('payment_create', () => {
  it('records the payment and adds it to the balance in one transaction', async () => {
    const user = await makeUser('user');
    const answer = await pay({ u: 'admin', user_id: String(user.id), p_currency: 'USD', amount: '12.345', paymenttype: 'manual' });
    const payment = answer.xml.page.response.payment;
    expect(answer.xml.page.response.status).toBe('ok');
    expect(answer.xml.page.response.confirmed).toBe('Yes');
    expect(answer.body).toContain('<payment currency="USD">');
    expect(payment).toMatchObject({ tax: '0.00', amount: '12.35', gross: '12.35' });
    expect((await getUser(user.id))!.balanceMicros).toBe(12_345_000);
    const [record] = await paymentsOf(user.id);
    expect(record).toMatchObject({ id: Number(payment.payment_id), paymentType: 'from_api : manual', completed: true, currency: 'USD' });
  });

  it('converts another currency to the system currency and applies the user tax', async () => {
    const user = await makeUser('user', { extra: { taxes: { compound: false, taxes: [{ name: 'VAT', percent: '21', enabled: true }] } } });
    const gross = await pay({ u: 'admin', user_id: String(user.id), p_currency: 'EUR', amount: '121', tax_in_amount: '1' });
    expect(gross.xml.page.response.payment).toMatchObject({ tax: '21.00', amount: '100.00', gross: '121.00' });
    const net = await pay({ u: 'admin', user_id: String(user.id), p_currency: 'EUR', amount: '10' });
    expect(net.xml.page.response.payment).toMatchObject({ tax: '2.10', amount: '10.00', gross: '12.10' });
    // 110 EUR net at 2 EUR per USD.
    expect((await getUser(user.id))!.balanceMicros).toBe(55_000_000);
  });

  it('rejects a transaction id already recorded for the user, without paying twice', async () => {
    const user = await makeUser('user');
    const params = { u: 'admin', user_id: String(user.id), p_currency: 'USD', amount: '5', transaction: 'T-1' };
    const first = await pay(params);
    const again = await pay(params);
    expect(again.xml.page.error['#text']).toBe('Payment was not saved');
    expect(again.xml.page.error.message).toBe('Transaction has already been recorded for this user');
    expect(again.xml.page.error.payment_id).toBe(first.xml.page.response.payment.payment_id);
    expect((await getUser(user.id))!.balanceMicros).toBe(5_000_000);
    expect(await paymentsOf(user.id)).toHaveLength(1);
    // The same id for another user is another payment.
    const other = await makeUser('user');
    expect((await pay({ ...params, user_id: String(other.id) })).xml.page.response.status).toBe('ok');
  });

  it('keeps an unconfirmed payment pending without touching the balance', async () => {
    const user = await makeUser('user');
    await setAdminSettings({ API_payment_confirmation: '1' });
    try {
      const answer = await pay({ u: 'admin', user_id: String(user.id), p_currency: 'USD', amount: '7' });
      expect(answer.xml.page.response.confirmed).toBe('No');
    } finally {
      await setAdminSettings({ API_payment_confirmation: '0' });
    }
    expect((await getUser(user.id))!.balanceMicros).toBe(0);
    expect((await paymentsOf(user.id))[0]).toMatchObject({ completed: false, pendingReason: 'Waiting for confirmation' });
  });

  it('answers every documented error', async () => {
    const user = await makeUser('user');
    const base = { u: 'admin', user_id: String(user.id), p_currency: 'USD', amount: '1' };
    expect((await pay({ ...base, u: 'ghost' })).xml).toEqual({ status: { error: 'Bad login' } });
    expect((await callHandler(paymentCreate, { ...base, hash: 'x' })).xml).toEqual({ status: { error: 'Incorrect hash' } });
    expect((await pay({ ...base, p_currency: 'XXX' })).xml).toEqual({ page: { error: 'No currency' } });
    expect((await pay({ ...base, p_currency: '' })).xml).toEqual({ page: { error: 'No currency' } });
    expect((await pay({ ...base, amount: 'ten' })).xml.page.error['#text']).toBe('Payment was not saved');
    expect((await pay({ ...base, user_id: '999999' })).xml).toEqual({ page: { error: 'Access Denied' } });
    const asUser = await pay({ ...base, u: user.username });
    expect(errorOf(asUser.xml)).toBe('Access Denied');
    await setAdminSettings({ API_Allow_payments_ower_API: '0' });
    try {
      expect((await pay(base)).xml).toEqual({ page: { error: 'Payments not allow from api' } });
    } finally {
      await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    }
  });

  it('lets a reseller pay only its own users', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    const { updateSettings } = await import('../../../lib/domain/settings.js');
    await updateSettings(a.reseller.id, { API_Allow_payments_ower_API: '1' });
    const own = await pay({ u: a.reseller.username, user_id: String(a.user.id), p_currency: 'USD', amount: '3' }, a.secret);
    expect(own.xml.page.response.status).toBe('ok');
    const foreign = await pay({ u: a.reseller.username, user_id: String(b.user.id), p_currency: 'USD', amount: '3' }, a.secret);
    expect(errorOf(foreign.xml)).toBe('Access Denied');
    expect((await getUser(b.user.id))!.balanceMicros).toBe(0);
  });

  it('enforces the prepaid floor on negative payments', async () => {
    const user = await makeUser('user');
    await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '1' });
    try {
      const answer = await pay({ u: 'admin', user_id: String(user.id), p_currency: 'USD', amount: '-1' });
      expect(answer.xml.page.error['#text']).toBe('Payment was not saved');
    } finally {
      await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '0' });
    }
    expect(await paymentsOf(user.id)).toHaveLength(0);
  });
});
