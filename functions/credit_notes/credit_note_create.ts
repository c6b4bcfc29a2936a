import { recordAction } from '../../lib/domain/action-log.js';
import { assertMayEditCreditNotes, createCreditNote, INVOICES_RIGHT, isValidCreditNote } from '../../lib/domain/credit-notes.js';
import { getUser } from '../../lib/domain/users.js';
import { assertCanManageUser } from '../../lib/pipeline/access.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const USER_NOT_FOUND = 'User was not found';

export const handler = defineMethod({
  method: 'credit_note_create',
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: { permission: INVOICES_RIGHT, level: 1 } },
  params: {
    user_id: field.id(USER_NOT_FOUND),
    number: field.optional(),
    // Checked after the user, as MOR's save does.
    price: field.optional(),
    issue_date: field.optional(),
    comment: field.optional(),
  },
  async run({ caller, params }) {
    assertMayEditCreditNotes(caller);
    const user = await getUser(Number(params.user_id));
    assertCanManageUser(caller, user, USER_NOT_FOUND);
    const input = { price: params.price?.trim(), issueDate: params.issue_date?.trim() };
    if (!isValidCreditNote(input)) throw new MorError('Credit note was not created');
    const note = await createCreditNote({
      user,
      number: params.number,
      price: input.price!,
      issueDate: input.issueDate!,
      comment: params.comment,
    });
    await recordAction({ userId: caller.id, action: 'credit_note_created', target: 'credit_note', targetId: note.id, data: String(user.id) });
    return { page: { status: 'Credit note was created' } };
  },
});
