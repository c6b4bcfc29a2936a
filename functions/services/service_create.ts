import { getUser } from '../../lib/domain/users.js';
import {
  SERVICE_ERR, createService, isFlatRate, parsePeriod, parsePrice, parseQuantity, parseServiceType, serviceOwnerOf,
} from '../../lib/domain/services.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';
import type { UserRecord } from '../../lib/domain/users.js';

/** `new_owner_id` (admin only): the admin itself or one of the admin's resellers. */
async function ownerFor(caller: UserRecord, newOwnerId: string | undefined): Promise<number> {
  if (caller.usertype !== 'admin' || newOwnerId === undefined || newOwnerId === '') return serviceOwnerOf(caller);
  const owner = /^[0-9]{1,15}$/.test(newOwnerId) ? await getUser(Number(newOwnerId)) : undefined;
  if (owner?.usertype === 'admin') return owner.id;
  if (owner?.usertype === 'reseller' && owner.ownerId === 0 && !owner.deleted) return owner.id;
  throw new MorError(SERVICE_ERR.resellerNotFound);
}

export const handler = defineMethod({
  method: 'service_create',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: 'services_manage', level: 2 } },
  params: {
    new_service_name: field.optional(),
    service_name: field.optional(),
    new_service_type: field.optional(),
    service_type: field.optional(),
    service_sell_price: field.optional(),
    service_self_cost: field.optional(),
    service_period: field.optional(),
    service_minutes_per_month: field.optional(),
    new_owner_id: field.optional(),
  },
  async run({ caller, params }) {
    const type = parseServiceType(params.new_service_type || params.service_type);
    const quantity = isFlatRate(type) ? parseQuantity(params.service_minutes_per_month) : 1;
    const name = params.new_service_name || params.service_name;
    if (!name) throw new MorError(SERVICE_ERR.noName);
    const priceMicros = params.service_sell_price ? parsePrice(params.service_sell_price, SERVICE_ERR.priceNotNumeric) : 0;
    const selfCostMicros = params.service_self_cost ? parsePrice(params.service_self_cost, SERVICE_ERR.selfCostNotNumeric) : 0;
    const ownerId = await ownerFor(caller, params.new_owner_id);
    const service = await createService({
      name,
      type,
      period: type === 'periodic_fee' ? parsePeriod(params.service_period) : 'month',
      priceMicros,
      selfCostMicros,
      currency: caller.currency || 'USD',
      quantity,
      ownerId,
    });
    return { page: { status: { success: 'Service successfully created', service: { id: service.id } } } };
  },
});
