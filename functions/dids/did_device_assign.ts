import { DEVICE_MANAGE, getDevice } from '../../lib/domain/devices.js';
import { didByNumberForCaller, didOwnerOf, MANAGE_DIDS, NOT_AUTHORIZED_DIDS, saveDid, withStatus } from '../../lib/domain/dids.js';
import { getSettings } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const DEVICE_NOT_FOUND = 'Device was not found';

export const handler = defineMethod({
  method: 'did_device_assign',
  aliases: ['did_assign_device'],
  errorEnvelope: 'page-status',
  access: {
    admin: true,
    reseller: true,
    accountant: { anyOf: [DEVICE_MANAGE, MANAGE_DIDS, 'user_manage'], level: 1 },
    notAuthorized: NOT_AUTHORIZED_DIDS,
  },
  params: { device_id: field.optional(), did: field.optional() },
  async run({ caller, params }) {
    // MOR's order: device exists → device owner → permissions → DID → DID owner → terminated → free/reserved → save.
    const device = /^[0-9]+$/.test(params.device_id ?? '') ? await getDevice(Number(params.device_id)) : undefined;
    if (!device) throw new MorError(DEVICE_NOT_FOUND);
    if (device.ownerId !== didOwnerOf(caller)) throw new MorError('Your are not authorized to use this Device');
    if (caller.usertype === 'accountant' && (caller.permissions?.[MANAGE_DIDS] ?? 0) < 2) throw new MorError(NOT_AUTHORIZED_DIDS);
    const before = await didByNumberForCaller(caller, params.did, 'Your are not authorized to use this DID');
    if (before.status === 'terminated') throw new MorError('DID is terminated');
    const reservedForDeviceUser = (before.status === 'reserved' || before.status === 'closed') && before.userId === device.userId;
    if (!(before.status === 'free' || reservedForDeviceUser) || before.dialplanId) throw new MorError('DID is not free');
    const after = { ...withStatus(before, 'active', await getSettings(0)), userId: device.userId, deviceId: device.id };
    await saveDid(caller.id, 'did_device_assign', before, after, `device_id=${device.id}`);
    return { page: { status: { success: 'Device assigned to DID' } } };
  },
});
