import { balanceByDevice } from '../../lib/domain/balance-by-device.js';
import { findDevicesByUsername } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

/** The user of the device whose username is the path segment (`/user_balance_get_by_username/<device username>`). */
export const handler = defineMethod({
  method: 'user_balance_get_by_username',
  pathId: true,
  ...balanceByDevice(findDevicesByUsername),
});
