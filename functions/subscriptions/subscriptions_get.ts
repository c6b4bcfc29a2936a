import { applyPaging, pagingOf } from '../../lib/domain/paging.js';
import { getServices } from '../../lib/domain/services.js';
import {
  listSubscriptions, managesSubscriberOf, type SubscriptionList, type SubscriptionRecord,
} from '../../lib/domain/subscriptions.js';
import { usersById, type UserRecord } from '../../lib/domain/users.js';
import { formatMicrosShort } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_AUTHORIZED = 'You are not authorized to manage Subscriptions';
const NONE = 'No Subscriptions found';

/** MOR's time format in listings: `2011-06-04 06:01:04 +0000` (UTC). */
const morTime = (seconds: number | null) =>
  seconds === null ? '' : `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000`;

/** Days left until the activation end (empty while until canceled). */
const timeLeft = (subscription: SubscriptionRecord, now: number) =>
  subscription.activationEnd === null ? '' : Math.max(0, Math.ceil((subscription.activationEnd - now) / 86_400));

const niceUser = (user: UserRecord | undefined) =>
  !user ? '' : `${user.firstName ?? ''} ${user.lastName ?? ''}`.trim() || user.username;

function listFor(caller: UserRecord, userId: number | undefined): SubscriptionList {
  if (userId !== undefined) return { userId };
  return caller.usertype === 'reseller' ? { ownerId: caller.id } : 'all';
}

const digitsOrUndefined = (text: string | undefined) => (text && /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined);

export const handler = defineMethod({
  method: 'subscriptions_get',
  errorEnvelope: 'page-status',
  unknownCaller: NOT_AUTHORIZED,
  access: {
    admin: true,
    reseller: true,
    accountant: { permission: 'manage_subscriptions_opt_1', level: 1 },
    denied: NOT_AUTHORIZED,
    notAuthorized: NOT_AUTHORIZED,
  },
  params: {
    service_id: field.optional(),
    subscription_activation_start: field.optional(),
    subscription_activation_end: field.optional(),
    subscription_memo: field.optional(),
    subscription_until_canceled: field.optional(),
    user_id: field.optional(),
    from: field.optional(),
    max_results: field.optional(),
  },
  async run({ caller, params }) {
    const userId = params.user_id ? digitsOrUndefined(params.user_id) ?? -1 : undefined;
    const serviceId = params.service_id ? digitsOrUndefined(params.service_id) ?? -1 : undefined;
    const from = digitsOrUndefined(params.subscription_activation_start);
    const till = digitsOrUndefined(params.subscription_activation_end);
    const untilCanceled = params.subscription_until_canceled;
    const found = (userId === -1 ? [] : await listSubscriptions(listFor(caller, userId)))
      .filter((s) => managesSubscriberOf(caller, s.ownerId))
      .filter((s) => serviceId === undefined || s.serviceId === serviceId)
      .filter((s) => from === undefined || s.activationStart >= from)
      .filter((s) => till === undefined || (s.activationEnd !== null && s.activationEnd <= till))
      .filter((s) => !params.subscription_memo || s.memo === params.subscription_memo)
      .filter((s) => (untilCanceled !== '1' && untilCanceled !== '0') || s.untilCanceled === (untilCanceled === '1'))
      .sort((a, b) => a.id - b.id);
    const page = applyPaging(found, pagingOf(params));
    if (page.length === 0) throw new MorError(NONE);
    const [services, users] = await Promise.all([getServices(page.map((s) => s.serviceId)), usersById(page.map((s) => s.userId))]);
    const now = Math.floor(Date.now() / 1000);
    return {
      page: {
        status: {
          subscriptions: {
            subscription: page.map((s) => {
              const service = services.get(s.serviceId);
              return {
                id: s.id,
                user: niceUser(users.get(s.userId)),
                device: '',
                service: service?.name ?? '',
                from: morTime(s.activationStart),
                till: morTime(s.activationEnd),
                time_left: timeLeft(s, now),
                memo: s.memo,
                type: service?.type ?? '',
                price: service ? formatMicrosShort(service.priceMicros) : '',
                user_id: s.userId,
              };
            }),
          },
        },
      },
    };
  },
});
