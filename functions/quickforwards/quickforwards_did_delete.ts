import { deleteQuickforward, QF_DID_NOT_FOUND, QUICKFORWARD_ACCESS, usableDid } from '../../lib/domain/quickforwards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'quickforwards_did_delete',
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  access: QUICKFORWARD_ACCESS,
  params: { did: field.optional() },
  async run({ caller, ownerSettings, params }) {
    const did = await usableDid(caller, ownerSettings, params.did);
    if (!did) throw new MorError(QF_DID_NOT_FOUND);
    if (!(await deleteQuickforward(caller.id, did.did))) throw new MorError('No Quickforward is assigned to specified DID');
    return { page: { status: 'Quickforward successfully deleted' } };
  },
});
