import { UPDATE_PARAM_NAMES, updateUserDetails, UserNotUpdatedError } from '../../lib/domain/user-update.js';
import { findManagedUser } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'user_details_update',
  aliases: ['user_update_api', 'user_update'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: {
    admin: true,
    reseller: true,
    accountant: { permission: 'user_manage', level: 2 },
    notAuthorized: 'You do not have rights to edit this',
  },
  params: Object.fromEntries(UPDATE_PARAM_NAMES.map((name) => [name, field.optional()])),
  async run({ caller, params, adminSettings }) {
    // An accountant may not edit itself or the admin (MOR: Access Denied).
    if (caller.usertype === 'accountant' && (!params.user_id || params.user_id === '0' || params.user_id === String(caller.id))) {
      throw new MorError('Access Denied');
    }
    const target = await findManagedUser(caller, params.user_id);
    if (!target) throw new MorError('User was not found');
    try {
      await updateUserDetails(caller, target, params, adminSettings);
    } catch (error) {
      if (!(error instanceof UserNotUpdatedError)) throw error;
      return { page: { error: 'User was not updated', message: error.messages } };
    }
    return { page: { status: 'User was updated' } };
  },
});
