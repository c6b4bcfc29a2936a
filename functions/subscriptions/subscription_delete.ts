import { getService } from '../../lib/domain/services.js';
import {
  disableSubscription, findManagedSubscription, refundableMicros, removeSubscription,
} from '../../lib/domain/subscriptions.js';
import { getUser } from '../../lib/domain/users.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const SUCCESS = {
  deleted: ['Subscription deleted', 'Subscription_deleted'],
  disabled: ['Subscription disabled', 'Subscription_disabled'],
  whole: ['Subscription deleted and money returned', 'Subscription_deleted_and_return_money_whole'],
  month: ['Subscription deleted and money returned', 'Subscription_deleted_and_return_money_month'],
} as const;

export const handler = defineMethod({
  method: 'subscription_delete',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: 'manage_subscriptions_opt_1', level: 2 } },
  params: { subscription_id: field.optional(), subscription_delete_action: field.optional() },
  async run({ caller, params }) {
    if (!params.subscription_id) throw new MorError('Subscription was not selected');
    if (!params.subscription_delete_action) throw new MorError('Subscription delete action was not selected');
    const subscription = await findManagedSubscription(caller, params.subscription_id);
    const service = await getService(subscription.serviceId);
    if (!service) throw new MorError('Subscription\' Service was not found, please contact Administrator');
    const allowed = service.type === 'one_time_fee' ? ['1', '2'] : ['1', '2', '3'];
    const action = params.subscription_delete_action;
    if (!allowed.includes(action)) throw new MorError('Subscription delete action was not found');

    const user = await getUser(subscription.userId);
    const now = Math.floor(Date.now() / 1000);
    let outcome: keyof typeof SUCCESS;
    if (action === '1') outcome = 'deleted';
    else if (action === '3' || service.type === 'one_time_fee') outcome = 'whole';
    else outcome = user?.postpaid ? 'disabled' : 'month';

    if (outcome === 'disabled') await disableSubscription(subscription);
    else {
      const refund = outcome === 'deleted' ? 0n : await refundableMicros(subscription.id, outcome, now);
      await removeSubscription(subscription, user, refund);
    }
    const [text, logAction] = SUCCESS[outcome];
    await recordAction({ userId: caller.id, action: logAction, target: 'Subscription', targetId: subscription.id, data: String(subscription.userId), data2: String(service.id) });
    return { page: { status: { success: text } } };
  },
});
