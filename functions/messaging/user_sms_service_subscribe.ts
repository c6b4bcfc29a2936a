import { getSmsLcr, getSmsSubscription, getSmsTariff, smsAddonOn, subscribeToSms } from '../../lib/domain/messaging.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR, MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** A user or reseller the caller may subscribe: the admin any, a reseller only its own users. */
async function subscriber(caller: UserRecord, idText: string | undefined): Promise<UserRecord> {
  const target = idText && /^\d+$/.test(idText) ? await getUser(Number(idText)) : undefined;
  const allowed =
    target && !target.deleted && (target.usertype === 'user' || target.usertype === 'reseller') &&
    (caller.usertype === 'admin' || target.ownerId === caller.id);
  if (!allowed) throw new MorError('User was not found');
  return target;
}

/** The LCR the user's SMS go through: the admin names one; a reseller's users use the reseller's own. */
async function smsLcrId(caller: UserRecord, lcrIdText: string | undefined): Promise<number> {
  if (caller.usertype === 'reseller') return (await getSmsSubscription(caller.id))!.smsLcrId;
  const lcr = await getSmsLcr(lcrIdText);
  if (!lcr || lcr.ownerId !== 0) throw new MorError('SMS LCR was not found');
  return lcr.id;
}

export const handler = defineMethod({
  method: 'user_sms_service_subscribe',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: { permission: 'sms_addon', level: 2 } },
  params: { user_id: field.optional(), sms_tariff_id: field.optional(), sms_lcr_id: field.optional() },
  async run({ caller, params, adminSettings }) {
    if (!smsAddonOn(adminSettings)) throw new MorError(ERR.accessDenied, 'status');
    if (caller.usertype === 'reseller' && !(await getSmsSubscription(caller.id))) throw new MorError(ERR.notAuthorized);
    const user = await subscriber(caller, params.user_id);
    const tariff = await getSmsTariff(params.sms_tariff_id);
    if (!tariff || tariff.tariffType !== 'user' || tariff.ownerId !== user.ownerId) throw new MorError('SMS Tariff was not found');
    const lcrId = await smsLcrId(caller, params.sms_lcr_id);
    if (user.ownerId !== 0 && !(await getSmsSubscription(user.ownerId))) throw new MorError('Reseller does not have SMS Subscription');
    const subscribed = await subscribeToSms({ userId: user.id, smsTariffId: tariff.id, smsLcrId: lcrId, subscribedAt: new Date().toISOString() });
    if (!subscribed) throw new MorError('User is already subscribed to SMS service');
    return { page: { status: { success: 'User successfully subscribed to SMS service' } } };
  },
});
