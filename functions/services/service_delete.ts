import { deleteService, findOwnedService } from '../../lib/domain/services.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'service_delete',
  errorEnvelope: 'page-status',
  access: {
    admin: true,
    reseller: true,
    accountant: { permission: 'services_manage', level: 2 },
    notAuthorized: 'You are not authorized to manage Services',
  },
  params: { service_id: field.optional() },
  async run({ caller, params }) {
    // MOR answers a missing id like an unknown one here.
    const service = await findOwnedService(caller, params.service_id || '-');
    await deleteService(service.id);
    return { page: { status: { success: 'Service was successfully deleted' } } };
  },
});
