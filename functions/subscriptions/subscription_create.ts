import { findOwnedService } from '../../lib/domain/services.js';
import {
  SUBSCRIPTION_ERR, createSubscription, managesSubscriberOf, readTerms, termParamShape,
} from '../../lib/domain/subscriptions.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { getUser } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const UNSUBSCRIBABLE = new Set(['partner', 'accountant', 'admin']);

export const handler = defineMethod({
  method: 'subscription_create',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: 'manage_subscriptions_opt_1', level: 2 } },
  params: {
    user_id: field.optional(),
    service_id: field.optional(),
    ignore_balance: field.optional(),
    subscription_charge_for_past: field.optional(),
    ...termParamShape(),
  },
  async run({ caller, params, adminSettings }) {
    const service = await findOwnedService(caller, params.service_id);
    if (!params.user_id) throw new MorError('User was not selected');
    const user = /^[0-9]{1,15}$/.test(params.user_id) ? await getUser(Number(params.user_id)) : undefined;
    if (!user || user.deleted || !managesSubscriberOf(caller, user.ownerId)) throw new MorError('User was not found');
    if (UNSUBSCRIBABLE.has(user.usertype)) throw new MorError(SUBSCRIPTION_ERR.cannotSubscribe);
    const now = Math.floor(Date.now() / 1000);
    const terms = readTerms(params, {
      activationStart: now, activationEnd: null, untilCanceled: false, memo: '', discountPercent: 0,
      startPeriodDay: 1, startPeriodMonth: 1, chargeBalanceOn: 1, noExpiration: false,
    }, service);
    const subscription = await createSubscription(
      { ...terms, userId: user.id, ownerId: user.ownerId, serviceId: service.id, chargeForPast: params.subscription_charge_for_past === '1' },
      service,
      user,
      { now, ignoreBalance: params.ignore_balance === '1', adminSettings },
    );
    await recordAction({
      userId: caller.id, action: 'Subscription_added', target: 'Subscription', targetId: subscription.id, data: String(user.id), data2: String(service.id),
    });
    return { page: { status: { success: 'Subscription was successfully created' } } };
  },
});
