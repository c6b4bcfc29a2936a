import { GROUP_PARAMS, UPDATE_WORDING, applyGroupParams, writeGroup, type GroupParams } from '../../lib/domain/cards-groups.js';
import { cardAccess, getOwnedGroup } from '../../lib/domain/cards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'cc_group_update',
  errorEnvelope: 'page-status',
  unknownCaller: 'Bad login',
  access: cardAccess(2),
  params: {
    cc_group_id: field.optional(),
    // The seed page spells the id `cc_Group_id`; both spellings are accepted.
    cc_Group_id: field.optional(),
    ...Object.fromEntries(GROUP_PARAMS.map((name) => [name, field.optional()])),
  },
  async run({ caller, params }) {
    const id = params.cc_group_id ?? params.cc_Group_id ?? '';
    if (!/^\d+$/.test(id)) throw new MorError('Wrong Card Group ID');
    const previous = await getOwnedGroup(caller, id);
    if (!previous) throw new MorError('Card Group not found');
    const group = await applyGroupParams({ ...previous }, params as GroupParams, caller, UPDATE_WORDING, false);
    await writeGroup(group, previous);
    return { page: { status: { success: 'Card Group was successfully updated' } } };
  },
});
