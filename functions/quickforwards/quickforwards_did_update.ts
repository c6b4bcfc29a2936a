import { QF_DID_NOT_FOUND, QUICKFORWARD_ACCESS, saveQuickforward, usableDid } from '../../lib/domain/quickforwards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** A forward number: digits, or empty (no forward). */
const FORWARD_NUMBER = /^[0-9]*$/;

export const handler = defineMethod({
  method: 'quickforwards_did_update',
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  access: QUICKFORWARD_ACCESS,
  params: { did: field.optional(), forward_to: field.optional(), description: field.optional() },
  async run({ caller, ownerSettings, params }) {
    const did = await usableDid(caller, ownerSettings, params.did);
    if (!did) throw new MorError(QF_DID_NOT_FOUND);
    const forwardTo = params.forward_to ?? '';
    if (!FORWARD_NUMBER.test(forwardTo)) throw new MorError('Invalid Quickforward number');
    const saved = await saveQuickforward({ userId: caller.id, did: did.did, forwardTo, description: params.description ?? '' });
    return { page: { new_quickforward_did: { did: saved.did, forward_to: saved.forwardTo, description: saved.description } } };
  },
});
