/** End to end over real HTTP: osls offline → bundled ESM handlers → DynamoDB Local. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { morHash } from '../../lib/mor/hash.js';
import { errorOf, parseXml } from '../support/api.js';
import { postForm, useOfflineApi } from './offline.js';

const offline = useOfflineApi();

const post = (route: string, params: Record<string, string>) => postForm(offline(), route, params);

describe('the API over HTTP', () => {
  it('users_get signed as on the seed page returns the admin', async () => {
    const response = await post('users_get', { u: 'admin', p: 'admin1', test: '1', hash: 'c420ef706a02e6449994b7575b25ef5f74cc722b' });
    expect(response.status).toBe(200);
    const xml = parseXml(await response.text());
    expect([xml.page.status.users.user].flat().map((u: any) => u.username)).toContain('admin');
  });

  it('answers at the old name, with a trailing slash and with a JSON body', async () => {
    const hash = morHash('system_version_get', {}, 'secret');
    for (const path of ['system_version_get', 'get_version', 'get_version/']) {
      const response = await post(path, { u: 'admin', hash });
      expect(parseXml(await response.text()).page.version, path).toBe('X19');
    }
    const json = await fetch(`${offline().baseUrl}/get_version`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ u: 'admin', hash }) });
    expect(parseXml(await json.text()).page.version).toBe('X19');
  });

  it('GET is refused by default with MOR’s filter envelope', async () => {
    const response = await fetch(`${offline().baseUrl}/system_version_get?u=admin&hash=${morHash('system_version_get', {}, 'secret')}`);
    expect(response.status).toBe(200);
    expect(parseXml(await response.text())).toEqual({ status: { error: 'GET Requests are disabled' } });
  });

  it('a wrong hash is Incorrect hash, never a 5xx', async () => {
    const response = await post('users_get', { u: 'admin', p: 'admin1', hash: 'nope' });
    expect(response.status).toBe(200);
    expect(errorOf(parseXml(await response.text()))).toBe('Incorrect hash');
  });

  it('v2: a gzipped CDR import (binary body) goes through API Gateway emulation intact', async () => {
    const login = await fetch(`${offline().baseUrl}/v2/authentication/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('admin:admin1').toString('base64')}` },
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const rows = Array.from({ length: 50 }, (_, i) => ({
      uniqueid: `e2e-gz-${Date.now()}-${i}`, calldate: '2025-03-01 10:00:00', user_id: '0', src: '100', dst: '37060000001',
      billsec: '10', disposition: 'ANSWERED', user_price: '0',
    }));
    const response = await fetch(`${offline().baseUrl}/v2/calls/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: gzipSync(JSON.stringify(rows)),
    });
    expect(await response.json()).toEqual({ imported: 50, duplicates: 0, errors: [] });
  });
});
