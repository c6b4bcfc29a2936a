import { balanceByDevice } from '../../lib/domain/balance-by-device.js';
import { findDevicesBySecret } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

/**
 * The user of the device whose password is the path segment (`/user_balance_get_by_psw/<device password>`).
 * Several devices may share a password: the lowest device id wins, as MOR's first-match look-up.
 */
export const handler = defineMethod({
  method: 'user_balance_get_by_psw',
  pathId: true,
  ...balanceByDevice(findDevicesBySecret),
});
