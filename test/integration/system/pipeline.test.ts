import { describe, expect, it } from 'vitest';
import { handler as usersGet } from '../../../functions/users/users_get.js';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

describe('users_get as on the seed page', () => {
  it('returns the admin for u=admin&p=admin1&test=1 signed with secret', async () => {
    const answer = await callHandler(usersGet, { u: 'admin', p: 'admin1', test: '1', hash: 'c420ef706a02e6449994b7575b25ef5f74cc722b' });
    const users = [answer.xml.page.status.users.user].flat();
    expect(users.map((u: any) => u.username)).toContain('admin');
  });

  it('answers every body encoding alike', async () => {
    for (const encoding of ['form', 'form-base64', 'json'] as const) {
      const answer = await callHandler(usersGet, { u: 'admin', p: 'admin1' }, { secret: ADMIN.secret, encoding });
      expect(errorOf(answer.xml)).toBeUndefined();
    }
  });

  it('refuses a wrong hash and a wrong password', async () => {
    expect(errorOf((await callHandler(usersGet, { u: 'admin', p: 'admin1', hash: 'x' })).xml)).toBe('Incorrect hash');
    expect(errorOf((await callHandler(usersGet, { u: 'admin', p: 'nope' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
  });

  it('lets a reseller list only its own users', async () => {
    const a = await makeReseller();
    await makeReseller();
    const answer = await callHandler(usersGet, { u: a.reseller.username, p: a.reseller.password }, { secret: a.secret });
    const users = [answer.xml.page.status.users.user].flat();
    expect(users.map((u: any) => Number(u.id))).toEqual([a.user.id]);
  });
});

describe('request gates', () => {
  it('GET is off by default, then allowed', async () => {
    const get = () => callHandler(versionGet, { u: 'admin' }, { secret: ADMIN.secret, httpMethod: 'GET' });
    expect((await get()).body).toContain('<status>');
    expect(errorOf((await get()).xml)).toBe('GET Requests are disabled');
    await setAdminSettings({ Allow_GET_API: '1' });
    expect((await get()).xml.page.version).toBe('X19');
    await setAdminSettings({ Allow_GET_API: '0' });
  });
});

describe('users_get roles and errors', () => {
  const asCaller = (u: string, p: string, secret: string = ADMIN.secret) => callHandler(usersGet, { u, p }, { secret });

  it('a simple user and an accountant without the right are not authorized to view the page', async () => {
    const user = await makeUser('user');
    expect((await asCaller(user.username, user.password)).xml).toEqual({ status: { error: 'You are not authorized to view this page' } });
    const accountant = await makeUser('accountant');
    expect(errorOf((await asCaller(accountant.username, accountant.password)).xml)).toBe('You are not authorized to view this page');
  });

  it('an accountant with user_manage lists every user; uniquehash may replace p', async () => {
    const accountant = await makeUser('accountant', { permissions: { user_manage: 1 } });
    const answer = await asCaller(accountant.username, accountant.password);
    expect([answer.xml.page.status.users.user].flat().length).toBeGreaterThan(1);
    const byHash = await callHandler(usersGet, { u: accountant.username, uniquehash: accountant.uniquehash }, { secret: ADMIN.secret });
    expect(errorOf(byHash.xml)).toBeUndefined();
  });

  it('pages with from and max_results', async () => {
    const answer = await callHandler(usersGet, { u: 'admin', p: 'admin1', from: '1', max_results: '1' }, { secret: ADMIN.secret });
    expect([answer.xml.page.status.users.user].flat()).toHaveLength(1);
  });

  it('API Requests are disabled when Allow API is off', async () => {
    await setAdminSettings({ Allow_API: '0' });
    expect((await asCaller('admin', 'admin1')).xml).toEqual({ status: { error: 'API Requests are disabled' } });
    await setAdminSettings({ Allow_API: '1' });
  });
});
