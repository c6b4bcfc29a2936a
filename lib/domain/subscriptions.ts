/**
 * Subscriptions (MOR "subscriptions"): a user subscribed to a service over an activation window,
 * and the periodic charging of their price.
 *
 * Keys: PK `SUBSCRIPTION#<id>` / SK `SUBSCRIPTION`; charges under the same partition, SK
 * `CHARGE#<period key>` (one per subscription and period, written with attribute_not_exists in the
 * same transaction as the balance debit, so a period can never be charged twice); refunds SK
 * `REFUND`. GSI1 `SUBSCRIPTION_USER#<userId>`, GSI2 `SUBSCRIPTION_OWNER#<user's owner id>`, GSI4
 * `SUBSCRIPTIONS` (all, admin listing), each sorted by `SUBSCRIPTION#<pad(id)>`; GSI3
 * `SUBSCRIPTION_DUE` / `<pad(due unix time)>` holds only subscriptions that still have a period to
 * charge (the scheduled charge reads it with one Query on `GSI3SK <= now`).
 *
 * Periods are UTC calendar months or days. A monthly periodic fee is prorated by the days of the month
 * inside the activation window; a flat rate is charged for full months; a one-time fee once, at the
 * activation start. `subscription_charge_balance_on`: 1 charges at the period start, 2 at its end,
 * 3 every day (a monthly price split by the days of the month).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { nextId } from '../db/counters.js';
import { MorError } from '../pipeline/errors.js';
import { field } from '../pipeline/validate.js';
import {
  BalanceFloorError, BalanceUserMissingError, CompanionItemConflictError, changeBalance, divideRounded, exchangeRateMicros,
  prepaidFloorOn, toSystemCurrency, writeWithoutBalance, type TransactItem,
} from './balance.js';
import { isFlatRate, serviceCountUpdate, type ServiceRecord } from './services.js';
import type { Settings } from './settings.js';
import type { UserRecord } from './users.js';

export interface SubscriptionRecord {
  id: number;
  userId: number;
  /** The user's owner (0 = admin, else its reseller): tenancy without reading the user. */
  ownerId: number;
  serviceId: number;
  /** Unix seconds. */
  activationStart: number;
  /** Unix seconds; null = until canceled. */
  activationEnd: number | null;
  untilCanceled: boolean;
  memo: string;
  discountPercent: number;
  startPeriodDay: number;
  startPeriodMonth: number;
  chargeBalanceOn: 1 | 2 | 3;
  noExpiration: boolean;
  chargeForPast: boolean;
  disabled: boolean;
  /** Start (unix seconds) of the first period not yet charged; null when nothing is left to charge. */
  nextPeriodStart: number | null;
  createdAt: string;
}

export interface ChargeRecord {
  subscriptionId: number;
  userId: number;
  periodKey: string;
  periodStart: number;
  periodEnd: number;
  amountMicros: number;
  at: string;
}

export const SUBSCRIPTION_ERR = {
  notSelected: 'Subscription was not selected',
  notFound: 'Subscription was not found',
  badStart: 'Subscription activation start date must be valid timestamp',
  badEnd: 'Subscription activation end date must be valid timestamp',
  startAfterEnd: 'Activation start date must be earlier than end date.',
  notFlatRate: 'Service is not flat rate',
  insufficientBalance: 'User has insufficient balance',
  cannotSubscribe: 'Service cannot be subscribed to this User',
} as const;

const ITEM_SK = 'SUBSCRIPTION';
const DUE_PARTITION = 'SUBSCRIPTION_DUE';

export const subscriptionKeys = {
  item: (id: number) => ({ PK: `SUBSCRIPTION#${id}`, SK: ITEM_SK }),
  charge: (id: number, periodKey: string) => ({ PK: `SUBSCRIPTION#${id}`, SK: `CHARGE#${periodKey}` }),
  refund: (id: number) => ({ PK: `SUBSCRIPTION#${id}`, SK: 'REFUND' }),
  byUser: (userId: number, id: number) => ({ GSI1PK: `SUBSCRIPTION_USER#${userId}`, GSI1SK: `SUBSCRIPTION#${pad(id)}` }),
  byOwner: (ownerId: number, id: number) => ({ GSI2PK: `SUBSCRIPTION_OWNER#${ownerId}`, GSI2SK: `SUBSCRIPTION#${pad(id)}` }),
  due: (dueAt: number) => ({ GSI3PK: DUE_PARTITION, GSI3SK: pad(dueAt, 12) }),
  inAll: (id: number) => ({ GSI4PK: 'SUBSCRIPTIONS', GSI4SK: `SUBSCRIPTION#${pad(id)}` }),
};

// ---- Periods ------------------------------------------------------------------------------------

export type Cycle = 'month' | 'day' | 'once';

export interface Period {
  key: string;
  start: number;
  /** Exclusive. */
  end: number;
}

const DAY = 86_400;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function cycleOf(service: Pick<ServiceRecord, 'type' | 'period'>, subscription: Pick<SubscriptionRecord, 'chargeBalanceOn'>): Cycle {
  if (service.type === 'one_time_fee') return 'once';
  if (service.type === 'periodic_fee' && service.period === 'day') return 'day';
  return subscription.chargeBalanceOn === 3 ? 'day' : 'month';
}

export function periodAt(cycle: Cycle, at: number, activationStart: number): Period {
  if (cycle === 'once') return { key: 'ONCE', start: activationStart, end: activationStart + 1 };
  const date = new Date(at * 1000);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  if (cycle === 'month') {
    return { key: iso(at).slice(0, 7), start: Date.UTC(y, m, 1) / 1000, end: Date.UTC(y, m + 1, 1) / 1000 };
  }
  const start = Date.UTC(y, m, date.getUTCDate()) / 1000;
  return { key: iso(at).slice(0, 10), start, end: start + DAY };
}

const daysInMonthOf = (at: number) => {
  const date = new Date(at * 1000);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
};

/** Calendar days of [from, to) touched by the activation window. */
function activeDays(subscription: SubscriptionRecord, from: number, to: number): number {
  const start = Math.max(from, Math.floor(subscription.activationStart / DAY) * DAY);
  const end = Math.min(to, subscription.activationEnd ?? to);
  return end > start ? Math.ceil((end - start) / DAY) : 0;
}

/** When a period is charged: at its start, or at its end when "charge balance on" is Period End. */
export const dueAt = (cycle: Cycle, period: Period, subscription: SubscriptionRecord) =>
  cycle === 'month' && subscription.chargeBalanceOn === 2 ? period.end : period.start;

/** Price of one period in the service's currency, exact to the micro (one rounding). */
export function periodPriceMicros(service: ServiceRecord, subscription: SubscriptionRecord, cycle: Cycle, period: Period): bigint {
  const price = BigInt(service.priceMicros);
  const discount = BigInt(100 - subscription.discountPercent);
  let numerator = price * discount;
  let denominator = 100n;
  if (cycle === 'month' && !isFlatRate(service.type)) {
    numerator *= BigInt(activeDays(subscription, period.start, period.end));
    denominator *= BigInt(daysInMonthOf(period.start));
  } else if (cycle === 'day' && !(service.type === 'periodic_fee' && service.period === 'day')) {
    // Every-day charging of a monthly price.
    denominator *= BigInt(daysInMonthOf(period.start));
  }
  return divideRounded(numerator, denominator);
}

/** Whether a period start lies beyond the activation window (nothing more to charge). */
const pastWindow = (subscription: SubscriptionRecord, cycle: Cycle, periodStart: number) =>
  (cycle === 'once' && periodStart > subscription.activationStart) ||
  (subscription.activationEnd !== null && periodStart >= subscription.activationEnd);

/** The first period to charge: the activation start's, or today's when past periods are not charged. */
export function firstPeriodStart(cycle: Cycle, subscription: SubscriptionRecord, now: number): number {
  if (cycle === 'once') return subscription.activationStart;
  const from = subscription.chargeForPast ? subscription.activationStart : Math.max(subscription.activationStart, now);
  return periodAt(cycle, from, subscription.activationStart).start;
}

/** Index attributes for the next charge: SET while something is left to charge, else REMOVE. */
function dueIndexUpdate(cycle: Cycle, subscription: SubscriptionRecord, nextStart: number | null) {
  if (nextStart === null || subscription.disabled || pastWindow(subscription, cycle, nextStart)) {
    return { set: { nextPeriodStart: null }, remove: ['GSI3PK', 'GSI3SK'] };
  }
  const period = periodAt(cycle, nextStart, subscription.activationStart);
  return { set: { nextPeriodStart: nextStart, ...subscriptionKeys.due(dueAt(cycle, period, subscription)) }, remove: [] as string[] };
}

// ---- Records ------------------------------------------------------------------------------------

const strip = (item: StoredItem | undefined) => item && withoutKeys<SubscriptionRecord>(item);

export function subscriptionItem(subscription: SubscriptionRecord, cycle: Cycle): Record<string, unknown> {
  const due = dueIndexUpdate(cycle, subscription, subscription.nextPeriodStart);
  return {
    ...subscriptionKeys.item(subscription.id),
    ...subscriptionKeys.byUser(subscription.userId, subscription.id),
    ...subscriptionKeys.byOwner(subscription.ownerId, subscription.id),
    ...subscriptionKeys.inAll(subscription.id),
    ...subscription,
    ...due.set,
  };
}

export async function getSubscription(id: number): Promise<SubscriptionRecord | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: subscriptionKeys.item(id), ConsistentRead: true }));
  return strip(result.Item);
}

/**
 * Whether the caller manages subscriptions of a user with this owner: the admin any user, an
 * accountant the admin's users (MOR's corrected owner 0), a reseller its own users.
 */
export function managesSubscriberOf(caller: UserRecord, ownerId: number): boolean {
  if (caller.usertype === 'admin') return true;
  if (caller.usertype === 'accountant') return ownerId === 0;
  return caller.usertype === 'reseller' && ownerId === caller.id;
}

/** A subscription whose user the caller manages, or `Subscription was not found`. */
export async function findManagedSubscription(caller: UserRecord, idText: string | undefined): Promise<SubscriptionRecord> {
  if (idText === undefined || idText === '') throw new MorError(SUBSCRIPTION_ERR.notSelected);
  const subscription = /^[0-9]{1,15}$/.test(idText) ? await getSubscription(Number(idText)) : undefined;
  if (!subscription || !managesSubscriberOf(caller, subscription.ownerId)) {
    throw new MorError(SUBSCRIPTION_ERR.notFound);
  }
  return subscription;
}

/** Which subscriptions a listing reads: one user's, an owner's users', or all. */
export type SubscriptionList = { userId: number } | { ownerId: number } | 'all';

export function listSubscriptions(list: SubscriptionList): Promise<SubscriptionRecord[]> {
  const [index, pk] =
    list === 'all'
      ? ['GSI4', 'SUBSCRIPTIONS']
      : 'userId' in list
        ? ['GSI1', subscriptionKeys.byUser(list.userId, 0).GSI1PK]
        : ['GSI2', subscriptionKeys.byOwner(list.ownerId, 0).GSI2PK];
  return queryPartition({ index, partitionKey: [`${index}PK`, pk] });
}

export const chargesOf = (subscriptionId: number) =>
  queryPartition({
    partitionKey: ['PK', subscriptionKeys.item(subscriptionId).PK],
    sortKeyBeginsWith: ['SK', 'CHARGE#'],
    consistentRead: true,
    map: (item) => item as unknown as ChargeRecord,
  });

// ---- Charging -----------------------------------------------------------------------------------

async function priceInSystemCurrency(service: ServiceRecord, micros: bigint, adminSettings: Settings): Promise<bigint> {
  const rate = await exchangeRateMicros(service.currency, adminSettings);
  return rate && rate > 0n ? toSystemCurrency(micros, rate) : micros;
}

function chargePut(subscription: SubscriptionRecord, period: Period, amount: bigint): TransactItem {
  const record: ChargeRecord = {
    subscriptionId: subscription.id,
    userId: subscription.userId,
    periodKey: period.key,
    periodStart: period.start,
    periodEnd: period.end,
    amountMicros: Number(amount),
    at: new Date().toISOString(),
  };
  return {
    Put: {
      TableName: TABLE_NAME,
      Item: { ...subscriptionKeys.charge(subscription.id, period.key), type: 'subscription_charge', ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Moves a subscription's "next period" from `expected` to `next`, only if nobody moved it meanwhile. */
function advanceUpdate(subscription: SubscriptionRecord, cycle: Cycle, expected: number, next: number | null): TransactItem {
  const due = dueIndexUpdate(cycle, subscription, next);
  const names = Object.keys(due.set);
  return {
    Update: {
      TableName: TABLE_NAME,
      Key: subscriptionKeys.item(subscription.id),
      UpdateExpression:
        'SET ' + names.map((_, i) => `#s${i} = :s${i}`).join(', ') + (due.remove.length ? ` REMOVE ${due.remove.join(', ')}` : ''),
      ConditionExpression: 'nextPeriodStart = :expected',
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
      ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:s${i}`, (due.set as Record<string, unknown>)[n]])), ':expected': expected },
    },
  };
}

export type ChargeOutcome = 'charged' | 'already-charged' | 'not-due' | 'insufficient' | 'finished' | 'conflict';

/**
 * Charges the subscription's next period if it is due at `now`: the charge record (unique per
 * period), the balance debit and the subscription's advance are one transaction.
 */
export async function chargeNextPeriod(
  subscription: SubscriptionRecord,
  service: ServiceRecord,
  user: UserRecord,
  now: number,
  options: { adminSettings: Settings; prepaidFloor?: boolean },
): Promise<ChargeOutcome> {
  const cycle = cycleOf(service, subscription);
  const start = subscription.nextPeriodStart;
  if (start === null || subscription.disabled) return 'finished';
  if (pastWindow(subscription, cycle, start)) {
    await writeWithoutBalance([advanceUpdate(subscription, cycle, start, null)]).catch(() => undefined);
    return 'finished';
  }
  const period = periodAt(cycle, start, subscription.activationStart);
  if (dueAt(cycle, period, subscription) > now) return 'not-due';
  const next = cycle === 'once' ? null : period.end;
  const amount = await priceInSystemCurrency(service, periodPriceMicros(service, subscription, cycle, period), options.adminSettings);
  const items = [chargePut(subscription, period, amount), advanceUpdate(subscription, cycle, start, next)];
  try {
    if (amount === 0n) await writeWithoutBalance(items);
    else await changeBalance({ user, deltaMicros: -amount, prepaidFloor: options.prepaidFloor ?? prepaidFloorOn(options.adminSettings), withItems: items });
    return 'charged';
  } catch (error) {
    if (error instanceof CompanionItemConflictError && error.index === 0) {
      // Another run charged this period already: only move on.
      await writeWithoutBalance([advanceUpdate(subscription, cycle, start, next)]).catch(() => undefined);
      return 'already-charged';
    }
    if (error instanceof CompanionItemConflictError) return 'conflict';
    if (error instanceof BalanceFloorError) return 'insufficient';
    if (error instanceof BalanceUserMissingError) return 'finished';
    throw error;
  }
}

/** "Do not allow PREPAID User balance drop below zero (block them instead)": the user is blocked. */
export async function blockUser(userId: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.user(userId),
      UpdateExpression: 'SET blocked = :yes',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':yes': true },
    }),
  ).catch(() => undefined);
}

/** Subscriptions with a period due at or before `now`, oldest due first. */
export const dueSubscriptions = (now: number, limit = 500) =>
  queryPartition<SubscriptionRecord>({ index: 'GSI3', partitionKey: ['GSI3PK', DUE_PARTITION], sortKeyAtMost: ['GSI3SK', pad(now, 12)], limit });

/**
 * Charges every period of one subscription that is due at `now` (bounded per run). A prepaid user who
 * cannot pay while the floor setting is on is blocked instead, and the period stays due.
 */
export async function chargeSubscription(
  subscriptionId: number,
  now: number,
  adminSettings: Settings,
  load: { service: (id: number) => Promise<ServiceRecord | undefined>; user: (id: number) => Promise<UserRecord | undefined> },
  maxPeriods = 62,
): Promise<ChargeOutcome[]> {
  const outcomes: ChargeOutcome[] = [];
  for (let i = 0; i < maxPeriods; i++) {
    const subscription = await getSubscription(subscriptionId);
    if (!subscription) break;
    const [service, user] = await Promise.all([load.service(subscription.serviceId), load.user(subscription.userId)]);
    if (!service || !user) break;
    const outcome = await chargeNextPeriod(subscription, service, user, now, { adminSettings });
    outcomes.push(outcome);
    if (outcome === 'insufficient') await blockUser(user.id);
    if (outcome !== 'charged' && outcome !== 'already-charged') break;
  }
  return outcomes;
}

// ---- Writes ---------------------------------------------------------------------------------------

export type NewSubscription = Omit<SubscriptionRecord, 'id' | 'nextPeriodStart' | 'createdAt' | 'disabled'>;

function putSubscription(subscription: SubscriptionRecord, cycle: Cycle, condition: string): TransactItem {
  return { Put: { TableName: TABLE_NAME, Item: subscriptionItem(subscription, cycle), ConditionExpression: condition } };
}

const serviceGoneError = () => new MorError('Service was not found');

/**
 * Creates a subscription (and counts it on its service) in one transaction. A prepaid user pays the
 * current period at once, in the same transaction; without `ignoreBalance` a user who cannot pay gets
 * `User has insufficient balance` and nothing is written.
 */
export async function createSubscription(
  input: NewSubscription,
  service: ServiceRecord,
  user: UserRecord,
  options: { now: number; ignoreBalance: boolean; adminSettings: Settings },
): Promise<SubscriptionRecord> {
  const draft: SubscriptionRecord = { ...input, id: await nextId('subscription'), disabled: false, nextPeriodStart: null, createdAt: new Date().toISOString() };
  const cycle = cycleOf(service, draft);
  draft.nextPeriodStart = firstPeriodStart(cycle, draft, options.now);
  const plain = [putSubscription(draft, cycle, 'attribute_not_exists(PK)'), serviceCountUpdate(service.id, 1)];

  const period = periodAt(cycle, draft.nextPeriodStart, draft.activationStart);
  const payNow = !user.postpaid && !pastWindow(draft, cycle, period.start) && dueAt(cycle, period, draft) <= options.now;
  try {
    if (payNow) {
      const amount = await priceInSystemCurrency(service, periodPriceMicros(service, draft, cycle, period), options.adminSettings);
      const paid = { ...draft, nextPeriodStart: cycle === 'once' ? null : period.end };
      const items = [putSubscription(paid, cycle, 'attribute_not_exists(PK)'), serviceCountUpdate(service.id, 1), chargePut(paid, period, amount)];
      try {
        if (amount === 0n) await writeWithoutBalance(items);
        else await changeBalance({ user, deltaMicros: -amount, prepaidFloor: options.ignoreBalance ? prepaidFloorOn(options.adminSettings) : true, withItems: items });
        return paid;
      } catch (error) {
        if (!(error instanceof BalanceFloorError)) throw error;
        if (!options.ignoreBalance) throw new MorError(SUBSCRIPTION_ERR.insufficientBalance);
        // ignore_balance: subscribed now, the period stays due for the scheduled charge.
      }
    }
    await writeWithoutBalance(plain);
    return draft;
  } catch (error) {
    if (error instanceof CompanionItemConflictError && error.index === 1) throw serviceGoneError();
    throw error;
  }
}

/** Replaces a subscription's terms; charging restarts from the (new) first period, skipping charged ones. */
export async function replaceSubscription(subscription: SubscriptionRecord, service: ServiceRecord, now: number): Promise<void> {
  const cycle = cycleOf(service, subscription);
  const charged = subscription.nextPeriodStart === null && cycle === 'once';
  const next = charged ? null : firstPeriodStart(cycle, subscription, now);
  await writeWithoutBalance([putSubscription({ ...subscription, nextPeriodStart: next }, cycle, 'attribute_exists(PK)')]);
}

export type DeleteOutcome = 'deleted' | 'disabled' | 'refunded';

/** Money to return: every charge (`whole`), or the charges of the current month (`month`). */
export async function refundableMicros(subscriptionId: number, scope: 'whole' | 'month', now: number): Promise<bigint> {
  const monthStart = periodAt('month', now, now).start;
  const monthEnd = periodAt('month', now, now).end;
  return (await chargesOf(subscriptionId))
    .filter((charge) => scope === 'whole' || (charge.periodStart >= monthStart && charge.periodStart < monthEnd))
    .reduce((sum, charge) => sum + BigInt(charge.amountMicros), 0n);
}

/** Deletes a subscription, returning `refundMicros` to its user in the same transaction. */
export async function removeSubscription(subscription: SubscriptionRecord, user: UserRecord | undefined, refundMicros: bigint): Promise<void> {
  const items: TransactItem[] = [
    { Delete: { TableName: TABLE_NAME, Key: subscriptionKeys.item(subscription.id), ConditionExpression: 'attribute_exists(PK)' } },
    serviceCountUpdate(subscription.serviceId, -1),
  ];
  try {
    if (refundMicros === 0n || !user) return await writeWithoutBalance(items);
    const refund = { Put: { TableName: TABLE_NAME, Item: { ...subscriptionKeys.refund(subscription.id), type: 'subscription_refund', userId: user.id, amountMicros: Number(refundMicros), at: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(PK)' } };
    await changeBalance({ user, deltaMicros: refundMicros, withItems: [...items, refund] });
  } catch (error) {
    // Deleted meanwhile by a concurrent request: nothing was written (and nothing refunded) twice.
    if (error instanceof CompanionItemConflictError) throw new MorError(SUBSCRIPTION_ERR.notFound);
    throw error;
  }
}

/** "Disable": the subscription stays, its charging stops. */
export async function disableSubscription(subscription: SubscriptionRecord): Promise<void> {
  await writeWithoutBalance([{
    Update: {
      TableName: TABLE_NAME,
      Key: subscriptionKeys.item(subscription.id),
      UpdateExpression: 'SET disabled = :yes, nextPeriodStart = :none REMOVE GSI3PK, GSI3SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':yes': true, ':none': null },
    },
  }]);
}

// ---- Request terms (shared by subscription_create and subscription_update) ---------------------------

export type SubscriptionTerms = Pick<
  SubscriptionRecord,
  'activationStart' | 'activationEnd' | 'untilCanceled' | 'memo' | 'discountPercent' | 'startPeriodDay' | 'startPeriodMonth' | 'chargeBalanceOn' | 'noExpiration'
>;

export interface TermParams {
  subscription_activation_start?: string;
  subscription_activation_end?: string;
  subscription_memo?: string;
  subscription_until_canceled?: string;
  subscription_no_expiration_at_the_end_of_a_month?: string;
  subscription_discount_percent?: string;
  subscription_start_period_day?: string;
  subscription_start_period_month?: string;
  subscription_charge_balance_on?: string;
}

const TIMESTAMP = /^[0-9]{1,11}$/;
const inRange = (text: string | undefined, min: number, max: number) =>
  text !== undefined && /^[0-9]{1,3}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined;

/**
 * The terms a request asks for, on top of `base`: MOR's timestamp, window and flat-rate checks in its
 * order; blank values keep the base; out-of-range numbers keep the base too (MOR has no texts for them).
 */
export function readTerms(params: TermParams, base: SubscriptionTerms, service: ServiceRecord): SubscriptionTerms {
  const terms = { ...base };
  const start = params.subscription_activation_start;
  if (start) {
    if (!TIMESTAMP.test(start)) throw new MorError(SUBSCRIPTION_ERR.badStart);
    terms.activationStart = Number(start);
  }
  if (params.subscription_until_canceled === '1') terms.untilCanceled = true;
  else if (params.subscription_until_canceled === '0') terms.untilCanceled = false;
  const end = params.subscription_activation_end;
  if (end && !terms.untilCanceled) {
    if (!TIMESTAMP.test(end)) throw new MorError(SUBSCRIPTION_ERR.badEnd);
    terms.activationEnd = Number(end);
  }
  if (terms.untilCanceled) terms.activationEnd = null;
  if (terms.activationEnd !== null && terms.activationStart >= terms.activationEnd) throw new MorError(SUBSCRIPTION_ERR.startAfterEnd);
  const noExpiration = params.subscription_no_expiration_at_the_end_of_a_month;
  if (noExpiration === '1' && !isFlatRate(service.type)) throw new MorError(SUBSCRIPTION_ERR.notFlatRate);
  if (noExpiration === '1' || noExpiration === '0') terms.noExpiration = noExpiration === '1';
  if (params.subscription_memo) terms.memo = params.subscription_memo;
  terms.discountPercent = inRange(params.subscription_discount_percent, 0, 100) ?? terms.discountPercent;
  terms.startPeriodDay = inRange(params.subscription_start_period_day, 1, 31) ?? terms.startPeriodDay;
  terms.startPeriodMonth = inRange(params.subscription_start_period_month, 1, 12) ?? terms.startPeriodMonth;
  terms.chargeBalanceOn = (inRange(params.subscription_charge_balance_on, 1, 3) ?? terms.chargeBalanceOn) as 1 | 2 | 3;
  // Daily and one-time fee subscriptions are kept as "Every Day".
  if (service.type === 'one_time_fee' || (service.type === 'periodic_fee' && service.period === 'day')) terms.chargeBalanceOn = 3;
  return terms;
}

export const termParamShape = () => ({
  subscription_activation_start: field.optional(),
  subscription_activation_end: field.optional(),
  subscription_memo: field.optional(),
  subscription_until_canceled: field.optional(),
  subscription_no_expiration_at_the_end_of_a_month: field.optional(),
  subscription_discount_percent: field.optional(),
  subscription_start_period_day: field.optional(),
  subscription_start_period_month: field.optional(),
  subscription_charge_balance_on: field.optional(),
});
