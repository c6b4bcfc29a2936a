import { phonebookOf } from '../../lib/domain/phonebooks.js';
import { getUser, managedOwnerId, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const USER_NOT_FOUND = 'User was not found';

/** A simple user always lists its own records; others may name a user under their own owner id. */
async function listedUser(caller: UserRecord, userIdText: string | undefined): Promise<UserRecord> {
  if (caller.usertype === 'user' || !userIdText || userIdText === String(caller.id)) return caller;
  const target = /^\d+$/.test(userIdText) ? await getUser(Number(userIdText)) : undefined;
  if (!target || target.deleted || target.ownerId !== managedOwnerId(caller)) throw new MorError(USER_NOT_FOUND);
  return target;
}

export const handler = defineMethod({
  method: 'phonebooks_get',
  aliases: ['phonebooks'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: { user_id: field.optional() },
  async run({ caller, params }) {
    const user = await listedUser(caller, params.user_id);
    const records = await phonebookOf(user.id);
    if (records.length === 0) throw new MorError('No Phonebooks');
    return {
      page: {
        phonebooks: {
          phonebook: records.map((record) => ({
            id: record.id,
            name: record.name,
            number: record.number,
            speeddial: record.speeddial,
          })),
        },
      },
    };
  },
});
