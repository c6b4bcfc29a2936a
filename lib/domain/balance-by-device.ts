/**
 * user_balance_get_by_psw / user_balance_get_by_username: MOR's unhashed balance look-ups keyed by a
 * device (its password or its username in the path). Everything but the device look-up is shared.
 */
import { formatMicros } from '../money.js';
import type { MethodDeclaration } from '../pipeline/define-method.js';
import { MorError } from '../pipeline/errors.js';
import { field } from '../pipeline/validate.js';
import { BALANCE_OVER_HTTP_SETTING, balanceInCurrency } from './balance.js';
import type { DeviceRecord } from './devices.js';
import { settingOn } from './settings.js';
import { getUser } from './users.js';

const params = { currency: field.optional() };

/**
 * The declaration of a device-keyed balance method, less its name and path: the caller is the user of
 * the first device `findDevices` returns for the path segment (lowest id, as MOR's first match).
 */
export function balanceByDevice(
  findDevices: (pathSegment: string) => Promise<DeviceRecord[]>,
): Omit<MethodDeclaration<typeof params>, 'method' | 'pathId'> {
  return {
    caller: async (raw) => {
      const [device] = await findDevices(raw.id ?? '');
      return device ? getUser(device.userId) : undefined;
    },
    hashed: false,
    allowGetAlways: true,
    errorEnvelope: 'page',
    unknownCaller: 'User was not found',
    access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
    params,
    async run({ caller, params, adminSettings, ownerSettings }) {
      if (!settingOn(ownerSettings, BALANCE_OVER_HTTP_SETTING)) throw new MorError('Feature disabled');
      const balance = await balanceInCurrency(caller, params.currency, adminSettings);
      return { page: { balance: formatMicros(balance.micros, 4) } };
    },
  };
}
