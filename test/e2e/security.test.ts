/**
 * Issue 9's rules over real HTTP (osls offline → handlers → DynamoDB Local): IP allow-list hit and miss (IPv4, IPv6),
 * CIDR canonicalisation and range expansion, API permission groups, replay-safe signing (a replay refused),
 * 2FA by TOTP on the v2 login, and log redaction of what the offline server prints.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { morHash } from '../../lib/mor/hash.js';
import { errorOf, parseXml } from '../support/api.js';
import { postForm, useOfflineApi } from './offline.js';

// Dual stack, so one test can call from IPv6 (`::1`); IPv4 calls then arrive IPv4-mapped (`::ffff:127.0.0.1`).
const offline = useOfflineApi({ host: '::' });

async function post(route: string, params: Record<string, string>) {
  const response = await postForm(offline(), route, params);
  expect(response.status).toBe(200);
  return parseXml(await response.text());
}
const signed = (route: string, params: Record<string, string>, secret: string) =>
  post(route, { ...params, hash: morHash(route, params, secret) });

describe('security over HTTP', () => {
  it('IP allow-list: entries canonicalised and expanded; a caller outside the list is refused, inside it passes', async () => {
    const { makeReseller } = await import('../support/world.js');
    const { reseller, secret } = await makeReseller();
    const owner = String(reseller.id);
    const cidr = await signed('whitelisted_ip_add', { u: 'admin', owner_id: owner, ip: '2.2.2.1/24' }, 'secret');
    expect(JSON.stringify(cidr)).toContain('2.2.2.0/24');
    const range = await signed('whitelisted_ip_add', { u: 'admin', owner_id: owner, ip: '10.1.1.1-3' }, 'secret');
    expect(JSON.stringify(range)).toContain('10.1.1.3');
    expect(await signed('system_version_get', { u: reseller.username }, secret)).toEqual({ status: { error: 'Access Denied' } });
    await signed('whitelisted_ip_add', { u: 'admin', owner_id: owner, ip: '127.0.0.1' }, 'secret');
    expect((await signed('system_version_get', { u: reseller.username }, secret)).page.version).toBe('X19');
  });

  it('IP allow-list over IPv6: an IPv6 entry lets the ::1 caller in, the IPv4 caller (arriving IPv4-mapped) stays out', async () => {
    const { makeReseller } = await import('../support/world.js');
    const { reseller, secret } = await makeReseller();
    const added = await signed('whitelisted_ip_add', { u: 'admin', owner_id: String(reseller.id), ip: '0:0:0:0:0:0:0:1/128' }, 'secret');
    expect(added.page.whitelisted_ips.whitelisted_ip.ip).toBe('::1');
    const params = { u: reseller.username, hash: morHash('system_version_get', { u: reseller.username }, secret) };
    const overIpv6 = await postForm({ ...offline(), baseUrl: offline().baseUrlIpv6 }, 'system_version_get', params);
    expect(parseXml(await overIpv6.text()).page.version).toBe('X19');
    expect(await post('system_version_get', params)).toEqual({ status: { error: 'Access Denied' } });
  });

  it('API permission groups: a restricted user may call what its group grants, nothing else', async () => {
    const { makeUser } = await import('../support/world.js');
    const user = await makeUser('user');
    const group = await signed('api_permission_group_create', { u: 'admin', name: `ro${user.id}`, permissions: 'system_version_get:1' }, 'secret');
    const groupId = String(group.page.api_permission_group.id);
    expect(errorOf(await signed('api_permission_group_assign', { u: 'admin', user_id: String(user.id), group_id: groupId }, 'secret'))).toBeUndefined();
    expect((await signed('system_version_get', { u: user.username }, 'secret')).page.version).toBe('X19');
    expect(errorOf(await signed('user_details_get', { u: user.username }, 'secret'))).toBe('You are not authorized to use this functionality');
  });

  it('replay-safe signing: a fresh request passes, the same request again is refused', async () => {
    const { makeReseller } = await import('../support/world.js');
    const { updateSettings } = await import('../../lib/domain/settings.js');
    const { replaySignature } = await import('../../lib/domain/security.js');
    const { reseller, secret } = await makeReseller();
    await updateSettings(reseller.id, { API_Replay_Safe_Signing: '1' });
    const params = { u: reseller.username, ts: String(Math.floor(Date.now() / 1000)), nonce: randomBytes(12).toString('hex') };
    const hashed = { ...params, hash: morHash('system_version_get', params, secret) };
    const request = { ...hashed, signature: replaySignature('system_version_get', hashed, secret) };
    expect((await post('system_version_get', request)).page.version).toBe('X19');
    expect(await post('system_version_get', request)).toEqual({ status: { error: 'Incorrect hash' } });
  });

  it('2FA: the v2 login asks for the TOTP code, then accepts the current one', async () => {
    const { makeUser } = await import('../support/world.js');
    const { updateSettings } = await import('../../lib/domain/settings.js');
    const twoFactor = await import('../../lib/domain/two-factor.js');
    const user = await makeUser('user', { password: 'Passw0rd!' });
    await updateSettings(0, { '2FA_Enabled': '1' });
    await twoFactor.setUserTwoFactor(user.id, { enabled: true, method: 'totp' });
    const enrolment = await twoFactor.startTotpEnrolment(user);
    const { totpCode } = await import('../../lib/domain/totp.js');
    expect(await twoFactor.confirmTotpEnrolment(user, totpCode(enrolment.secret, new Date()))).toBe(true);
    const login = (headers: Record<string, string> = {}) =>
      fetch(`${offline().baseUrl}/v2/authentication/login`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${user.username}:Passw0rd!`).toString('base64')}`, ...headers },
      });
    const first = await login();
    expect(first.status).toBe(401);
    expect(await first.json()).toMatchObject({ errors: '2FA code required', two_factor: 'totp' });
    // A code of the next 30 s step (inside the ±1 window), since the enrolment consumed the current one.
    const second = await login({ 'x-2fa-code': totpCode(enrolment.secret, new Date(Date.now() + 30_000)) });
    expect(second.status).toBe(200);
    expect(await second.json()).toHaveProperty('access_token');
    await updateSettings(0, { '2FA_Enabled': '0' });
  });

  it('what the server logs never carries the password, the hash or the secret', async () => {
    const before = offline().output().length;
    await post('users_get', { u: 'admin', p: 'Sup3rSecretPw', hash: createHmac('sha1', 'x').update('y').digest('hex') });
    await post('users_get', { u: 'admin', p: 'Sup3rSecretPw', hash: 'broken', secret: 'TopSecretValue' });
    const printed = offline().output().slice(before);
    expect(printed).not.toContain('Sup3rSecretPw');
    expect(printed).not.toContain('TopSecretValue');
  });
});
