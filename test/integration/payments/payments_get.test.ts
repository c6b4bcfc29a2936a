import { beforeAll, describe, expect, it } from 'vitest';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { handler as paymentsGet } from '../../../functions/payments/payments_get.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const list = (params: Record<string, string>, secret: string = ADMIN.secret) => callHandler(paymentsGet, params, { secret });
const rows = (xml: any) => (xml.page.payments ? [xml.page.payments.payment].flat() : []);

let a: Awaited<ReturnType<typeof makeReseller>>;
let b: Awaited<ReturnType<typeof makeReseller>>;

beforeAll(async () => {
  await setAdminSettings({ API_Allow_payments_ower_API: '1' });
  a = await makeReseller();
  b = await makeReseller();
  for (const r of [a, b]) {
    await updateSettings(r.reseller.id, { API_Allow_payments_ower_API: '1' });
    await callHandler(paymentCreate, { u: r.reseller.username, user_id: String(r.user.id), p_currency: 'USD', amount: '100', transaction: `t-${r.user.id}`, payer_email: 'bla@x.com' }, { secret: r.secret });
  }
});

describe('payments_get (payments_list)', () => {
  it('lists a reseller its users payments in MOR elements, not another reseller\'s', async () => {
    const answer = await list({ u: a.reseller.username }, a.secret);
    expect(answer.xml.page.pagename).toBe('Payments list');
    expect(rows(answer.xml)).toEqual([
      expect.objectContaining({
        user: a.user.username, payer: 'bla@x.com', transaction_id: `t-${a.user.id}`, type: 'From_api', amount: '100.00', fee: '0.00',
        amount_with_tax: '100.00', currency: 'USD', completed: 'Completed', confirmed_by_admin: 'Yes',
      }),
    ]);
    expect(errorOf((await list({ u: a.reseller.username, s_user_id: String(b.user.id) }, a.secret)).xml)).toBe('Access Denied');
  });

  it('lets a simple user see only its own payments, and filters', async () => {
    const own = await list({ u: a.user.username, s_user_id: String(b.user.id) }, a.secret);
    expect(rows(own.xml).map((r: any) => r.transaction_id)).toEqual([`t-${a.user.id}`]);
    const none = await list({ u: a.reseller.username, s_transaction: 'zzz' }, a.secret);
    expect(none.xml.page.payments).toBe('');
    const old = await list({ u: a.reseller.username, s_from: '1000', s_till: '2000' }, a.secret);
    expect(rows(old.xml)).toEqual([]);
  });

  it('answers Bad login, Incorrect hash and Access Denied as <status> errors', async () => {
    expect((await list({ u: 'ghost' })).xml).toEqual({ status: { error: 'Bad login' } });
    expect((await callHandler(paymentsGet, { u: 'admin', hash: 'x' })).xml).toEqual({ status: { error: 'Incorrect hash' } });
    const accountant = await makeUser('accountant');
    expect((await list({ u: accountant.username })).xml).toEqual({ status: { error: 'Access Denied' } });
    const allowed = await makeUser('accountant', { permissions: { payments_manage: 1 } });
    expect((await list({ u: allowed.username })).xml.page.pagename).toBe('Payments list');
  });
});
