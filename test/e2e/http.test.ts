/** End to end over real HTTP: osls offline → bundled ESM handlers → DynamoDB Local. */
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
});
