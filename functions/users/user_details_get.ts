import { detailsTarget, prefetchTargetUser, userDetailsDocument } from '../../lib/domain/user-details.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'user_details_get',
  aliases: ['user_details'],
  errorEnvelope: 'bare',
  access: { admin: true, reseller: true, partner: true, accountant: true, user: true },
  params: { user_id: field.optional(), username: field.optional() },
  // The target named by user_id is read in the same round trip as the caller.
  prefetch: prefetchTargetUser,
  async run({ caller, params, prefetched, adminSettings }) {
    const target = await detailsTarget(caller, params, prefetched);
    if (!target) throw new MorError('User was not found');
    return userDetailsDocument(caller, target, adminSettings);
  },
});
