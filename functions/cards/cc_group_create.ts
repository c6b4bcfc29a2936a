import { CREATE_WORDING, GROUP_PARAMS, applyGroupParams, insertGroup, newGroup, type GroupParams } from '../../lib/domain/cards-groups.js';
import { cardAccess, systemCurrency } from '../../lib/domain/cards.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'cc_group_create',
  errorEnvelope: 'page-status',
  access: cardAccess(2),
  params: Object.fromEntries(GROUP_PARAMS.map((name) => [name, field.optional()])),
  async run({ caller, params, adminSettings }) {
    const values = params as GroupParams;
    if (!values.name?.trim()) throw new MorError('Card Group must have name');
    const group = await applyGroupParams(newGroup(caller, systemCurrency(adminSettings)), values, caller, CREATE_WORDING, true);
    await insertGroup(group);
    await recordAction({ userId: caller.id, action: 'calling_card_group_created', target: 'CardGroup', targetId: group.id });
    return { page: { status: { success: 'Card Group was successfully created' } } };
  },
});
