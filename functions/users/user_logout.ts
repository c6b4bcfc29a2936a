import { recordAction } from '../../lib/domain/action-log.js';
import { setLogged } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

export const handler = defineMethod({
  method: 'user_logout',
  aliases: ['logout'],
  errorEnvelope: 'status',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: {},
  async run({ caller }) {
    await setLogged(caller.id, false);
    await recordAction({ userId: caller.id, action: 'logout' }).catch(() => undefined);
    return { action: { name: 'logout', status: 'ok' } };
  },
});
