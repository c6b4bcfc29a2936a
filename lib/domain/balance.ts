/**
 * Money primitives shared by every domain that moves a user's balance (balance updates, payments,
 * calling cards, calls, subscriptions). A balance change is ONE atomic write: a single
 * `UpdateItem ADD balanceMicros` (with the prepaid floor as a condition, never read-then-write),
 * or a TransactWrite of that same update with the records that belong to it (payment, markers).
 * After the commit the warning-balance hook learns the balance before and after the change.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { MICROS_PER_UNIT, formatMicros, storeMicros, toMicros } from '../money.js';
import { enqueueEmail, type OutgoingEmail } from './outbox.js';
import { setting, settingOn, type Settings } from './settings.js';
import type { UserRecord } from './users.js';
import { onBalanceChanged, warningSettingsOf } from './warning-balance.js';
import { log } from '../log.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The admin setting "Do not allow PREPAID User balance drop below zero (block them instead)". */
export const PREPAID_FLOOR_SETTING = 'Prepaid_Balance_Can_Not_Drop_Below_Zero';

/** The system (default) currency: balances are kept in it. */
export const systemCurrency = (adminSettings: Settings) => setting(adminSettings, 'Default_Currency', 'USD');

export class BalanceFloorError extends Error {
  constructor() {
    super('prepaid balance would drop below zero');
  }
}

export class BalanceUserMissingError extends Error {
  constructor(readonly userId: number) {
    super(`user ${userId} does not exist`);
  }
}

/** One of the items written together with the balance failed its condition (e.g. a uniqueness marker). */
export class CompanionItemConflictError extends Error {
  constructor(readonly index: number, readonly item: Record<string, unknown> | undefined) {
    super(`companion item ${index} failed its condition`);
  }
}

export interface BalanceChange {
  user: Pick<UserRecord, 'id'> & Partial<UserRecord>;
  deltaMicros: bigint;
  /** Refuse a change that would take a prepaid user below zero (checked atomically by the write). */
  prepaidFloor?: boolean;
  /** Items committed in the same transaction (payment record, markers). */
  withItems?: TransactItem[];
}

export interface BalanceChangeResult {
  previousMicros: bigint;
  currentMicros: bigint;
}

/** Whether the prepaid floor applies to changes made under these admin settings. */
export const prepaidFloorOn = (adminSettings: Settings) => settingOn(adminSettings, PREPAID_FLOOR_SETTING);

function balanceUpdate(change: BalanceChange) {
  const floor = change.prepaidFloor && change.deltaMicros < 0n;
  return {
    TableName: TABLE_NAME,
    Key: keys.user(change.user.id),
    UpdateExpression: 'ADD balanceMicros :delta',
    // A deleted user must not get a balance item recreated by ADD.
    ConditionExpression: floor
      ? 'attribute_exists(PK) AND (postpaid = :postpaid OR balanceMicros >= :needed)'
      : 'attribute_exists(PK)',
    ExpressionAttributeValues: {
      ':delta': storeMicros(change.deltaMicros),
      ...(floor ? { ':postpaid': true, ':needed': storeMicros(-change.deltaMicros) } : {}),
    },
  };
}

/** Why the balance update's condition failed, from the old item DynamoDB hands back. */
function conditionFailure(userId: number, oldItem: Record<string, unknown> | undefined): Error {
  return oldItem ? new BalanceFloorError() : new BalanceUserMissingError(userId);
}

async function notifyWarningBalance(user: BalanceChange['user'], result: BalanceChangeResult) {
  try {
    await onBalanceChanged(user as UserRecord, result.previousMicros, result.currentMicros);
  } catch (error) {
    // The balance is committed; a notification problem must never fail the API call.
    log.error('Balance notification failed', { where: 'onBalanceChanged', userId: user.id, error: { name: (error as Error)?.name, message: (error as Error)?.message } });
  }
}

async function addToBalance(change: BalanceChange): Promise<BalanceChangeResult> {
  try {
    const result = await db.send(
      new UpdateCommand({ ...balanceUpdate(change), ReturnValues: 'UPDATED_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
    );
    const currentMicros = toMicros(result.Attributes?.balanceMicros);
    return { previousMicros: currentMicros - change.deltaMicros, currentMicros };
  } catch (error) {
    const e = error as { name?: string; Item?: Record<string, unknown> };
    if (e?.name === 'ConditionalCheckFailedException') throw conditionFailure(change.user.id, e.Item);
    throw error;
  }
}

async function addToBalanceWithItems(change: BalanceChange, items: TransactItem[]): Promise<BalanceChangeResult> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [{ Update: { ...balanceUpdate(change), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } }, ...items],
      }),
    );
  } catch (error) {
    const e = error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] };
    if (e?.name !== 'TransactionCanceledException') throw error;
    const reasons = e.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw conditionFailure(change.user.id, reasons[0].Item);
    const failed = reasons.findIndex((r, i) => i > 0 && r.Code === 'ConditionalCheckFailed');
    if (failed > 0) throw new CompanionItemConflictError(failed - 1, reasons[failed]?.Item);
    throw error;
  }
  // A transaction returns no attributes. The balances reported here only feed the warning-balance
  // hook (the money itself was already moved exactly by the ADD): without an active warning, the
  // caller's snapshot is enough; with one, the balance it produced is read once, strongly consistent.
  if (!warningSettingsOf(change.user as UserRecord)?.active) {
    const previousMicros = toMicros(change.user.balanceMicros);
    return { previousMicros, currentMicros: previousMicros + change.deltaMicros };
  }
  const read = await db.send(
    new GetCommand({ TableName: TABLE_NAME, Key: keys.user(change.user.id), ProjectionExpression: 'balanceMicros', ConsistentRead: true }),
  );
  const currentMicros = toMicros(read.Item?.balanceMicros);
  return { previousMicros: currentMicros - change.deltaMicros, currentMicros };
}

const MAX_ATTEMPTS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * True when DynamoDB refused the write because another transaction held the item: nothing was
 * written, so trying again is safe (many concurrent payments on one user meet this).
 */
function isTransactionConflict(error: unknown): boolean {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === 'TransactionConflictException') return true;
  if (e?.name !== 'TransactionCanceledException') return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return codes.includes('TransactionConflict') && codes.every((c) => c === 'TransactionConflict' || c === 'None');
}

/** Runs a write, retrying transaction conflicts with jittered exponential backoff. */
export async function retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isTransactionConflict(error)) throw error;
      await sleep(Math.random() * Math.min(1000, 10 * 2 ** attempt));
    }
  }
}

/**
 * Moves a user's balance by `deltaMicros` (positive adds, negative takes) atomically, optionally
 * together with companion items; then tells the warning-balance hook. Throws BalanceFloorError,
 * BalanceUserMissingError or CompanionItemConflictError (nothing was written in those cases).
 */
export async function changeBalance(change: BalanceChange): Promise<BalanceChangeResult> {
  const items = change.withItems ?? [];
  const result = await retryingConflicts(() => (items.length === 0 ? addToBalance(change) : addToBalanceWithItems(change, items)));
  await notifyWarningBalance(change.user, result);
  return result;
}

/** Writes items that belong to a money operation without moving a balance (e.g. an unconfirmed payment). */
export async function writeWithoutBalance(items: TransactItem[]): Promise<void> {
  try {
    await retryingConflicts(() => db.send(new TransactWriteCommand({ TransactItems: items })));
  } catch (error) {
    const e = error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] };
    if (e?.name !== 'TransactionCanceledException') throw error;
    const failed = (e.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed >= 0) throw new CompanionItemConflictError(failed, e.CancellationReasons![failed]?.Item);
    throw error;
  }
}

// ---- Currencies -------------------------------------------------------------------------------

/** A currency's exchange rate to the system currency (units of the currency per one system unit). */
export const currencyKey = (code: string) => ({ PK: `CURRENCY#${code.toUpperCase()}`, SK: 'CURRENCY' });

/**
 * The exchange rate of `code` in micros (1.0 = 1,000,000), or undefined when the currency does not
 * exist. The system currency is always 1; others are `CURRENCY#<code>` items with `exchangeRateMicros`.
 */
export async function exchangeRateMicros(code: string, adminSettings: Settings): Promise<bigint | undefined> {
  if (!code) return undefined;
  if (code.toUpperCase() === systemCurrency(adminSettings).toUpperCase()) return MICROS_PER_UNIT;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: currencyKey(code) }));
  const rate = result.Item?.exchangeRateMicros;
  return rate === undefined ? undefined : toMicros(rate);
}

/** Integer division rounding half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return negative ? -q : q;
}

/** An amount in a currency with `rateMicros` converted to the system currency (amount ÷ rate). */
export const toSystemCurrency = (amountMicros: bigint, rateMicros: bigint) =>
  divideRounded(amountMicros * MICROS_PER_UNIT, rateMicros);

/** The system-currency amount converted to a currency with `rateMicros` (amount × rate). */
export const fromSystemCurrency = (amountMicros: bigint, rateMicros: bigint) =>
  divideRounded(amountMicros * rateMicros, MICROS_PER_UNIT);

/** MOR's "nice number": the admin's "Number digits" setting (default 2) decimals. */
export function niceNumber(micros: bigint | number, adminSettings: Settings): string {
  const digits = setting(adminSettings, 'Nice_Number_Digits', '2');
  return formatMicros(micros, /^[0-6]$/.test(digits) ? Number(digits) : 2);
}

/** Queues a notification email; a failing outbox never breaks the API call that triggered it. */
export async function sendEmailSafely(email: OutgoingEmail): Promise<void> {
  if (!email.to) return;
  try {
    await enqueueEmail(email);
  } catch (error) {
    log.error('Email could not be queued', { where: 'enqueueEmail', subject: email.subject, error: { name: (error as Error)?.name, message: (error as Error)?.message } });
  }
}

// ---- Balance queries --------------------------------------------------------------------------

/** The owner setting "Allow devices to check balance over HTTP" (balance query methods). */
export const BALANCE_OVER_HTTP_SETTING = 'Devices_Check_Ballance';

/**
 * A user's balance in the currency a balance query asks for: a code, `USER` (the user's own currency)
 * or nothing (the system currency). An unknown code falls back to the system currency.
 */
export async function balanceInCurrency(
  user: Pick<UserRecord, 'balanceMicros' | 'currency'>,
  requested: string | undefined,
  adminSettings: Settings,
): Promise<{ micros: bigint; currency: string }> {
  const balance = toMicros(user.balanceMicros);
  const wanted = !requested ? systemCurrency(adminSettings) : requested.toUpperCase() === 'USER' ? user.currency : requested;
  const rate = await exchangeRateMicros(wanted, adminSettings);
  if (rate === undefined) return { micros: balance, currency: systemCurrency(adminSettings) };
  return { micros: fromSystemCurrency(balance, rate), currency: wanted.toUpperCase() };
}
