import { createPhonebookRecord, phonebookErrors, PHONEBOOK_ERRORS, SpeeddialTakenError } from '../../lib/domain/phonebooks.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR, MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** The admin creates for any admin or simple user; a simple user only for itself. */
async function recordOwner(caller: UserRecord, userIdText: string | undefined): Promise<UserRecord> {
  const target = userIdText && /^\d+$/.test(userIdText) ? await getUser(Number(userIdText)) : undefined;
  if (!target || target.deleted) throw new MorError('User was not found');
  if (caller.usertype === 'user' && target.id !== caller.id) throw new MorError(ERR.accessDenied);
  if (target.usertype !== 'admin' && target.usertype !== 'user') throw new MorError(ERR.accessDenied);
  return target;
}

export const handler = defineMethod({
  method: 'phonebook_record_create',
  errorEnvelope: 'page-status',
  access: { admin: true, user: true },
  params: { user_id: field.optional(), number: field.optional(), name: field.optional(), speeddial: field.optional() },
  async run({ caller, params }) {
    const owner = await recordOwner(caller, params.user_id);
    const record = { userId: owner.id, name: params.name ?? '', number: params.number ?? '', speeddial: params.speeddial ?? '' };
    const [firstError] = phonebookErrors(record);
    if (firstError) throw new MorError(firstError);
    try {
      await createPhonebookRecord(record);
    } catch (error) {
      if (error instanceof SpeeddialTakenError) throw new MorError(PHONEBOOK_ERRORS.speeddialTaken);
      throw error;
    }
    return { page: { status: { success: 'Record successfully added' } } };
  },
});
