import { assertTransition, didForCaller, MANAGE_DIDS, saveDid, withStatus } from '../../lib/domain/dids.js';
import { getSettings } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'DID was not found';

export const handler = defineMethod({
  method: 'did_subscription_stop',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: MANAGE_DIDS, level: 2 } },
  // MOR reads `dids_id` (and hashes it); the wiki names it `did_id`: both are accepted, dids_id first.
  params: { dids_id: field.optionalId(NOT_FOUND), did_id: field.optionalId(NOT_FOUND) },
  async run({ caller, params }) {
    const id = params.dids_id ?? params.did_id;
    if (id === undefined) throw new MorError(NOT_FOUND);
    const before = await didForCaller(caller, Number(id));
    const closable = (before.status === 'active' && !before.dialplanId) || before.status === 'closed';
    if (!closable) throw new MorError('DID is not assigned to Device');
    assertTransition(before, 'closed');
    // Closing again restarts the closed period.
    const after = withStatus(before, 'closed', await getSettings(0));
    await saveDid(caller.id, 'did_subscription_stop', before, after);
    return { page: { status: { success: 'DID was successfully closed' } } };
  },
});
