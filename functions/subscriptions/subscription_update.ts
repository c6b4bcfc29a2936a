import { getService } from '../../lib/domain/services.js';
import { findManagedSubscription, readTerms, replaceSubscription, termParamShape } from '../../lib/domain/subscriptions.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'subscription_update',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: 'manage_subscriptions_opt_1', level: 2 } },
  params: { subscription_id: field.optional(), ...termParamShape() },
  async run({ caller, params }) {
    // MOR answers a missing id like an unknown one here.
    const subscription = await findManagedSubscription(caller, params.subscription_id || '-');
    const service = await getService(subscription.serviceId);
    if (!service) throw new MorError('Subscription\' Service was not found, please contact Administrator');
    const terms = readTerms(params, subscription, service);
    if (service.type === 'dynamic_flat_rate') {
      // MOR keeps the window and the expiration flag of dynamic flat rates.
      Object.assign(terms, {
        activationStart: subscription.activationStart, activationEnd: subscription.activationEnd,
        untilCanceled: subscription.untilCanceled, noExpiration: subscription.noExpiration,
      });
    }
    await replaceSubscription({ ...subscription, ...terms }, service, Math.floor(Date.now() / 1000));
    return { page: { status: { success: 'Subscription was successfully updated' } } };
  },
});
