import { recordAction } from '../../lib/domain/action-log.js';
import { verifyPassword } from '../../lib/domain/passwords.js';
import { findUserByUsername, setLogged, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

/**
 * An unknown `u` must answer MOR's `<action>` "Login failed" document like a wrong password does,
 * not a pipeline error: it is looked up as this placeholder, which no password matches.
 */
const NOBODY = { id: -1, username: '', usertype: 'user', ownerId: 0, passwordHash: '', blocked: true } as unknown as UserRecord;

const loginUser = async (params: Record<string, string>) => (await findUserByUsername(params.u ?? '')) ?? NOBODY;

export const handler = defineMethod({
  method: 'user_login',
  aliases: ['login'],
  caller: loginUser,
  errorEnvelope: 'status',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: { p: field.optional() },
  async run({ caller, params, request }) {
    const ok = caller !== NOBODY && !caller.blocked && (await verifyPassword(params.p ?? '', caller.passwordHash));
    if (!ok) {
      // MOR logs the failed login; the password itself is not written (unlike MOR, which logs "u/p").
      await recordAction({ userId: caller.id, action: 'bad_login', data: caller.username, data3: request.sourceIp }).catch(() => undefined);
      return { action: { name: 'login', status: 'failed', status_message: 'Login failed' } };
    }
    await setLogged(caller.id, true);
    await recordAction({ userId: caller.id, action: 'login', data: request.sourceIp }).catch(() => undefined);
    return { action: { name: 'login', status: 'ok', user_id: caller.id, status_message: 'Successfully logged in' } };
  },
});
