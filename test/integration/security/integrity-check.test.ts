import { describe, expect, it } from 'vitest';
import { handler as integrityGet } from '../../../functions/security/integrity_check_get.js';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { isWeakPassword } from '../../../lib/domain/passwords.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const check = async () => {
  const answer = await callHandler(integrityGet, { u: ADMIN.username }, { secret: ADMIN.secret });
  expect(errorOf(answer.xml)).toBeUndefined();
  return answer.xml.page.integrity_check;
};
const usernames = (list: any) => [list?.user ?? []].flat().map((u: any) => u.username);

describe('isWeakPassword', () => {
  it('wants 8 characters of at least 3 kinds', () => {
    for (const weak of ['admin1', 'abc', 'password', 'Password', 'PASSWORD12', 'Ab1!']) expect(isWeakPassword(weak), weak).toBe(true);
    for (const strong of ['Passw0rd!', 'Password1', 'pass word 1', 'ABCdef12']) expect(isWeakPassword(strong), strong).toBe(false);
  });
});

describe('integrity_check_get', () => {
  it('lists users with weak passwords (flag set when the password is set)', async () => {
    const weak = await makeUser('user', { password: 'secret' });
    const strong = await makeUser('user');
    const found = usernames((await check()).users_with_weak_password);
    expect(found).toContain(weak.username);
    expect(found).toContain('admin'); // bootstrapped with admin1
    expect(found).not.toContain(strong.username);
  });

  it('lists postpaid users allowed loss calls', async () => {
    const risky = await makeUser('user', { postpaid: true, extra: { details: { allow_loss_calls: '1' } } });
    const prepaid = await makeUser('user', { postpaid: false, extra: { details: { allow_loss_calls: '1' } } });
    const careful = await makeUser('user', { postpaid: true });
    const found = usernames((await check()).postpaid_users_with_loss_calls);
    expect(found).toContain(risky.username);
    expect(found).not.toContain(prepaid.username);
    expect(found).not.toContain(careful.username);
  });

  it('warns about a postpaid default user allowed loss calls', async () => {
    expect((await check()).default_user_postpaid_with_loss_calls).toBe('0');
    await setAdminSettings({ default_user_postpaid: '1', default_user_allow_loss_calls: '1' });
    expect((await check()).default_user_postpaid_with_loss_calls).toBe('1');
    await setAdminSettings({ default_user_allow_loss_calls: '0' });
    expect((await check()).default_user_postpaid_with_loss_calls).toBe('0');
  });

  it("shows recent error actions (e.g. a failed hash, with the caller's IP)", async () => {
    await callHandler(versionGet, { u: ADMIN.username, hash: 'wrong' }, { sourceIp: '6.6.6.6' });
    const actions = [(await check()).action_errors.action].flat();
    expect(actions).toContainEqual(expect.objectContaining({ user_id: '-1', data: 'API : Incorrect hash', data3: '6.6.6.6' }));
  });

  it('is for the admin only', async () => {
    const r = await makeReseller();
    const accountant = await makeUser('accountant', { permissions: { monitorings_manage: 2 } });
    expect(errorOf((await callHandler(integrityGet, { u: r.reseller.username }, { secret: r.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(integrityGet, { u: accountant.username }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    const denied = await callHandler(integrityGet, { u: r.user.username }, { secret: r.secret });
    expect(denied.xml).toEqual({ page: { status: { error: 'Access Denied' } } });
  });
});
