import { DEVICE_MANAGE, callflowRows, deviceForCaller } from '../../lib/domain/devices.js';
import { getUser } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'Device was not found';
export const NOT_AUTHORISED = 'You are not authorised to use this functionality';

export const handler = defineMethod({
  method: 'device_callflow_get',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 1 }, denied: NOT_AUTHORISED, notAuthorized: NOT_AUTHORISED },
  params: { device_id: field.id(NOT_FOUND) },
  async run({ caller, params }) {
    const device = await deviceForCaller(caller, Number(params.device_id), NOT_FOUND);
    const user = await getUser(device.userId);
    if (!user) throw new MorError('User was not found');
    const userName = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username;
    return { page: { user: userName, device: `${device.deviceType}/${device.name}`, callflow: callflowRows(device) } };
  },
});
