import { createAccGroup, GroupNameTakenError, RESELLER_RIGHTS } from '../../lib/domain/reseller-groups.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'reseller_group_create',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: {
    name: field.required('Reseller Group Name must be specified'),
    rg_description: field.optional(),
    ...Object.fromEntries(RESELLER_RIGHTS.map((right) => [right, field.optional()])),
  },
  async run({ params, raw }) {
    const rights = Object.fromEntries(RESELLER_RIGHTS.map((right) => [right, raw[right] === '1' ? 2 : 0] as const));
    try {
      await createAccGroup({ name: params.name, groupType: 'reseller', description: params.rg_description ?? '', rights });
    } catch (error) {
      if (error instanceof GroupNameTakenError) throw new MorError('Name has already been taken');
      throw error;
    }
    return { page: { status: { success: 'Reseller Group successfully created' } } };
  },
});
