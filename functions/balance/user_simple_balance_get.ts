import { BALANCE_OVER_HTTP_SETTING, balanceInCurrency, niceNumber } from '../../lib/domain/balance.js';
import { settingOn } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

/** The bare balance number for phones, the user identified by its uniquehash (`id` or `/simple_balance/<id>`). */
export const handler = defineMethod({
  method: 'user_simple_balance_get',
  aliases: ['simple_balance'],
  pathId: true,
  caller: 'uniquehash',
  allowGetAlways: true,
  errorEnvelope: 'bare',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: { currency: field.optional() },
  async run({ caller, params, adminSettings, ownerSettings }) {
    if (!settingOn(ownerSettings, BALANCE_OVER_HTTP_SETTING)) return { text: 'Feature disabled' };
    const balance = await balanceInCurrency(caller, params.currency, adminSettings);
    return { text: niceNumber(balance.micros, adminSettings) };
  },
});
