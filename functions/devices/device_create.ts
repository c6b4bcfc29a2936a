import { DEVICE_MANAGE, DeviceNotCreatedError, createUserDevice, userForCaller } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

const USER_NOT_FOUND = 'User was not found';

export const handler = defineMethod({
  method: 'device_create',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 } },
  params: {
    user_id: field.id(USER_NOT_FOUND),
    description: field.optional(),
    pin: field.optional(),
    type: field.optional(),
    devicegroup_id: field.optional(),
    caller_id: field.optional(),
  },
  async run({ caller, params }) {
    const user = await userForCaller(caller, Number(params.user_id), USER_NOT_FOUND);
    const device = await createUserDevice(user, {
      deviceType: params.type,
      pin: params.pin,
      description: params.description,
      devicegroupId: params.devicegroup_id,
      callerId: params.caller_id,
    }).catch((error: unknown) => {
      if (error instanceof DeviceNotCreatedError) return error;
      throw error;
    });
    if (device instanceof DeviceNotCreatedError) return { page: { error: 'Device was not created', message: device.message } };
    return { page: { status: 'Device created', id: device.id, username: device.username, password: device.secret } };
  },
});
