import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as confirmApp } from '../../../functions/security/user_totp_enrolment_confirm.js';
import { handler as startApp } from '../../../functions/security/user_totp_enrolment_start.js';
import { handler as twoFactorUpdate } from '../../../functions/security/user_two_factor_update.js';
import { handler as login } from '../../../functions/v2/authentication_login.js';
import { getUser } from '../../../lib/domain/users.js';
import { totpCode } from '../../../lib/domain/totp.js';
import { setUserTwoFactor, TWO_FACTOR_SETTINGS } from '../../../lib/domain/two-factor.js';
import { hashString } from '../../../lib/mor/hash.js';
import type { MorHandler } from '../../../lib/pipeline/define-method.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';
import { basicAuth, callRest } from '../../support/rest.js';

process.env.JWT_SIGNING_KEY = 'test-signing-key-0123456789abcdef';
process.env.MAIL_SINK_FILE = join(mkdtempSync(join(tmpdir(), 'mail-sink-')), 'mail.jsonl');

/** A fixed clock in the middle of a 30 s step (2025-01-15 12:00:15 UTC). */
const FIXED = new Date(Date.UTC(2025, 0, 15, 12, 0, 15));
const at = (seconds: number) => new Date(FIXED.getTime() + seconds * 1000);
const wrongCode = (code: string) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');

interface Caller { username: string; password: string }
const asAdmin: Caller & { secret: string } = { ...ADMIN };

/** Calls a method as `caller` (signed with `secret`), sending its password as `p`. */
const call = (handler: MorHandler, caller: Caller, params: Record<string, string> = {}, secret: string = ADMIN.secret) =>
  callHandler(handler, { u: caller.username, p: caller.password, ...params }, { secret });
const errorFrom = async (answer: ReturnType<typeof call>) => errorOf((await answer).xml);

async function loginWith(user: Caller, code?: string) {
  const headers = { ...basicAuth(user.username, user.password), ...(code === undefined ? {} : { 'x-2fa-code': code }) };
  return callRest(login, { headers });
}

const twoFactorUser = async (options: { ownerId?: number } = {}) => {
  const user = await makeUser('user', { email: `${randomUUID()}@example.test`, ...options });
  await setUserTwoFactor(user.id, { enabled: true });
  return user;
};

/** Enrols an app for `user` through the API at the fixed clock; returns its secret. */
async function enrolApp(user: TestUser): Promise<string> {
  const started = await call(startApp, user);
  const secret = String(started.xml.page.secret);
  vi.useFakeTimers({ toFake: ['Date'], now: FIXED });
  const confirmed = await call(confirmApp, user, { code: totpCode(secret, FIXED) });
  expect(confirmed.xml).toEqual({ page: { status: { success: 'Authenticator app was confirmed' }, user: { id: String(user.id), two_factor_method: 'totp' } } });
  return secret;
}

beforeAll(async () => {
  await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '1' });
});

afterEach(async () => {
  vi.useRealTimers();
  await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '1', [TWO_FACTOR_SETTINGS.attempts]: '3', [TWO_FACTOR_SETTINGS.issuer]: '' });
});

describe('hash', () => {
  it('hashes user_id as MOR does and leaves the new parameters (enabled, method, code) out', () => {
    expect(hashString('user_two_factor_update', { u: 'admin', user_id: '007', enabled: '1', method: 'totp' })).toBe('7');
    expect(hashString('user_totp_enrolment_start', { u: 'admin', p: 'x' })).toBe('');
    expect(hashString('user_totp_enrolment_confirm', { u: 'admin', p: 'x', code: '123456' })).toBe('');
  });

  it('refuses a wrong hash', async () => {
    const answer = await callHandler(twoFactorUpdate, { u: 'admin', user_id: '1', enabled: '1', hash: 'f'.repeat(40) });
    expect(errorOf(answer.xml)).toBe('Incorrect hash');
  });
});

describe('user_two_factor_update', () => {
  it('switches a user on and off and answers its 2FA state', async () => {
    const user = await makeUser('user');
    const on = await call(twoFactorUpdate, asAdmin, { user_id: String(user.id), enabled: '1' });
    expect(on.xml).toEqual({
      page: { status: { success: '2FA settings were updated' }, user: { id: String(user.id), two_factor_enabled: '1', two_factor_method: 'email' } },
    });
    expect((await getUser(user.id))!.twoFactorEnabled).toBe(true);
    const off = await call(twoFactorUpdate, asAdmin, { user_id: String(user.id), enabled: '0', method: 'email' });
    expect(off.xml.page.user).toEqual({ id: String(user.id), two_factor_enabled: '0', two_factor_method: 'email' });
    expect((await getUser(user.id))!).toMatchObject({ twoFactorEnabled: false, twoFactorMethod: 'email' });
  });

  it('validates its parameters with its own texts', async () => {
    const user = await makeUser('user');
    const id = String(user.id);
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id, enabled: '2' }))).toBe('enabled must be 0 or 1');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id, enabled: 'yes' }))).toBe('enabled must be 0 or 1');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id, method: 'sms' }))).toBe('method can only be email or totp');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id }))).toBe('Nothing to update');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id, enabled: '', method: '' }))).toBe('Nothing to update');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: '99999999', enabled: '1' }))).toBe('User was not found');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: 'abc', enabled: '1' }))).toBe('User was not found');
    expect(await errorFrom(call(twoFactorUpdate, asAdmin, { user_id: id, method: 'totp' }))).toBe('Authenticator app is not confirmed');
    expect((await getUser(user.id))!.twoFactorEnabled).toBeUndefined();
  });

  it('lets a user only choose the method of its own 2FA, once the admin has switched it on', async () => {
    const user = await makeUser('user');
    expect(await errorFrom(call(twoFactorUpdate, user, { enabled: '1' }))).toBe('You do not have rights to edit this');
    expect(await errorFrom(call(twoFactorUpdate, user, { method: 'email' }))).toBe('2FA is not enabled');
    await setUserTwoFactor(user.id, { enabled: true });
    expect(await errorFrom(call(twoFactorUpdate, user, { user_id: String(user.id), enabled: '0' }))).toBe('You do not have rights to edit this');
    expect(await errorFrom(call(twoFactorUpdate, user, { method: 'totp' }))).toBe('Authenticator app is not confirmed');
    expect((await call(twoFactorUpdate, user, { method: 'email' })).xml.page.status.success).toBe('2FA settings were updated');
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '0' });
    expect(await errorFrom(call(twoFactorUpdate, user, { method: 'email' }))).toBe('2FA is not enabled');
  });

  it('lets the admin switch its own 2FA', async () => {
    const answer = await call(twoFactorUpdate, asAdmin, { enabled: '0' });
    expect(answer.xml.page.user).toMatchObject({ id: '0', two_factor_enabled: '0' });
  });

  it('lets an accountant with the user right change users, never the admin', async () => {
    const user = await makeUser('user');
    const without = await makeUser('accountant');
    const accountant = await makeUser('accountant', { permissions: { user_manage: 2 } });
    expect(await errorFrom(call(twoFactorUpdate, without, { user_id: String(user.id), enabled: '1' }))).toBe('You do not have rights to edit this');
    expect(await errorFrom(call(twoFactorUpdate, accountant, { user_id: '0', enabled: '0' }))).toBe('Access Denied');
    expect((await call(twoFactorUpdate, accountant, { user_id: String(user.id), enabled: '1' })).xml.page.status.success).toBe('2FA settings were updated');
    expect((await getUser(user.id))!.twoFactorEnabled).toBe(true);
  });

  it('keeps resellers, partners and users inside their tenancy (answers like a missing user)', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const adminsUser = await makeUser('user');
    const partner = await makeUser('partner');
    const reseller = (of: typeof a) => ({ ...of.reseller });
    const changing = (id: number) => ({ user_id: String(id), enabled: '1' });
    expect((await call(twoFactorUpdate, reseller(a), changing(a.user.id), a.secret)).xml.page.status.success).toBe('2FA settings were updated');
    expect((await getUser(a.user.id))!.twoFactorEnabled).toBe(true);
    for (const [caller, secret] of [[reseller(b), b.secret], [b.user, b.secret], [partner, ADMIN.secret]] as const) {
      expect(await errorFrom(call(twoFactorUpdate, caller, changing(a.user.id), secret))).toBe('User was not found');
    }
    expect(await errorFrom(call(twoFactorUpdate, reseller(a), changing(adminsUser.id), a.secret))).toBe('User was not found');
    expect(await errorFrom(call(twoFactorUpdate, reseller(a), changing(0), a.secret))).toBe('User was not found');
    expect(await errorFrom(call(twoFactorUpdate, a.user, changing(b.user.id), a.secret))).toBe('User was not found');
    // A reseller, like a user, only chooses its own method.
    expect(await errorFrom(call(twoFactorUpdate, reseller(a), changing(a.reseller.id), a.secret))).toBe('You do not have rights to edit this');
    expect((await getUser(b.user.id))!.twoFactorEnabled).toBeUndefined();
  });
});

describe('user_totp_enrolment_start', () => {
  it('gives the caller a new secret and its otpauth URI', async () => {
    const user = await twoFactorUser();
    const answer = await call(startApp, user);
    const secret = String(answer.xml.page.secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(answer.xml).toEqual({
      page: {
        status: { success: 'Authenticator app enrolment was started' },
        secret,
        otpauth_uri: `otpauth://totp/MOR%3A${user.username}?secret=${secret}&issuer=MOR&algorithm=SHA1&digits=6&period=30`,
      },
    });
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.issuer]: 'Acme Telecom' });
    const again = await call(startApp, user);
    expect(again.xml.page.secret).not.toBe(secret);
    expect(again.xml.page.otpauth_uri).toContain(`otpauth://totp/Acme%20Telecom%3A${user.username}?`);
    expect(again.xml.page.otpauth_uri).toContain('&issuer=Acme%20Telecom&');
  });

  it('needs the caller password and 2FA switched on for it', async () => {
    const user = await twoFactorUser();
    expect(await errorFrom(call(startApp, { ...user, password: 'wrong' }))).toBe('Access Denied');
    expect(errorOf((await callHandler(startApp, { u: user.username }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(await errorFrom(call(startApp, await makeUser('user')))).toBe('2FA is not enabled');
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '0' });
    expect(await errorFrom(call(startApp, user))).toBe('2FA is not enabled');
  });
});

describe('user_totp_enrolment_confirm', () => {
  it('answers its error texts', async () => {
    const user = await twoFactorUser();
    expect(await errorFrom(call(confirmApp, { ...user, password: 'wrong' }, { code: '123456' }))).toBe('Access Denied');
    expect(await errorFrom(call(confirmApp, user))).toBe('2FA code required');
    expect(await errorFrom(call(confirmApp, user, { code: '' }))).toBe('2FA code required');
    expect(await errorFrom(call(confirmApp, user, { code: '123456' }))).toBe('Authenticator app enrolment was not started');
    expect(await errorFrom(call(confirmApp, await makeUser('user'), { code: '123456' }))).toBe('2FA is not enabled');
    const secret = String((await call(startApp, user)).xml.page.secret);
    vi.useFakeTimers({ toFake: ['Date'], now: FIXED });
    expect(await errorFrom(call(confirmApp, user, { code: wrongCode(totpCode(secret, FIXED)) }))).toBe('Invalid 2FA code');
    expect(await errorFrom(call(confirmApp, user, { code: 'abcdef' }))).toBe('Invalid 2FA code');
    expect(await errorFrom(call(confirmApp, user, { code: totpCode(secret, at(-90)) }))).toBe('Too many invalid 2FA codes');
    expect((await getUser(user.id))!.twoFactorMethod).toBeUndefined();
  });

  it('refuses every code after too many wrong ones, until the enrolment is started again', async () => {
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.attempts]: '2' });
    const user = await twoFactorUser();
    const first = String((await call(startApp, user)).xml.page.secret);
    vi.useFakeTimers({ toFake: ['Date'], now: FIXED });
    const good = totpCode(first, FIXED);
    expect(await errorFrom(call(confirmApp, user, { code: wrongCode(good) }))).toBe('Invalid 2FA code');
    expect(await errorFrom(call(confirmApp, user, { code: wrongCode(good) }))).toBe('Too many invalid 2FA codes');
    expect(await errorFrom(call(confirmApp, user, { code: good }))).toBe('Too many invalid 2FA codes');
    const second = String((await call(startApp, user)).xml.page.secret);
    expect(await errorFrom(call(confirmApp, user, { code: wrongCode(totpCode(second, FIXED)) }))).toBe('Invalid 2FA code');
    expect((await call(confirmApp, user, { code: totpCode(second, at(30)) })).xml.page.status.success).toBe('Authenticator app was confirmed');
    // The enrolment is over: the code cannot confirm it twice.
    expect(await errorFrom(call(confirmApp, user, { code: totpCode(second, at(30)) }))).toBe('Authenticator app enrolment was not started');
  });
});

describe('the whole flow through the API', () => {
  it('admin switches 2FA on, the user enrols an app, the login demands its code; switched off, the login needs none', async () => {
    const { reseller, user, secret: resellerSecret } = await makeReseller();
    const owner = { ...reseller };
    expect((await call(twoFactorUpdate, owner, { user_id: String(user.id), enabled: '1' }, resellerSecret)).xml.page.user.two_factor_enabled).toBe('1');
    expect(await loginWith(user)).toEqual({ status: 401, json: { errors: '2FA code required', two_factor: 'email' } });

    const appSecret = await enrolApp(user);
    expect((await getUser(user.id))!.twoFactorMethod).toBe('totp');
    expect(await loginWith(user)).toEqual({ status: 401, json: { errors: '2FA code required', two_factor: 'totp' } });
    expect((await loginWith(user, totpCode(appSecret, at(30)))).status).toBe(200);

    // The user may go back to email codes and choose its confirmed app again.
    expect((await call(twoFactorUpdate, user, { method: 'email' }, resellerSecret)).xml.page.user.two_factor_method).toBe('email');
    expect((await loginWith(user)).json.two_factor).toBe('email');
    expect((await call(twoFactorUpdate, user, { method: 'totp' }, resellerSecret)).xml.page.user.two_factor_method).toBe('totp');
    expect((await loginWith(user)).json.two_factor).toBe('totp');

    const off = await call(twoFactorUpdate, owner, { user_id: String(user.id), enabled: '0' }, resellerSecret);
    expect(off.xml.page.user).toEqual({ id: String(user.id), two_factor_enabled: '0', two_factor_method: 'totp' });
    expect((await loginWith(user)).status).toBe(200);
  });
});
