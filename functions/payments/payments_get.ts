import { niceNumber } from '../../lib/domain/balance.js';
import { filterPayments, listPayments, paymentPeriod, paymentRow, type PaymentList } from '../../lib/domain/payments.js';
import { findManagedUser, managedOwnerId, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const DENIED = 'Access Denied';

/** Whose payments: a simple user its own; others their owner scope, or one of their users (`s_user_id`). */
async function listFor(caller: UserRecord, userIdText: string | undefined): Promise<PaymentList> {
  if (caller.usertype === 'user' || (userIdText !== undefined && userIdText === String(caller.id))) return { userId: caller.id };
  if (!userIdText) return { ownerId: managedOwnerId(caller) };
  const user = await findManagedUser(caller, userIdText);
  if (!user) throw new MorError(DENIED);
  return { userId: user.id };
}

const text = field.optional;

export const handler = defineMethod({
  method: 'payments_get',
  aliases: ['payments_list'],
  errorEnvelope: 'status',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, user: true, accountant: { permission: 'payments_manage', level: 1 }, notAuthorized: DENIED },
  params: {
    s_user_id: text(), s_from: text(), s_till: text(), s_transaction: text(), s_completed: text(), s_username: text(),
    s_first_name: text(), s_last_name: text(), s_paymenttype: text(), s_amount_min: text(), s_amount_max: text(),
    s_currency: text(), s_number: text(), s_pin: text(),
  },
  async run({ caller, params, adminSettings }) {
    const list = await listFor(caller, params.s_user_id || undefined);
    const period = paymentPeriod(params.s_from, params.s_till);
    const payments = filterPayments(await listPayments(list, period.fromIso, period.tillIso), params);
    return {
      page: {
        pagename: 'Payments list',
        payments: payments.length ? { payment: payments.map((p) => paymentRow(p, (m) => niceNumber(m, adminSettings))) } : '',
      },
    };
  },
});
