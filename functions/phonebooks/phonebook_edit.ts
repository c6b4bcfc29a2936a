import {
  getPhonebookRecord, phonebookErrors, PHONEBOOK_ERRORS, SpeeddialTakenError, updatePhonebookRecord,
} from '../../lib/domain/phonebooks.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR, MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_SAVED = 'Phonebook was not saved';

/** MOR's failed save: the error, then one `<message>` per validation error. */
const notSaved = (messages: string[]) => ({ page: { error: NOT_SAVED, message: messages } });

export const handler = defineMethod({
  method: 'phonebook_edit',
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: {
    phonebook_id: field.optional(),
    number: field.optional(),
    name: field.optional(),
    speeddial: field.optional(),
  },
  async run({ caller, params }) {
    const id = params.phonebook_id && /^\d+$/.test(params.phonebook_id) ? Number(params.phonebook_id) : 0;
    const before = await getPhonebookRecord(id);
    if (!before) throw new MorError('Record was not found');
    if (before.userId !== caller.id && caller.usertype !== 'admin') throw new MorError(ERR.accessDenied);
    const changes = Object.fromEntries(
      (['name', 'number', 'speeddial'] as const).filter((k) => params[k] !== undefined).map((k) => [k, params[k]!]),
    );
    const errors = phonebookErrors({ ...before, ...changes });
    if (errors.length > 0) return notSaved(errors);
    try {
      await updatePhonebookRecord(before, changes);
    } catch (error) {
      if (error instanceof SpeeddialTakenError) return notSaved([PHONEBOOK_ERRORS.speeddialTaken]);
      throw error;
    }
    return { page: { status: 'Phonebook saved' } };
  },
});
