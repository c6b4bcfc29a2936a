/**
 * Credit notes (MOR 12+): money owed to a user, issued by its owner. No balance change (MOR documents none).
 *
 * Item `CREDIT_NOTE#<id>`; GSI1 `CREDIT_NOTE_USER#<userId>` (one user's notes), GSI2
 * `CREDIT_NOTE_OWNER#<ownerId>` (the notes of an owner's users: the admin's 0, or a reseller's), both
 * in id order.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { pad } from '../db/keys.js';
import { putNewItem } from '../db/items.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { canManageUser, listingOwnerId, permissionLevel } from '../pipeline/access.js';
import { ERR, MorError } from '../pipeline/errors.js';
import { isStorableAmount, parseMicros, storeMicros, toMicros } from '../money.js';
import { taxOnNet } from './payments.js';
import type { UserRecord } from './users.js';

export type CreditNoteStatus = 'paid' | 'unpaid';

export interface CreditNote {
  id: number;
  userId: number;
  /** The owner of the note's user (0 = admin, or a reseller id). */
  ownerId: number;
  number: string;
  priceMicros: number;
  priceWithVatMicros: number;
  /** YYYY-MM-DD (UTC) of the `issue_date` timestamp. */
  issueDate: string;
  comment: string;
  status: CreditNoteStatus;
  /** ISO time the note was marked paid. */
  payDate?: string;
  createdAt: string;
}

export const creditNoteKeys = {
  item: (id: number) => ({ PK: `CREDIT_NOTE#${id}`, SK: 'CREDIT_NOTE' }),
  byUser: (userId: number, id: number) => ({ GSI1PK: `CREDIT_NOTE_USER#${userId}`, GSI1SK: `CREDIT_NOTE#${pad(id)}` }),
  byOwner: (ownerId: number, id: number) => ({ GSI2PK: `CREDIT_NOTE_OWNER#${ownerId}`, GSI2SK: `CREDIT_NOTE#${pad(id)}` }),
};

/** Accountant rights of MOR's credit-note pages: "manage invoices" and "see financial data". */
export const INVOICES_RIGHT = 'invoices_manage';
export const FINANCES_RIGHT = 'can_see_finances';

/** An accountant changes credit notes only with "see financial data" in edit mode (its invoices right is checked by `access`). */
export function assertMayEditCreditNotes(caller: UserRecord): void {
  if (caller.usertype === 'accountant' && permissionLevel(caller, FINANCES_RIGHT) < 2) throw new MorError(ERR.notAuthorized);
}

/** Whether the caller sees the financial fields (price_with_vat, pay_date): everyone but an accountant without "see financial data". */
export const seesFinancialData = (caller: UserRecord) =>
  caller.usertype !== 'accountant' || permissionLevel(caller, FINANCES_RIGHT) >= 1;

/** price plus the user's taxes (MOR's price_with_vat), exactly as payments compute tax. */
export const priceWithVat = (priceMicros: bigint, user: UserRecord): bigint => priceMicros + taxOnNet(priceMicros, user.taxes);

const isoDateOfUnix = (seconds: string) => new Date(Number(seconds) * 1000).toISOString().slice(0, 10);

export interface NewCreditNote {
  user: UserRecord;
  number?: string;
  /** Decimal text in the system currency. */
  price: string;
  /** Unix timestamp (seconds). */
  issueDate: string;
  comment?: string;
}

/** Checks the input as MOR's save would; false means "Credit note was not created". */
export function isValidCreditNote(input: { price?: string; issueDate?: string }): boolean {
  return (
    input.price !== undefined &&
    isStorableAmount(input.price) &&
    parseMicros(input.price) >= 0n &&
    input.issueDate !== undefined &&
    /^\d{1,11}$/.test(input.issueDate)
  );
}

export async function createCreditNote(input: NewCreditNote): Promise<CreditNote> {
  const id = await nextId('credit_note');
  const price = parseMicros(input.price);
  const note: CreditNote = {
    id,
    userId: input.user.id,
    ownerId: input.user.ownerId,
    number: input.number ?? '',
    priceMicros: storeMicros(price),
    priceWithVatMicros: storeMicros(priceWithVat(price, input.user)),
    issueDate: isoDateOfUnix(input.issueDate),
    comment: input.comment ?? '',
    status: 'unpaid',
    createdAt: new Date().toISOString(),
  };
  await putNewItem({
    ...creditNoteKeys.item(id),
    ...creditNoteKeys.byUser(note.userId, id),
    ...creditNoteKeys.byOwner(note.ownerId, id),
    type: 'credit_note',
    ...note,
  });
  return note;
}

const toCreditNote = (item: StoredItem) => withoutKeys<CreditNote>(item, 'type');

export async function getCreditNote(id: number): Promise<CreditNote | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: creditNoteKeys.item(id) }));
  return result.Item && toCreditNote(result.Item);
}

/** A note the caller may see and change: its user must be in the caller's tenancy. */
export const canManageCreditNote = (caller: UserRecord, note: CreditNote) =>
  canManageUser(caller, { id: note.userId, ownerId: note.ownerId });

/** The note `id` when it exists and is in the caller's tenancy; otherwise MOR's "not found". */
export async function findManagedCreditNote(caller: UserRecord, id: string): Promise<CreditNote> {
  const note = /^\d+$/.test(id) ? await getCreditNote(Number(id)) : undefined;
  if (!note || !canManageCreditNote(caller, note)) throw new MorError('Credit note was not found');
  return note;
}

export async function updateCreditNote(
  id: number,
  changes: { status?: CreditNoteStatus; comment?: string },
  now = new Date(),
): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  if (changes.comment !== undefined) {
    set.push('#comment = :comment');
    values[':comment'] = changes.comment;
  }
  if (changes.status !== undefined) {
    set.push('#status = :status');
    values[':status'] = changes.status;
    if (changes.status === 'paid') {
      // Keep the first pay date when a paid note is marked paid again.
      set.push('payDate = if_not_exists(payDate, :payDate)');
      values[':payDate'] = now.toISOString();
    } else remove.push('payDate');
  }
  if (set.length === 0 && remove.length === 0) return;
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: creditNoteKeys.item(id),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: {
        ...(changes.comment !== undefined ? { '#comment': 'comment' } : {}),
        ...(changes.status !== undefined ? { '#status': 'status' } : {}),
      },
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    }),
  );
}

export async function deleteCreditNote(id: number): Promise<void> {
  await db.send(new DeleteCommand({ TableName: TABLE_NAME, Key: creditNoteKeys.item(id), ConditionExpression: 'attribute_exists(PK)' }));
}

const queryAll = (index: 'GSI1' | 'GSI2', partition: string) =>
  queryPartition({ index, partitionKey: [`${index}PK`, partition], map: toCreditNote });

export const creditNotesOfUser = (userId: number) => queryAll('GSI1', creditNoteKeys.byUser(userId, 0).GSI1PK);
export const creditNotesOfOwner = (ownerId: number) => queryAll('GSI2', creditNoteKeys.byOwner(ownerId, 0).GSI2PK);

/** Every note the caller sees without naming a user: a simple user its own, others their users' (admin/accountant: owner 0's). */
export const creditNotesVisibleTo = (caller: UserRecord) =>
  caller.usertype === 'user' ? creditNotesOfUser(caller.id) : creditNotesOfOwner(listingOwnerId(caller));

export const creditNoteMicros = (note: CreditNote) => ({ price: toMicros(note.priceMicros), withVat: toMicros(note.priceWithVatMicros) });
