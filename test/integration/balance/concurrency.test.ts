/**
 * Money under contention on one user: balance updates (atomic ADD) and payments (transactions) at once.
 * The invariant is "no lost or doubled money": every acknowledged change lands exactly once, and a change
 * refused with MOR's retry hint (`Service is busy, please retry`, when DynamoDB Local runs out of lock time
 * under a loaded CI machine) lands not at all. Payments are idempotent by transaction id, so the test
 * retries them as an integrator would, and all 200 must end up recorded once.
 */
import { describe, expect, it } from 'vitest';
import { handler as balanceUpdate } from '../../../functions/balance/user_balance_update.js';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { listPayments } from '../../../lib/domain/payments.js';
import { getUser } from '../../../lib/domain/users.js';
import { BUSY_TEXT, callHandler, errorOf, retriedWhileBusy } from '../../support/api.js';
import { ADMIN, makeUser, setAdminSettings } from '../../support/world.js';

const CALLS = 200;
describe('concurrent money on one user', () => {
  it(`${CALLS} balance updates and ${CALLS} payments: every acknowledged change lands exactly once`, async () => {
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    const user = await makeUser('user');
    const id = String(user.id);
    const [updates, payments] = await Promise.all([
      Promise.all(Array.from({ length: CALLS }, () => callHandler(balanceUpdate, { u: 'admin', user_id: id, balance: '0.01' }, { secret: ADMIN.secret }))),
      Promise.all(Array.from({ length: CALLS }, (_, i) =>
        retriedWhileBusy(() => callHandler(paymentCreate, { u: 'admin', user_id: id, p_currency: 'USD', amount: '1.001', transaction: `c-${i}` }, { secret: ADMIN.secret })))),
    ]);
    const applied = updates.filter((a) => errorOf(a.xml) === undefined);
    expect(updates.filter((a) => errorOf(a.xml) !== undefined && errorOf(a.xml) !== BUSY_TEXT).map((a) => a.body)).toEqual([]);
    expect(applied.length).toBeGreaterThan(0);
    expect(payments.filter((a) => errorOf(a.xml) !== undefined && !a.body.includes('already been recorded')).map((a) => a.body)).toEqual([]);
    // applied × 0.01 + 200 × 1.001
    expect((await getUser(user.id))!.balanceMicros).toBe(applied.length * 10_000 + CALLS * 1_001_000);
    const recorded = await listPayments({ userId: user.id }, '0000', '9999');
    expect(recorded).toHaveLength(CALLS);
    expect(new Set(recorded.map((p) => p.id)).size).toBe(CALLS);
  }, 600_000);
});
