import { DEVICE_MANAGE } from '../../lib/domain/devices.js';
import { assertTransition, didForCaller, saveDid, withStatus, type DidRecord, type DidStatus } from '../../lib/domain/dids.js';
import { getSettings } from '../../lib/domain/settings.js';
import { getUser } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const COUNT = /^[0-9]{1,9}$/;

export const handler = defineMethod({
  method: 'did_details_update',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 }, notAuthorized: 'Access Denied' },
  params: {
    did_id: field.id('DID was not found'),
    call_limit: field.optionalMatching(COUNT, 'Call limit is incorrect format'),
    timeout: field.optionalMatching(COUNT, 'Max call duration is incorrect format'),
    grace_time: field.optionalMatching(COUNT, 'Grace time is incorrect format'),
    language: field.optional(),
    tone_zone: field.optional(),
    callerid_name_prefix: field.optional(),
    comment: field.optional(),
    reseller_comment: field.optional(),
    reseller_id: field.optionalId('Reseller was not found'),
    user_id: field.optionalId('User was not found'),
    status: field.optionalOneOf(['free', 'reserved', 'terminated'], 'Status can only be free, reserved or terminated'),
  },
  async run({ caller, params }) {
    const before = await didForCaller(caller, Number(params.did_id));
    const settings = await getSettings(0);
    let after: DidRecord = { ...before, updatedAt: new Date().toISOString() };
    if (params.call_limit !== undefined) after.callLimit = Number(params.call_limit);
    if (params.timeout !== undefined) after.timeout = Number(params.timeout);
    if (params.grace_time !== undefined) after.graceTime = Number(params.grace_time);
    if (params.language !== undefined) after.language = params.language;
    if (params.tone_zone !== undefined) after.toneZone = params.tone_zone;
    if (params.callerid_name_prefix !== undefined) after.callerIdNamePrefix = params.callerid_name_prefix;
    if (params.comment !== undefined && caller.usertype !== 'reseller') after.comment = params.comment;
    if (params.reseller_comment !== undefined) after.resellerComment = params.reseller_comment;

    if (params.reseller_id !== undefined) {
      // Handing a DID to a reseller (or back, with 0): only the admin, only while nobody uses it.
      const resellerId = Number(params.reseller_id);
      const reseller = resellerId ? await getUser(resellerId) : undefined;
      if (caller.usertype === 'reseller' || (resellerId && reseller?.usertype !== 'reseller')) throw new MorError('Reseller was not found');
      if (before.status !== 'free' || before.userId) throw new MorError('DID must be free to change its reseller');
      after.resellerId = resellerId;
    }
    if (params.user_id !== undefined) {
      const user = await getUser(Number(params.user_id));
      if (!user || user.ownerId !== after.resellerId || user.usertype !== 'user') throw new MorError('User was not found');
      assertTransition(before, 'reserved');
      after = { ...withStatus(after, 'reserved', settings), userId: user.id };
    } else if (params.status) {
      if (params.status === 'reserved') throw new MorError('User was not found');
      assertTransition(before, params.status as DidStatus);
      after = withStatus(after, params.status as DidStatus, settings);
    }
    const changed = Object.keys(params).filter((k) => k !== 'did_id' && params[k as keyof typeof params] !== undefined);
    await saveDid(caller.id, 'did_details_update', before, after, changed.map((k) => `${k}=${params[k as keyof typeof params]}`).join('&'));
    return { page: { status: { success: 'DID details successfully updated' } } };
  },
});
