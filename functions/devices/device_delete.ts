import { deleteCliItems, queryClis } from '../../lib/domain/clis.js';
import { DEVICE_MANAGE, deleteDeviceItems, deleteRefusal, deviceForCaller } from '../../lib/domain/devices.js';
import { queryDids } from '../../lib/domain/dids.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { settingOn } from '../../lib/domain/settings.js';
import { db } from '../../lib/db/client.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'Device was not found';

export const handler = defineMethod({
  method: 'device_delete',
  aliases: ['device_destroy', 'delete_device'],
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 } },
  params: { device: field.id(NOT_FOUND) },
  async run({ caller, params, adminSettings }) {
    if (!settingOn(adminSettings, 'API_Allow_registration_ower_API')) throw new MorError('Registration over API is disabled');
    const device = await deviceForCaller(caller, Number(params.device), NOT_FOUND);
    const refusal = deleteRefusal(device);
    if (refusal) throw new MorError(refusal);
    const dids = await queryDids({ userId: device.userId }, { accept: (did) => did.deviceId === device.id && did.status === 'active' });
    if (dids.length > 0) throw new MorError('Device has DIDs assigned - unassign them first');
    const clis = await queryClis({ deviceId: device.id });
    await db.send(new TransactWriteCommand({ TransactItems: [...deleteDeviceItems(device), ...deleteCliItems(clis)] as never }));
    await recordAction({ userId: caller.id, action: 'device_deleted', target: 'device', targetId: device.id, data: device.name });
    return { page: { status: 'Device was deleted' } };
  },
});
