import { QUICKFORWARD_ACCESS, quickforwardDidsOf } from '../../lib/domain/quickforwards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';

export const handler = defineMethod({
  method: 'quickforwards_dids_get',
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  access: QUICKFORWARD_ACCESS,
  params: {},
  async run({ caller, ownerSettings }) {
    const dids = await quickforwardDidsOf(caller, ownerSettings);
    if (dids.length === 0) throw new MorError('Quickforwards list is empty');
    // MOR lists the elements straight under <page>, without a wrapper.
    return {
      page: {
        quick_forward_did: dids.map((did) => ({ did: did.did, forward_to: did.forwardTo, description: did.description })),
      },
    };
  },
});
