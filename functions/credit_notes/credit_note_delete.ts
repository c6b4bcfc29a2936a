import { recordAction } from '../../lib/domain/action-log.js';
import { assertMayEditCreditNotes, deleteCreditNote, findManagedCreditNote, INVOICES_RIGHT } from '../../lib/domain/credit-notes.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'credit_note_delete',
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: { permission: INVOICES_RIGHT, level: 1 } },
  params: { credit_note_id: field.optional() },
  async run({ caller, params }) {
    assertMayEditCreditNotes(caller);
    const note = await findManagedCreditNote(caller, params.credit_note_id ?? '');
    await deleteCreditNote(note.id);
    await recordAction({ userId: caller.id, action: 'credit_note_deleted', target: 'credit_note', targetId: note.id, data: String(note.userId) });
    return { page: { status: 'Credit note was deleted' } };
  },
});
