import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as login } from '../../../functions/v2/authentication_login.js';
import { deliverPending } from '../../../lib/domain/outbox.js';
import { getSettings } from '../../../lib/domain/settings.js';
import { base32Decode, base32Encode, hotp, matchTotp, totpCode, totpStep } from '../../../lib/domain/totp.js';
import {
  checkSecondFactor, confirmTotpEnrolment, sendEmailCode, setUserTwoFactor, startTotpEnrolment, TWO_FACTOR_SETTINGS,
} from '../../../lib/domain/two-factor.js';
import { makeUser, setAdminSettings, type TestUser } from '../../support/world.js';
import { basicAuth, callRest } from '../../support/rest.js';

process.env.JWT_SIGNING_KEY = 'test-signing-key-0123456789abcdef';
process.env.MAIL_SINK_FILE = join(mkdtempSync(join(tmpdir(), 'mail-sink-')), 'mail.jsonl');

/** A fixed clock in the middle of a 30 s step (2025-01-15 12:00:15 UTC). */
const FIXED = new Date(Date.UTC(2025, 0, 15, 12, 0, 15));
const at = (seconds: number) => new Date(FIXED.getTime() + seconds * 1000);

async function loginWith(user: { username: string; password: string }, code?: string) {
  const headers = { ...basicAuth(user.username, user.password), ...(code === undefined ? {} : { 'x-2fa-code': code }) };
  return callRest(login, { headers });
}

interface Mail { to: string; subject: string; body: string; userId?: number }
async function mailedCodes(user: TestUser): Promise<string[]> {
  await deliverPending();
  const file = process.env.MAIL_SINK_FILE!;
  const mails = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Mail) : [];
  return mails.filter((m) => m.to === user.email).map((m) => /login code is ([0-9]+)/.exec(m.body)![1]!);
}
const lastCode = async (user: TestUser) => (await mailedCodes(user)).at(-1)!;

const required = (factor: string) => ({ status: 401, json: { errors: '2FA code required', two_factor: factor } });
const refused = (errors: string, factor: string) => ({ status: 401, json: { errors, two_factor: factor } });
const wrongCode = (code: string) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');

const twoFactorUser = async () => {
  const user = await makeUser('user', { email: `${randomUUID()}@example.test` });
  await setUserTwoFactor(user.id, { enabled: true });
  return user;
};

beforeAll(async () => {
  await setAdminSettings({ Allow_API: '1', [TWO_FACTOR_SETTINGS.enabled]: '1' });
});

afterEach(async () => {
  vi.useRealTimers();
  await setAdminSettings({ [TWO_FACTOR_SETTINGS.attempts]: '3', [TWO_FACTOR_SETTINGS.codeLength]: '6', [TWO_FACTOR_SETTINGS.minutes]: '5' });
});

describe('TOTP (RFC 6238)', () => {
  const rfcSecret = base32Encode(Buffer.from('12345678901234567890'));

  it('matches the RFC 6238 SHA1 test vectors', () => {
    expect(rfcSecret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(rfcSecret)!.toString()).toBe('12345678901234567890');
    const key = base32Decode(rfcSecret)!;
    const vectors: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037']];
    for (const [seconds, code] of vectors) expect(hotp(key, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
    expect(totpCode(rfcSecret, new Date(59_000))).toBe('287082');
  });

  it('accepts the codes of one step either side and nothing further', () => {
    const step = totpStep(FIXED);
    for (const offset of [-1, 0, 1]) expect(matchTotp(rfcSecret, totpCode(rfcSecret, at(offset * 30)), FIXED)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(matchTotp(rfcSecret, totpCode(rfcSecret, at(offset * 30)), FIXED)).toBeUndefined();
    expect(matchTotp(rfcSecret, 'abcdef', FIXED)).toBeUndefined();
    expect(matchTotp(rfcSecret, '12345', FIXED)).toBeUndefined();
  });
});

describe('v2 login without 2FA', () => {
  it('logs in directly when 2FA is off for the user or globally', async () => {
    const plain = await makeUser('user', { email: 'plain@example.test' });
    expect((await loginWith(plain)).status).toBe(200);
    const flagged = await twoFactorUser();
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '0' });
    try {
      expect((await loginWith(flagged)).status).toBe(200);
    } finally {
      await setAdminSettings({ [TWO_FACTOR_SETTINGS.enabled]: '1' });
    }
  });

  it('checks the password before asking for a code', async () => {
    const user = await twoFactorUser();
    expect(await loginWith({ ...user, password: 'wrong' })).toEqual({ status: 401, json: { errors: 'Invalid username or password' } });
    expect(await mailedCodes(user)).toEqual([]);
  });
});

describe('v2 login with an emailed code', () => {
  it('emails a code on the first call and logs in with it once', async () => {
    const user = await twoFactorUser();
    expect(await loginWith(user)).toEqual(required('email'));
    const code = await lastCode(user);
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(await loginWith(user, wrongCode(code))).toEqual(refused('Invalid 2FA code', 'email'));
    const answer = await loginWith(user, code);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(await loginWith(user, code)).toEqual(refused('2FA code expired', 'email'));
  });

  it('refuses every code after too many wrong ones, until a new code is sent', async () => {
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.attempts]: '2' });
    const user = await twoFactorUser();
    await loginWith(user);
    const code = await lastCode(user);
    expect(await loginWith(user, wrongCode(code))).toEqual(refused('Invalid 2FA code', 'email'));
    expect(await loginWith(user, wrongCode(code))).toEqual(refused('Too many invalid 2FA codes', 'email'));
    expect(await loginWith(user, code)).toEqual(refused('Too many invalid 2FA codes', 'email'));
    expect(await loginWith(user)).toEqual(required('email'));
    const fresh = await lastCode(user);
    expect((await loginWith(user, fresh)).status).toBe(200);
  });

  it('uses the configured code length and validity', async () => {
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.codeLength]: '8', [TWO_FACTOR_SETTINGS.minutes]: '2' });
    const user = await twoFactorUser();
    const settings = await getSettings(0);
    await sendEmailCode(user, settings, FIXED);
    const code = await lastCode(user);
    expect(code).toMatch(/^[0-9]{8}$/);
    expect(await checkSecondFactor(user, 'email', code, settings, at(121))).toBe('expired');
    expect(await checkSecondFactor(user, 'email', code, settings, at(119))).toBe('ok');
  });

  it('keeps only a salted hash of the code, with a TTL', async () => {
    const user = await twoFactorUser();
    await loginWith(user);
    const code = await lastCode(user);
    const { db, TABLE_NAME } = await import('../../../lib/db/client.js');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const item = (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `TWOFA#${user.id}`, SK: 'EMAIL_CODE' } }))).Item!;
    expect(JSON.stringify(item)).not.toContain(code);
    expect(item.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(item.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(item.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 5 * 60);
  });
});

describe('v2 login with an authenticator app (fixed clock)', () => {
  async function enrolled() {
    const user = await twoFactorUser();
    const { secret, uri } = await startTotpEnrolment(user);
    expect(uri).toBe(`otpauth://totp/MOR%3A${user.username}?secret=${secret}&issuer=MOR&algorithm=SHA1&digits=6&period=30`);
    expect(await confirmTotpEnrolment(user, wrongCode(totpCode(secret, FIXED)), FIXED)).toBe(false);
    expect(await confirmTotpEnrolment(user, totpCode(secret, at(-30)), FIXED)).toBe(true);
    return { user, secret };
  }

  it('falls back to email while the app is not confirmed', async () => {
    const user = await twoFactorUser();
    await setUserTwoFactor(user.id, { method: 'totp' });
    await startTotpEnrolment(user);
    expect(await loginWith(user)).toEqual(required('email'));
  });

  it('asks for the app code (no email) and accepts it once', async () => {
    const { user, secret } = await enrolled();
    vi.useFakeTimers({ toFake: ['Date'], now: FIXED });
    expect(await loginWith(user)).toEqual(required('totp'));
    expect(await mailedCodes(user)).toEqual([]);
    // The enrolment used the previous step's code: it cannot log in again.
    expect(await loginWith(user, totpCode(secret, at(-30)))).toEqual(refused('Invalid 2FA code', 'totp'));
    expect((await loginWith(user, totpCode(secret, FIXED))).status).toBe(200);
    expect(await loginWith(user, totpCode(secret, FIXED))).toEqual(refused('Invalid 2FA code', 'totp'));
    // The next step's code, still within the ±1 step window.
    expect((await loginWith(user, totpCode(secret, at(30)))).status).toBe(200);
    expect(await loginWith(user, totpCode(secret, at(90)))).toEqual(refused('Invalid 2FA code', 'totp'));
  });

  it('locks the app out after too many wrong codes for the code validity time', async () => {
    await setAdminSettings({ [TWO_FACTOR_SETTINGS.attempts]: '2', [TWO_FACTOR_SETTINGS.minutes]: '5' });
    const { user, secret } = await enrolled();
    vi.useFakeTimers({ toFake: ['Date'], now: FIXED });
    const good = totpCode(secret, FIXED);
    expect(await loginWith(user, wrongCode(good))).toEqual(refused('Invalid 2FA code', 'totp'));
    expect(await loginWith(user, wrongCode(good))).toEqual(refused('Too many invalid 2FA codes', 'totp'));
    expect(await loginWith(user, good)).toEqual(refused('Too many invalid 2FA codes', 'totp'));
    vi.setSystemTime(at(5 * 60 + 1));
    expect((await loginWith(user, totpCode(secret, at(5 * 60 + 1)))).status).toBe(200);
  });
});
