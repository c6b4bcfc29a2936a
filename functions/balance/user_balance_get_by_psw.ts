import { BALANCE_OVER_HTTP_SETTING, balanceInCurrency } from '../../lib/domain/balance.js';
import { findDevicesBySecret } from '../../lib/domain/devices.js';
import { settingOn } from '../../lib/domain/settings.js';
import { getUser } from '../../lib/domain/users.js';
import { formatMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/**
 * The user of the device whose password is the path segment (`/user_balance_get_by_psw/<device password>`).
 * Several devices may share a password: the lowest device id wins, as MOR's first-match look-up.
 */
async function userOfDevice(params: Record<string, string>) {
  const [device] = await findDevicesBySecret(params.id ?? '');
  return device ? getUser(device.userId) : undefined;
}

export const handler = defineMethod({
  method: 'user_balance_get_by_psw',
  pathId: true,
  caller: userOfDevice,
  hashed: false,
  allowGetAlways: true,
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: { currency: field.optional() },
  async run({ caller, params, adminSettings, ownerSettings }) {
    if (!settingOn(ownerSettings, BALANCE_OVER_HTTP_SETTING)) throw new MorError('Feature disabled');
    const balance = await balanceInCurrency(caller, params.currency, adminSettings);
    return { page: { balance: formatMicros(balance.micros, 4) } };
  },
});
