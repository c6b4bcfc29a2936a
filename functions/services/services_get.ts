import { applyPaging, pagingOf, readLimitFor } from '../../lib/domain/paging.js';
import { listServices, serviceOwnerOf } from '../../lib/domain/services.js';
import { formatMicrosShort } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_AUTHORIZED = 'You are not authorized to manage Services';

export const handler = defineMethod({
  method: 'services_get',
  errorEnvelope: 'page',
  unknownCaller: NOT_AUTHORIZED,
  access: {
    admin: true,
    reseller: true,
    accountant: { permission: 'services_manage', level: 1 },
    denied: NOT_AUTHORIZED,
    notAuthorized: NOT_AUTHORIZED,
  },
  params: { from: field.optional(), max_results: field.optional() },
  async run({ caller, params }) {
    const paging = pagingOf(params);
    const services = applyPaging(await listServices(serviceOwnerOf(caller), readLimitFor(paging)), paging);
    if (services.length === 0) throw new MorError('No Services found');
    return {
      page: {
        services: {
          service: services.map((service) => ({
            id: service.id,
            name: service.name,
            memo: service.memo,
            type: service.type,
            period: service.type === 'periodic_fee' ? service.period : '',
            price: formatMicrosShort(service.priceMicros),
            self_cost: formatMicrosShort(service.selfCostMicros),
            currency: service.currency,
            quantity: service.type === 'one_time_fee' ? '' : service.quantity,
            continue_call: service.continueCall,
          })),
        },
      },
    };
  },
});
