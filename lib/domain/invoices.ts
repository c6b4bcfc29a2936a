/**
 * Invoices. MOR generates invoices in its GUI (calls, subscriptions, ...); morless has no generator
 * yet, so invoices are stored items created by `createInvoice` (tests, imports, a future generator)
 * and served by invoices_get / financial_statements_get exactly as MOR answers.
 *
 * Item `INVOICE#<id>`; GSI1 `INVOICE_USER#<userId>` and GSI2 `INVOICE_OWNER#<ownerId>` (the invoices
 * of an owner's users), both sorted by `<periodStart>#<id>` so a period is one key-range Query.
 */
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { pad } from '../db/keys.js';
import { putNewItem } from '../db/items.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { storeMicros, toMicros } from '../money.js';
import { priceWithVat } from './credit-notes.js';
import type { UserRecord } from './users.js';

export interface InvoiceProduct {
  name: string;
  quantity: number;
  /** Line price (MOR's Price) in micros. */
  priceMicros: number;
  discountMicros: number;
  /** Price − discount. */
  sumMicros: number;
  /** YYYY-MM-DD of the linked payment, '' when none (MOR's Date_added). */
  dateAdded: string;
  /** Set on call lines (destination prefix); merged into "Calls" when API_calls_group asks for it. */
  prefix?: string;
}

export interface Invoice {
  id: number;
  userId: number;
  ownerId: number;
  number: string;
  /** YYYY-MM-DD */
  periodStart: string;
  periodEnd: string;
  issueDate: string;
  paid: boolean;
  /** Sum of the products' sums, and with the user's VAT. */
  priceMicros: number;
  priceWithVatMicros: number;
  products: InvoiceProduct[];
  createdAt: string;
}

export const invoiceKeys = {
  item: (id: number) => ({ PK: `INVOICE#${id}`, SK: 'INVOICE' }),
  byUser: (userId: number, periodStart: string, id: number) => ({ GSI1PK: `INVOICE_USER#${userId}`, GSI1SK: `${periodStart}#${pad(id)}` }),
  byOwner: (ownerId: number, periodStart: string, id: number) => ({ GSI2PK: `INVOICE_OWNER#${ownerId}`, GSI2SK: `${periodStart}#${pad(id)}` }),
};

export interface NewInvoiceProduct {
  name: string;
  quantity?: number;
  priceMicros: bigint;
  discountMicros?: bigint;
  dateAdded?: string;
  prefix?: string;
}

export interface NewInvoice {
  user: UserRecord;
  number?: string;
  periodStart: string;
  periodEnd: string;
  issueDate?: string;
  paid?: boolean;
  products: NewInvoiceProduct[];
}

/** Stores an invoice (the stand-in for MOR's GUI generator). */
export async function createInvoice(input: NewInvoice, now = new Date()): Promise<Invoice> {
  const id = await nextId('invoice');
  const products: InvoiceProduct[] = input.products.map((p) => {
    const discount = p.discountMicros ?? 0n;
    return {
      name: p.name,
      quantity: p.quantity ?? 1,
      priceMicros: storeMicros(p.priceMicros),
      discountMicros: storeMicros(discount),
      sumMicros: storeMicros(p.priceMicros - discount),
      dateAdded: p.dateAdded ?? '',
      ...(p.prefix ? { prefix: p.prefix } : {}),
    };
  });
  const total = products.reduce((sum, p) => sum + toMicros(p.sumMicros), 0n);
  const invoice: Invoice = {
    id,
    userId: input.user.id,
    ownerId: input.user.ownerId,
    number: input.number ?? `INV${input.periodStart.replaceAll('-', '').slice(2)}${id}`,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    issueDate: input.issueDate ?? now.toISOString().slice(0, 10),
    paid: input.paid ?? false,
    priceMicros: storeMicros(total),
    priceWithVatMicros: storeMicros(priceWithVat(total, input.user)),
    products,
    createdAt: now.toISOString(),
  };
  await putNewItem({
    ...invoiceKeys.item(id),
    ...invoiceKeys.byUser(invoice.userId, invoice.periodStart, id),
    ...invoiceKeys.byOwner(invoice.ownerId, invoice.periodStart, id),
    type: 'invoice',
    ...invoice,
  });
  return invoice;
}

const toInvoice = (item: StoredItem) => withoutKeys<Invoice>(item, 'type');

/** Which invoices: one user's, or those of an owner's users. */
export type InvoiceSet = { userId: number } | { ownerId: number };

/** Invoices of a set whose period starts within [fromDate, tillDate] (YYYY-MM-DD, inclusive). */
export function queryInvoices(set: InvoiceSet, fromDate: string, tillDate: string): Promise<Invoice[]> {
  const [index, partition] =
    'userId' in set
      ? (['GSI1', invoiceKeys.byUser(set.userId, '', 0).GSI1PK] as const)
      : (['GSI2', invoiceKeys.byOwner(set.ownerId, '', 0).GSI2PK] as const);
  return queryPartition({
    index,
    partitionKey: [`${index}PK`, partition],
    sortKeyBetween: [`${index}SK`, fromDate, `${tillDate}#~`],
    map: toInvoice,
  });
}

/** The invoice sets a caller sees: admin/accountant owner 0's users; a reseller its users and itself; a user its own. */
export function invoiceSetsOf(caller: UserRecord): InvoiceSet[] {
  switch (caller.usertype) {
    case 'admin':
    case 'accountant':
      return [{ ownerId: 0 }];
    case 'reseller':
      return [{ ownerId: caller.id }, { userId: caller.id }];
    default:
      return [{ userId: caller.id }];
  }
}

/** MOR's user "Generate Invoice" flag (user details u12, stored as `generateInvoice`); on unless switched off. */
export const generatesInvoices = (user: UserRecord) => user.generateInvoice !== false && user.generateInvoice !== 0 && user.generateInvoice !== '0';

/** MOR's "API_calls_group" setting: anything but '' or '1' merges call lines into one "Calls" product. */
export function groupCallLines(products: InvoiceProduct[], callsGroupSetting: string, callsName = 'Calls'): InvoiceProduct[] {
  if (callsGroupSetting === '' || callsGroupSetting === '1') return products;
  const calls = products.filter((p) => p.prefix);
  if (calls.length === 0) return products;
  const merged: InvoiceProduct = {
    name: callsName,
    quantity: calls.reduce((n, p) => n + p.quantity, 0),
    priceMicros: storeMicros(calls.reduce((s, p) => s + toMicros(p.priceMicros), 0n)),
    discountMicros: storeMicros(calls.reduce((s, p) => s + toMicros(p.discountMicros), 0n)),
    sumMicros: storeMicros(calls.reduce((s, p) => s + toMicros(p.sumMicros), 0n)),
    dateAdded: '',
  };
  const firstCall = products.indexOf(calls[0]!);
  const others = products.filter((p) => !p.prefix);
  return [...others.slice(0, firstCall), merged, ...others.slice(firstCall)];
}

/** YYYY-MM-DD (UTC) of a Unix timestamp parameter; missing or not a number = 0, as MOR does. */
export function dateOfUnixParam(value: string | undefined): string {
  const seconds = /^\d{1,11}$/.test((value ?? '').trim()) ? Number(value!.trim()) : 0;
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

// ---- financial statements (financial_statements_get) ----------------------------------------------------

export type StatementStatus = 'paid' | 'unpaid';
export type StatementType = 'invoices' | 'credit_notes' | 'payments';

export interface StatementLine {
  type: StatementType;
  status: StatementStatus;
  count: number;
  priceMicros: bigint;
  priceWithVatMicros: bigint;
}

export interface StatementEntry {
  paid: boolean;
  priceMicros: bigint;
  priceWithVatMicros: bigint;
}

/**
 * One line per type and status present, in MOR's order (invoices, credit notes, payments; paid before
 * unpaid), keeping only `status` when it is paid or unpaid.
 */
export function statementLines(
  entries: Record<StatementType, StatementEntry[]>,
  only: StatementStatus | 'all',
): StatementLine[] {
  const lines: StatementLine[] = [];
  for (const type of ['invoices', 'credit_notes', 'payments'] as const) {
    for (const status of ['paid', 'unpaid'] as const) {
      if (only !== 'all' && only !== status) continue;
      const matching = entries[type].filter((e) => e.paid === (status === 'paid'));
      if (matching.length === 0) continue;
      lines.push({
        type,
        status,
        count: matching.length,
        priceMicros: matching.reduce((sum, e) => sum + e.priceMicros, 0n),
        priceWithVatMicros: matching.reduce((sum, e) => sum + e.priceWithVatMicros, 0n),
      });
    }
  }
  return lines;
}

/** Invoices whose issue date lies in [fromDate, tillDate] (YYYY-MM-DD) for a set, via its period index. */
export async function invoicesIssuedIn(set: InvoiceSet, fromDate: string, tillDate: string): Promise<Invoice[]> {
  // An invoice is issued after its period starts: read periods starting up to the last day, filter by issue date.
  const invoices = await queryInvoices(set, '0000-00-00', tillDate);
  return invoices.filter((i) => i.issueDate >= fromDate && i.issueDate <= tillDate);
}
