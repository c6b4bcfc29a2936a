/**
 * Payments (MOR `payments`): one item per payment, listed per user and per owner by date.
 * A completed payment is written in the SAME transaction as the balance ADD it causes, together with
 * a marker that makes its `transaction` id unique per user (integrators retry on timeouts).
 */
import { TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys } from '../db/query.js';
import { MICROS_PER_UNIT, isStorableAmount, parseMicros, storeMicros, toMicros } from '../money.js';
import { CompanionItemConflictError, changeBalance, divideRounded, writeWithoutBalance, type TransactItem } from './balance.js';
import type { UserRecord, UserTaxes } from './users.js';

// ---- Taxes ------------------------------------------------------------------------------------

const HUNDRED_PERCENT = 100n * MICROS_PER_UNIT;

/** Percents (in micros) of the taxes that apply: tax1 always, tax2..tax4 when enabled. */
function appliedPercents(taxes: UserTaxes | undefined): bigint[] {
  if (!taxes) return [];
  return taxes.taxes
    .filter((tax, index) => index === 0 || tax.enabled)
    .map((tax) => (/^\d+(\.\d+)?$/.test(tax.percent) ? percentMicros(tax.percent) : 0n))
    .filter((p) => p !== 0n);
}

const percentMicros = (text: string) => {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction.slice(0, 6).padEnd(6, '0'));
};

/** The tax MOR adds on top of a net amount. */
export function taxOnNet(netMicros: bigint, taxes: UserTaxes | undefined): bigint {
  const percents = appliedPercents(taxes);
  if (taxes?.compound) {
    let gross = netMicros;
    for (const p of percents) gross += divideRounded(gross * p, HUNDRED_PERCENT);
    return gross - netMicros;
  }
  return percents.reduce((sum, p) => sum + divideRounded(netMicros * p, HUNDRED_PERCENT), 0n);
}

/** The net amount inside a gross (tax-included) amount. */
export function netOfGross(grossMicros: bigint, taxes: UserTaxes | undefined): bigint {
  const percents = appliedPercents(taxes);
  if (percents.length === 0) return grossMicros;
  if (taxes?.compound) {
    const numerator = percents.reduce((n) => n * HUNDRED_PERCENT, grossMicros);
    const denominator = percents.reduce((d, p) => d * (HUNDRED_PERCENT + p), 1n);
    return divideRounded(numerator, denominator);
  }
  const total = percents.reduce((sum, p) => sum + p, 0n);
  return divideRounded(grossMicros * HUNDRED_PERCENT, HUNDRED_PERCENT + total);
}

// ---- Records and keys -------------------------------------------------------------------------

export interface PaymentRecord {
  id: number;
  userId: number;
  /** The owner of the paying user (0 = admin), whose payment list shows it. */
  ownerId: number;
  paymentType: string;
  currency: string;
  amountMicros: number;
  taxMicros: number;
  grossMicros: number;
  feeMicros: number;
  /** What the payment added to the balance, in the system currency (0 while unconfirmed). */
  balanceDeltaMicros: number;
  transactionId: string;
  payerEmail: string;
  description: string;
  commentsForUser: string;
  completed: boolean;
  pendingReason: string;
  createdAt: string;
  /** Snapshot of the user's names at payment time (list filters and `<user>`). */
  username: string;
  firstName: string;
  lastName: string;
}

const paymentSortKey = (p: Pick<PaymentRecord, 'createdAt' | 'id'>) => `${p.createdAt}#${pad(p.id)}`;

export const paymentKeys = {
  item: (id: number) => ({ PK: `PAYMENT#${id}`, SK: 'PAYMENT' }),
  /** GSI1: a user's payments by date. */
  byUser: (userId: number) => `PAYMENT_USER#${userId}`,
  /** GSI2: the payments of an owner's users by date. */
  byOwner: (ownerId: number) => `PAYMENT_OWNER#${ownerId}`,
  /** Uniqueness of a `transaction` id per user. */
  transaction: (userId: number, transactionId: string) => keys.unique('PAYMENT_TRANSACTION', `${userId}#${transactionId}`),
};

function paymentItem(payment: PaymentRecord): Record<string, unknown> {
  return {
    ...paymentKeys.item(payment.id),
    GSI1PK: paymentKeys.byUser(payment.userId),
    GSI1SK: paymentSortKey(payment),
    GSI2PK: paymentKeys.byOwner(payment.ownerId),
    GSI2SK: paymentSortKey(payment),
    type: 'payment',
    ...payment,
  };
}

export class DuplicateTransactionError extends Error {
  constructor(readonly transactionId: string, readonly existingPaymentId: number | undefined) {
    super(`transaction ${transactionId} already recorded`);
  }
}

/** The payment's own words as given; its money in exact micros. */
type PaymentText = Pick<
  PaymentRecord,
  'paymentType' | 'currency' | 'transactionId' | 'payerEmail' | 'description' | 'commentsForUser' | 'completed' | 'pendingReason'
>;

export interface NewPayment extends PaymentText {
  user: UserRecord;
  amountMicros: bigint;
  taxMicros: bigint;
  feeMicros: bigint;
  /** The amount converted to the system currency; added to the balance when completed. */
  balanceDeltaMicros: bigint;
  prepaidFloor: boolean;
}

/**
 * Records a payment: a completed one atomically with its balance change, an unconfirmed one alone;
 * both with the per-user transaction marker when a transaction id is given.
 */
export async function createPayment(input: NewPayment): Promise<PaymentRecord> {
  const payment: PaymentRecord = {
    id: await nextId('payment'),
    userId: input.user.id,
    ownerId: input.user.ownerId,
    paymentType: input.paymentType,
    currency: input.currency,
    amountMicros: storeMicros(input.amountMicros),
    taxMicros: storeMicros(input.taxMicros),
    grossMicros: storeMicros(input.amountMicros + input.taxMicros),
    feeMicros: storeMicros(input.feeMicros),
    balanceDeltaMicros: input.completed ? storeMicros(input.balanceDeltaMicros) : 0,
    transactionId: input.transactionId,
    payerEmail: input.payerEmail,
    description: input.description,
    commentsForUser: input.commentsForUser,
    completed: input.completed,
    pendingReason: input.pendingReason,
    createdAt: new Date().toISOString(),
    username: input.user.username,
    firstName: input.user.firstName,
    lastName: input.user.lastName,
  };
  const items: TransactItem[] = [];
  if (payment.transactionId) {
    items.push({
      Put: {
        TableName: TABLE_NAME,
        Item: { ...paymentKeys.transaction(payment.userId, payment.transactionId), paymentId: payment.id },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
  }
  items.push({ Put: { TableName: TABLE_NAME, Item: paymentItem(payment), ConditionExpression: 'attribute_not_exists(PK)' } });
  try {
    if (payment.completed) {
      await changeBalance({ user: input.user, deltaMicros: input.balanceDeltaMicros, prepaidFloor: input.prepaidFloor, withItems: items });
    } else {
      await writeWithoutBalance(items);
    }
  } catch (error) {
    if (error instanceof CompanionItemConflictError && payment.transactionId && error.index === 0) {
      // Cancellation reasons carry the old item in DynamoDB's wire format ({ N: '15' }).
      const existing = (error.item?.paymentId as { N?: string } | undefined)?.N;
      throw new DuplicateTransactionError(payment.transactionId, existing === undefined ? undefined : Number(existing));
    }
    throw error;
  }
  return payment;
}

// ---- Listing ----------------------------------------------------------------------------------

export type PaymentList = { userId: number } | { ownerId: number };


/** Every payment of a list whose date lies in [fromIso, tillIso], oldest first. */
export function listPayments(list: PaymentList, fromIso: string, tillIso: string): Promise<PaymentRecord[]> {
  const index = 'userId' in list ? 'GSI1' : 'GSI2';
  const partition = 'userId' in list ? paymentKeys.byUser(list.userId) : paymentKeys.byOwner(list.ownerId);
  return queryPartition({
    index,
    partitionKey: [`${index}PK`, partition],
    // '~' sorts after the `#<id>` suffix, so payments in the last second are included.
    sortKeyBetween: [`${index}SK`, fromIso, `${tillIso}~`],
    map: (item) => withoutKeys<PaymentRecord>(item, 'type'),
  });
}

export const paymentMicros = (p: PaymentRecord) => ({
  amount: toMicros(p.amountMicros),
  tax: toMicros(p.taxMicros),
  gross: toMicros(p.grossMicros),
  fee: toMicros(p.feeMicros),
});

// ---- payments_get: period, search filters and the XML row, as MOR's payment list shows them --------

const DIGITS = /^\d+$/;

/** `s_from`/`s_till` (unix seconds) when both are given, else today 00:00:00–23:59:59 (UTC). */
export function paymentPeriod(from: string | undefined, till: string | undefined): { fromIso: string; tillIso: string } {
  if (from && till && DIGITS.test(from) && DIGITS.test(till)) {
    const iso = (seconds: string) => new Date(Math.min(Number(seconds), 253402300799) * 1000).toISOString();
    return { fromIso: iso(from), tillIso: iso(till).replace(/\.000Z$/, '.999Z') };
  }
  const day = new Date().toISOString().slice(0, 10);
  return { fromIso: `${day}T00:00:00.000Z`, tillIso: `${day}T23:59:59.999Z` };
}

export interface PaymentFilters {
  s_transaction?: string;
  s_completed?: string;
  s_username?: string;
  s_first_name?: string;
  s_last_name?: string;
  s_paymenttype?: string;
  s_amount_min?: string;
  s_amount_max?: string;
  s_currency?: string;
}

const startsWith = (value: string, prefix: string | undefined) => !prefix || value.startsWith(prefix);
const amountBound = (text: string | undefined) => (text && isStorableAmount(text) ? parseMicros(text) : undefined);

export function filterPayments(payments: PaymentRecord[], f: PaymentFilters): PaymentRecord[] {
  const min = amountBound(f.s_amount_min);
  const max = amountBound(f.s_amount_max);
  return payments.filter((p) => {
    const amount = paymentMicros(p).amount;
    return (
      startsWith(p.transactionId, f.s_transaction) &&
      (f.s_completed !== '1' || p.completed) &&
      (f.s_completed !== '0' || !p.completed) &&
      startsWith(p.username, f.s_username) &&
      startsWith(p.firstName, f.s_first_name) &&
      startsWith(p.lastName, f.s_last_name) &&
      (!f.s_paymenttype || p.paymentType === f.s_paymenttype) &&
      (min === undefined || amount >= min) &&
      (max === undefined || amount <= max) &&
      (!f.s_currency || p.currency === f.s_currency.toUpperCase())
    );
  });
}

/** MOR's date-time format: `YYYY-MM-DD HH:MM:SS`. */
const morDateTime = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export function paymentRow(p: PaymentRecord, nice: (micros: bigint) => string) {
  const m = paymentMicros(p);
  const name = `${p.firstName} ${p.lastName}`.trim() || p.username;
  return {
    user: name,
    payer: p.payerEmail,
    transaction_id: p.transactionId,
    date: morDateTime(p.createdAt),
    confirm_date: p.completed ? morDateTime(p.createdAt) : '',
    type: p.paymentType.charAt(0).toUpperCase() + p.paymentType.slice(1),
    amount: nice(m.amount),
    fee: nice(m.fee),
    amount_with_tax: nice(m.gross),
    currency: p.currency,
    completed: p.completed ? 'Completed' : `No (${p.pendingReason})`,
    confirmed_by_admin: !p.completed && p.pendingReason === 'Waiting for confirmation' ? 'No' : 'Yes',
  };
}
