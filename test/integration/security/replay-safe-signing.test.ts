import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { handler as usersGet } from '../../../functions/users/users_get.js';
import { actionsOfDay } from '../../../lib/domain/action-log.js';
import { replayCanonicalString, replaySignature } from '../../../lib/domain/security.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { callHandler, errorOf, sign } from '../../support/api.js';
import { ADMIN, makeReseller } from '../../support/world.js';

const now = () => Math.floor(Date.now() / 1000);
const nonce = () => randomBytes(12).toString('hex');

/** MOR's hash plus the replay-safe fields, as `npm run sign -- --replay-safe` produces them. */
function replaySafe(method: string, params: Record<string, string>, secret: string, fields: { ts?: number; nonce?: string } = {}) {
  const withFields = { ...params, ts: String(fields.ts ?? now()), nonce: fields.nonce ?? nonce() };
  const hashed = sign(method, withFields, secret);
  return { ...hashed, signature: replaySignature(method, hashed, secret) };
}

describe('the canonical string', () => {
  it('sorts, URL-encodes and separates, leaving out signature and hash', () => {
    expect(replayCanonicalString('m', { b: '2 3', a: '&=', hash: 'x', signature: 'y' })).toBe('m\na=%26%3D&b=2%203');
    // MOR's hash joins values without separators; the canonical string does not confuse these.
    expect(replayCanonicalString('m', { a: '12', b: '3' })).not.toBe(replayCanonicalString('m', { a: '1', b: '23' }));
  });

  it('matches the documented example (checked with python hmac)', () => {
    expect(replaySignature('system_version_get', { u: 'admin', ts: '1700000000', nonce: 'abcdef0123456789' }, 'secret'))
      .toBe('277c7f2e6e7d9c35581c917eb4ab16e935cba5e2696f9364f386fc38699a0c04');
  });
});

describe('replay-safe signing', () => {
  it('is off by default: plain MOR requests work', async () => {
    const { reseller, secret } = await makeReseller();
    expect((await callHandler(versionGet, { u: reseller.username }, { secret })).xml.page.version).toBe('X19');
  });

  it('when on, accepts a fresh signed request once and refuses a replay', async () => {
    const { reseller, user, secret } = await makeReseller();
    await updateSettings(reseller.id, { API_Replay_Safe_Signing: '1' });
    const request = replaySafe('system_version_get', { u: user.username }, secret);
    expect((await callHandler(versionGet, request)).xml.page.version).toBe('X19');
    expect((await callHandler(versionGet, request)).xml).toEqual({ status: { error: 'Incorrect hash' } });
    // A new nonce is a new request; nonces are per owner.
    expect((await callHandler(versionGet, replaySafe('system_version_get', { u: user.username }, secret))).xml.page.version).toBe('X19');
    // Only this owner's tree is affected.
    const other = await makeReseller();
    expect((await callHandler(versionGet, { u: other.reseller.username }, { secret: other.secret })).xml.page.version).toBe('X19');
  });

  it('refuses plain MOR requests, stale or future timestamps, bad signatures and tampering', async () => {
    const { reseller, secret } = await makeReseller();
    await updateSettings(reseller.id, { API_Replay_Safe_Signing: '1' });
    const u = reseller.username;
    const refused = async (params: Record<string, string>) => errorOf((await callHandler(versionGet, params)).xml);
    expect(await refused(sign('system_version_get', { u }, secret))).toBe('Incorrect hash');
    expect(await refused(replaySafe('system_version_get', { u }, secret, { ts: now() - 330 }))).toBe('Incorrect hash');
    expect(await refused(replaySafe('system_version_get', { u }, secret, { ts: now() + 330 }))).toBe('Incorrect hash');
    expect(await refused(replaySafe('system_version_get', { u }, secret, { nonce: 'short' }))).toBe('Incorrect hash');
    expect(await refused(replaySafe('system_version_get', { u }, 'wrong-key'))).toBe('Incorrect hash');
    const tampered = { ...replaySafe('system_version_get', { u }, secret), test: '1' };
    expect(await refused(tampered)).toBe('Incorrect hash');
    expect((await callHandler(versionGet, replaySafe('system_version_get', { u }, secret, { ts: now() - 290 }))).xml.page.version).toBe('X19');
    const errors = (await actionsOfDay(new Date().toISOString().slice(0, 10), 1000)).filter((a) => a.action === 'error').map((a) => a.data);
    expect(errors).toContain('API : Incorrect hash (replay-safe signing: stale or missing ts)');
    expect(errors).toContain('API : Incorrect hash (replay-safe signing: incorrect signature)');
  });

  it('applies to the admin tree and works with every encoding and method', async () => {
    await updateSettings(0, { API_Replay_Safe_Signing: '1' });
    try {
      for (const encoding of ['query', 'form', 'form-base64', 'json'] as const) {
        const request = replaySafe('users_get', { u: ADMIN.username, p: ADMIN.password }, ADMIN.secret);
        const answer = await callHandler(usersGet, request, { encoding, httpMethod: encoding === 'query' ? 'GET' : 'POST' });
        expect(errorOf(answer.xml), encoding).toBe(encoding === 'query' ? 'GET Requests are disabled' : undefined);
      }
      const replayed = replaySafe('users_get', { u: ADMIN.username, p: ADMIN.password }, ADMIN.secret);
      await callHandler(usersGet, replayed);
      expect(errorOf((await callHandler(usersGet, replayed)).xml)).toBe('Incorrect hash');
    } finally {
      await updateSettings(0, { API_Replay_Safe_Signing: '0' });
    }
    expect(errorOf((await callHandler(usersGet, { u: ADMIN.username, p: ADMIN.password }, { secret: ADMIN.secret })).xml)).toBeUndefined();
  });
});
