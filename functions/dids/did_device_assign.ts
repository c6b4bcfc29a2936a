import { getDevice } from '../../lib/domain/devices.js';
import {
  assertMayChangeDidAssignment, DID_DEVICE_ACCESS, didByNumberForCaller, didOwnerOf, saveDid, withStatus,
} from '../../lib/domain/dids.js';
import { getSettings } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const DEVICE_NOT_FOUND = 'Device was not found';

export const handler = defineMethod({
  method: 'did_device_assign',
  aliases: ['did_assign_device'],
  errorEnvelope: 'page-status',
  access: DID_DEVICE_ACCESS,
  params: { device_id: field.optional(), did: field.optional() },
  async run({ caller, params }) {
    // MOR's order: device exists → device owner → permissions → DID → DID owner → terminated → free/reserved → save.
    const device = /^[0-9]+$/.test(params.device_id ?? '') ? await getDevice(Number(params.device_id)) : undefined;
    if (!device) throw new MorError(DEVICE_NOT_FOUND);
    if (device.ownerId !== didOwnerOf(caller)) throw new MorError('Your are not authorized to use this Device');
    assertMayChangeDidAssignment(caller);
    const before = await didByNumberForCaller(caller, params.did, 'Your are not authorized to use this DID');
    if (before.status === 'terminated') throw new MorError('DID is terminated');
    const reservedForDeviceUser = (before.status === 'reserved' || before.status === 'closed') && before.userId === device.userId;
    if (!(before.status === 'free' || reservedForDeviceUser) || before.dialplanId) throw new MorError('DID is not free');
    const after = { ...withStatus(before, 'active', await getSettings(0)), userId: device.userId, deviceId: device.id };
    await saveDid(caller.id, 'did_device_assign', before, after, `device_id=${device.id}`);
    return { page: { status: { success: 'Device assigned to DID' } } };
  },
});
