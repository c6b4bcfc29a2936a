import { describe, expect, it } from 'vitest';
import { handler as balanceUpdate } from '../../../functions/balance/user_balance_update.js';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { listPayments } from '../../../lib/domain/payments.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler } from '../../support/api.js';
import { ADMIN, makeUser, setAdminSettings } from '../../support/world.js';

const CALLS = 200;

describe('concurrent money on one user', () => {
  it(`${CALLS} balance updates and ${CALLS} payments leave the exact balance and ${CALLS} payment records`, async () => {
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    const user = await makeUser('user');
    const id = String(user.id);
    const answers = await Promise.all([
      ...Array.from({ length: CALLS }, () => callHandler(balanceUpdate, { u: 'admin', user_id: id, balance: '0.01' }, { secret: ADMIN.secret })),
      ...Array.from({ length: CALLS }, (_, i) =>
        callHandler(paymentCreate, { u: 'admin', user_id: id, p_currency: 'USD', amount: '1.001', transaction: `c-${i}` }, { secret: ADMIN.secret })),
    ]);
    const failures = answers.filter((a) => !a.xml.page?.status && !a.xml.page?.response);
    expect(failures.map((a) => a.body)).toEqual([]);
    // 200 × 0.01 + 200 × 1.001 = 202.2
    expect((await getUser(user.id))!.balanceMicros).toBe(202_200_000);
    const payments = await listPayments({ userId: user.id }, '0000', '9999');
    expect(payments).toHaveLength(CALLS);
    expect(new Set(payments.map((p) => p.id)).size).toBe(CALLS);
  }, 600_000);
});
