import { BalanceFloorError, BalanceUserMissingError, changeBalance, prepaidFloorOn, sendEmailSafely } from '../../lib/domain/balance.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { settingOn } from '../../lib/domain/settings.js';
import { apiOwnerId, findManagedUser, getUser } from '../../lib/domain/users.js';
import { formatMicrosShort, parseMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'User was not found';
const NOT_UPDATED = 'User balance not updated';

/** Adds `balance` (a signed amount) to a user's balance, as MOR's description says (not a new absolute value). */
export const handler = defineMethod({
  method: 'user_balance_update',
  aliases: ['user_balance_change', 'change_user_balance'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, partner: true, accountant: { permission: 'payments_manage', level: 2 } },
  params: { user_id: field.id(NOT_FOUND), balance: field.amount(NOT_UPDATED) },
  async run({ caller, params, adminSettings, ownerSettings }) {
    // "The user which changes balance: admin/reseller, not the user himself!"
    const user = await findManagedUser(caller, params.user_id, { allowSelf: false });
    if (!user) throw new MorError(NOT_FOUND);
    const deltaMicros = parseMicros(params.balance);
    let currentMicros: bigint;
    try {
      ({ currentMicros } = await changeBalance({ user, deltaMicros, prepaidFloor: prepaidFloorOn(adminSettings) }));
    } catch (error) {
      if (error instanceof BalanceFloorError) throw new MorError(NOT_UPDATED);
      if (error instanceof BalanceUserMissingError) throw new MorError(NOT_FOUND);
      throw error;
    }
    await recordAction({ userId: caller.id, action: 'user_balance_update', data: params.balance, target: 'user', targetId: user.id })
      .catch(() => undefined);
    if (settingOn(ownerSettings, 'Send_Email_To_Admin_After_Balance_Update')) {
      const owner = await getUser(apiOwnerId(caller));
      await sendEmailSafely({
        to: owner?.email ?? '',
        subject: 'balance_update_email',
        body: `Balance of ${user.username} changed by ${params.balance}; new balance ${formatMicrosShort(currentMicros)}`,
        userId: user.id,
      });
    }
    return {
      page: {
        status: 'User balance updated',
        user: { username: user.username, id: user.id, balance: formatMicrosShort(currentMicros) },
      },
    };
  },
});
