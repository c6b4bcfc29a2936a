import { recordAction } from '../../lib/domain/action-log.js';
import {
  assertMayEditCreditNotes,
  findManagedCreditNote,
  INVOICES_RIGHT,
  updateCreditNote,
  type CreditNoteStatus,
} from '../../lib/domain/credit-notes.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const STATUSES: readonly string[] = ['paid', 'unpaid'];

export const handler = defineMethod({
  method: 'credit_note_update',
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: { permission: INVOICES_RIGHT, level: 1 } },
  params: { credit_note_id: field.optional(), status: field.optional(), comment: field.optional() },
  async run({ caller, params }) {
    assertMayEditCreditNotes(caller);
    const note = await findManagedCreditNote(caller, params.credit_note_id ?? '');
    const status = params.status === '' ? undefined : params.status;
    if (status !== undefined && !STATUSES.includes(status)) throw new MorError('Credit note was not saved');
    await updateCreditNote(note.id, { status: status as CreditNoteStatus | undefined, comment: params.comment });
    await recordAction({ userId: caller.id, action: 'credit_note_updated', target: 'credit_note', targetId: note.id, data: status ?? '' });
    return { page: { status: 'Credit note was updated' } };
  },
});
