import {
  SERVICE_ERR, findOwnedService, isFlatRate, parsePeriod, parsePrice, parseQuantity, parseServiceType, updateService,
  type ServiceChanges,
} from '../../lib/domain/services.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'service_update',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: 'services_manage', level: 2 } },
  params: {
    service_id: field.optional(),
    service_name: field.optional(),
    service_type: field.optional(),
    service_sell_price: field.optional(),
    service_self_cost: field.optional(),
    service_period: field.optional(),
    service_minutes_per_month: field.optional(),
  },
  async run({ caller, params }) {
    const service = await findOwnedService(caller, params.service_id);
    // Blank values leave a field unchanged.
    const changes: ServiceChanges = {};
    if (params.service_type) changes.type = parseServiceType(params.service_type);
    const type = changes.type ?? service.type;
    if (params.service_minutes_per_month && isFlatRate(type)) changes.quantity = parseQuantity(params.service_minutes_per_month);
    else if (changes.type && !isFlatRate(type)) changes.quantity = 1;
    if (params.service_name) changes.name = params.service_name;
    if (params.service_sell_price) changes.priceMicros = parsePrice(params.service_sell_price, SERVICE_ERR.priceNotNumeric);
    if (params.service_self_cost) changes.selfCostMicros = parsePrice(params.service_self_cost, SERVICE_ERR.selfCostNotNumeric);
    if (type === 'periodic_fee' && params.service_period) changes.period = parsePeriod(params.service_period);
    else if (type !== 'periodic_fee' && changes.type) changes.period = 'month';
    await updateService(service.id, changes);
    return { page: { status: { success: 'Service successfully updated' } } };
  },
});
