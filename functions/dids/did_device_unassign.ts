import { assertMayChangeDidAssignment, DID_DEVICE_ACCESS, didByNumberForCaller, saveDid, withStatus } from '../../lib/domain/dids.js';
import { getSettings } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'did_device_unassign',
  aliases: ['did_unassign_device'],
  errorEnvelope: 'page-status',
  access: DID_DEVICE_ACCESS,
  params: { did: field.optional() },
  async run({ caller, params }) {
    assertMayChangeDidAssignment(caller);
    const before = await didByNumberForCaller(caller, params.did, 'Your are not authorized to use this DID');
    if (before.status === 'terminated') throw new MorError('DID is terminated');
    if (before.status !== 'active') throw new MorError('DID is already free');
    if (before.dialplanId) throw new MorError('DID is assigned to dialplan');
    const after = withStatus(before, 'free', await getSettings(0));
    await saveDid(caller.id, 'did_device_unassign', before, after, `device_id=${before.deviceId}`);
    return { page: { status: { success: 'Device was unassigned from DID' } } };
  },
});
