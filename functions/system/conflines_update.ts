import { conflineParams, referenceErrors, settingNameOf } from '../../lib/domain/conflines.js';
import { ADMIN_ID, updateSettings } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';

/** System settings over the API; admin only, signed with the admin's key (no parameter is hashed). */
export const handler = defineMethod({
  method: 'conflines_update',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: conflineParams,
  async run({ params }) {
    const sent = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const problem = await referenceErrors(sent);
    if (problem) throw new MorError(problem);
    await updateSettings(ADMIN_ID, Object.fromEntries(Object.entries(sent).map(([k, v]) => [settingNameOf(k), v])));
    return { page: { status: { success: 'Settings were updated' } } };
  },
});
