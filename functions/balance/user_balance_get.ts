import { BALANCE_OVER_HTTP_SETTING, balanceInCurrency } from '../../lib/domain/balance.js';
import { settingOn } from '../../lib/domain/settings.js';
import { formatMicrosShort } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const ANY_USER = { admin: true, reseller: true, accountant: true, partner: true, user: true } as const;

/** The balance of the user named by `username` (MOR identifies this method's user by it). */
export const handler = defineMethod({
  method: 'user_balance_get',
  aliases: ['balance'],
  caller: 'username',
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  access: ANY_USER,
  params: { currency: field.optional(), user_currency: field.optional() },
  async run({ caller, params, adminSettings, ownerSettings }) {
    if (!settingOn(ownerSettings, BALANCE_OVER_HTTP_SETTING)) throw new MorError('Feature disabled');
    const inUserCurrency = params.user_currency === '1';
    const balance = await balanceInCurrency(caller, inUserCurrency ? 'USER' : params.currency, adminSettings);
    return {
      page: { balance: formatMicrosShort(balance.micros), currency: inUserCurrency ? balance.currency : undefined },
    };
  },
});
