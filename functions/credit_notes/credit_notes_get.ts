import { formatMicrosShort } from '../../lib/money.js';
import {
  canManageCreditNote,
  creditNoteMicros,
  creditNotesOfUser,
  creditNotesVisibleTo,
  getCreditNote,
  INVOICES_RIGHT,
  seesFinancialData,
  type CreditNote,
} from '../../lib/domain/credit-notes.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { canManageUser } from '../../lib/pipeline/access.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

/** `<pay_date>` as MOR prints a time: "YYYY-MM-DD HH:MM:SS" (UTC). */
const formatTime = (iso: string | undefined) => (iso ? iso.slice(0, 19).replace('T', ' ') : '');

/** credit_note_id wins over user_id; neither = every note visible to the caller. Out-of-tenancy ids list nothing. */
async function notesFor(caller: UserRecord, params: { credit_note_id?: string; user_id?: string }): Promise<CreditNote[]> {
  if (params.credit_note_id !== undefined) {
    const note = /^\d+$/.test(params.credit_note_id) ? await getCreditNote(Number(params.credit_note_id)) : undefined;
    return note && canManageCreditNote(caller, note) ? [note] : [];
  }
  if (params.user_id !== undefined) {
    const user = /^\d+$/.test(params.user_id) ? await getUser(Number(params.user_id)) : undefined;
    return user && canManageUser(caller, user) ? creditNotesOfUser(user.id) : [];
  }
  return creditNotesVisibleTo(caller);
}

export const handler = defineMethod({
  method: 'credit_notes_get',
  aliases: ['credit_notes'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, user: true, accountant: { permission: INVOICES_RIGHT, level: 1 } },
  params: { user_id: field.optional(), credit_note_id: field.optional() },
  async run({ caller, params }) {
    const blankAsAbsent = (v: string | undefined) => (v === '' ? undefined : v);
    const notes = await notesFor(caller, { credit_note_id: blankAsAbsent(params.credit_note_id), user_id: blankAsAbsent(params.user_id) });
    const financial = seesFinancialData(caller);
    const creditNote = notes.map((note) => {
      const money = creditNoteMicros(note);
      return {
        user_id: note.userId,
        issue_date: note.issueDate,
        number: note.number,
        comment: note.comment,
        price: formatMicrosShort(money.price),
        price_with_vat: financial ? formatMicrosShort(money.withVat) : undefined,
        pay_date: financial ? formatTime(note.payDate) : undefined,
      };
    });
    return { page: { credit_notes: creditNote.length ? { credit_note: creditNote } : null } };
  },
});
