import { niceNumber, systemCurrency } from '../../lib/domain/balance.js';
import { creditNotesOfOwner, creditNotesOfUser, FINANCES_RIGHT, INVOICES_RIGHT, type CreditNote } from '../../lib/domain/credit-notes.js';
import { invoicesIssuedIn, statementLines, type InvoiceSet, type StatementEntry } from '../../lib/domain/invoices.js';
import { listPayments, paymentMicros } from '../../lib/domain/payments.js';
import { getUser, managedOwnerId, type UserRecord } from '../../lib/domain/users.js';
import { toMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR, MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const DAY_MILLIS = 86_400_000;
const STATUSES = ['paid', 'unpaid'] as const;

/** date_from/date_till (unix seconds, date part only); both are needed, else today .. tomorrow (MOR's defaults). */
function period(from: string | undefined, till: string | undefined, now = new Date()) {
  const valid = (v: string | undefined) => v !== undefined && /^\d{1,11}$/.test(v);
  const fromDate = valid(from) && valid(till) ? new Date(Number(from) * 1000) : now;
  const tillDate = valid(from) && valid(till) ? new Date(Number(till) * 1000) : new Date(now.getTime() + DAY_MILLIS);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { fromDay: day(fromDate), tillDay: day(tillDate) };
}

/** Whose statement: a simple user its own; others one owned user (`user_id`) or all their users. */
async function scopeOf(caller: UserRecord, userId: string | undefined): Promise<{ userId: number } | { ownerId: number }> {
  if (caller.usertype === 'user') return { userId: caller.id };
  const owner = managedOwnerId(caller);
  if (userId === undefined || !/^\d+$/.test(userId)) return { ownerId: owner };
  const target = await getUser(Number(userId));
  if (!target || target.deleted || target.ownerId !== owner) throw new MorError(ERR.accessDenied);
  return { userId: target.id };
}

const creditNoteEntry = (note: CreditNote): StatementEntry => ({
  paid: note.status === 'paid',
  priceMicros: toMicros(note.priceMicros),
  priceWithVatMicros: toMicros(note.priceWithVatMicros),
});

export const handler = defineMethod({
  method: 'financial_statements_get',
  aliases: ['financial_statements'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  unknownCallerEnvelope: 'status',
  access: {
    admin: true,
    reseller: true,
    user: true,
    accountant: { anyOf: [FINANCES_RIGHT, 'payments_manage', INVOICES_RIGHT], level: 1 },
    notAuthorized: 'Bad login',
  },
  params: { user_id: field.optional(), status: field.optional(), date_from: field.optional(), date_till: field.optional() },
  async run({ caller, params, adminSettings }) {
    const scope = await scopeOf(caller, params.user_id);
    const { fromDay, tillDay } = period(params.date_from, params.date_till);
    const only = (STATUSES as readonly string[]).includes(params.status ?? '') ? (params.status as 'paid' | 'unpaid') : 'all';

    const invoiceSet: InvoiceSet = scope;
    const [invoices, creditNotes, payments] = await Promise.all([
      invoicesIssuedIn(invoiceSet, fromDay, tillDay),
      'userId' in scope ? creditNotesOfUser(scope.userId) : creditNotesOfOwner(scope.ownerId),
      listPayments(scope, `${fromDay}T00:00:00.000Z`, `${tillDay}T23:59:59.999Z`),
    ]);
    const lines = statementLines(
      {
        invoices: invoices.map((i) => ({ paid: i.paid, priceMicros: toMicros(i.priceMicros), priceWithVatMicros: toMicros(i.priceWithVatMicros) })),
        credit_notes: creditNotes.filter((n) => n.issueDate >= fromDay && n.issueDate <= tillDay).map(creditNoteEntry),
        payments: payments.map((p) => {
          const money = paymentMicros(p);
          return { paid: p.completed, priceMicros: money.amount, priceWithVatMicros: money.gross };
        }),
      },
      only,
    );
    return {
      page: {
        financial_statement: {
          '@_currency': systemCurrency(adminSettings),
          statement: lines.map((line) => ({
            '@_type': line.type,
            status: line.status,
            count: line.count,
            price: niceNumber(line.priceMicros, adminSettings),
            price_with_vat: niceNumber(line.priceWithVatMicros, adminSettings),
          })),
        },
      },
    };
  },
});
