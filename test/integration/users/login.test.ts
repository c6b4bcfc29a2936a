import { describe, expect, it } from 'vitest';
import { handler as login } from '../../../functions/users/user_login.js';
import { handler as logout } from '../../../functions/users/user_logout.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler } from '../../support/api.js';
import { ADMIN, makeUser } from '../../support/world.js';

const secret = { secret: ADMIN.secret };

describe('user_login (login) and user_logout (logout)', () => {
  it('logs in with the right password (scrypt-verified) and out again', async () => {
    const user = await makeUser('user');
    expect(login.declaration.aliases).toEqual(['login']);
    const answer = await callHandler(login, { u: user.username, p: user.password }, secret);
    expect(answer.xml).toEqual({
      action: { name: 'login', status: 'ok', user_id: String(user.id), status_message: 'Successfully logged in' },
    });
    expect((await getUser(user.id))!.logged).toBe(true);
    expect((await callHandler(logout, { u: user.username }, secret)).xml).toEqual({ action: { name: 'logout', status: 'ok' } });
    expect((await getUser(user.id))!.logged).toBe(false);
  });

  it('answers Login failed for a wrong password, an unknown user and a blocked user alike', async () => {
    const user = await makeUser('user');
    const failed = { action: { name: 'login', status: 'failed', status_message: 'Login failed' } };
    expect((await callHandler(login, { u: user.username, p: 'wrong' }, secret)).xml).toEqual(failed);
    expect((await callHandler(login, { u: 'ghost', p: 'x' }, secret)).xml).toEqual(failed);
    const blocked = await makeUser('user', { extra: { blocked: true } });
    expect((await callHandler(login, { u: blocked.username, p: blocked.password }, secret)).xml).toEqual(failed);
    expect((await callHandler(login, { u: user.username, p: user.password, hash: 'x' })).xml).toEqual({ status: { error: 'Incorrect hash' } });
  });

  it('logout answers Bad login for an unknown user and checks the hash', async () => {
    expect((await callHandler(logout, { u: 'ghost' }, secret)).xml).toEqual({ status: { error: 'Bad login' } });
    expect((await callHandler(logout, { u: 'admin', hash: 'x' })).xml).toEqual({ status: { error: 'Incorrect hash' } });
  });
});
