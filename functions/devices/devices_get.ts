import { applyPaging, pagingOf, readLimitFor } from '../../lib/domain/paging.js';
import { DEVICE_MANAGE, deviceCallerId, deviceSettingsFor, devicesOfUser, userForCaller, visibleCredentials } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const USER_NOT_FOUND = 'User not found';

export const handler = defineMethod({
  method: 'devices_get',
  aliases: ['device_list'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, user: true, accountant: { permission: DEVICE_MANAGE, level: 1 } },
  params: {
    user_id: field.required('user_id is empty'),
    show_hidden_devices: field.optional(),
    from: field.optional(),
    max_results: field.optional(),
  },
  async run({ caller, params }) {
    if (!/^[0-9]+$/.test(params.user_id)) throw new MorError(USER_NOT_FOUND);
    const user = await userForCaller(caller, Number(params.user_id), USER_NOT_FOUND);
    const showHidden = params.show_hidden_devices !== '0';
    const paging = pagingOf(params);
    const all = await devicesOfUser(user.id, showHidden ? readLimitFor(paging) : undefined);
    const shown = showHidden ? all : all.filter((device) => !device.hidden && !user.blocked);
    const settings = await deviceSettingsFor(user.ownerId);
    return {
      page: {
        devices: {
          device: applyPaging(shown, paging).map((device) => {
            const { username, secret } = visibleCredentials(caller, device, settings);
            return {
              device_id: device.id,
              device_type: device.deviceType,
              devicegroup_id: device.devicegroupId ?? '',
              primary_device: device.primary ? 'yes' : 'no',
              username,
              secret,
              ipaddr: device.ipaddr,
              port: device.port,
              callerid: deviceCallerId(device),
              location_id: device.locationId,
              nat: String(device.nat ?? 'yes'),
            };
          }),
        },
      },
    };
  },
});
