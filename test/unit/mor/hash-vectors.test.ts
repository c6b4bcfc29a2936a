/** Every request/hash pair of MOR's own API test suite must verify with our hash rule. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashMatches, hashString, morHash } from '../../../lib/mor/hash.js';

const tsv = fileURLToPath(new URL('../../../../shared/mor_conformance/hash_vectors.tsv', import.meta.url));
const [header, ...rows] = readFileSync(tsv, 'utf8').trim().split('\n');
const columns = header!.split('\t');
const vectors = rows.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [columns[i], v])) as Record<string, string>);

/** Query parameters after the first `?` (one vector has `??u=admin`), last duplicate wins, blanks kept. */
const paramsOf = (url: string) => Object.fromEntries(new URLSearchParams(url.slice(url.indexOf('?') + 1)));

describe('MOR conformance hash vectors', () => {
  it('has all 465 vectors', () => expect(vectors).toHaveLength(465));

  it.each(vectors.map((v, i) => [i + 1, v.method, v] as const))('#%i %s', (_n, method, vector) => {
    const params = paramsOf(vector.url!);
    expect(hashString(method!, params)).toBe(vector.hash_string_before_secret);
    expect(morHash(method!, params, vector.secret!)).toBe(vector.expected_hash);
    expect(hashMatches(params.hash ?? vector.expected_hash, vector.expected_hash!)).toBe(true);
  });
});

describe('seed-page examples', () => {
  it.each([
    ['users_get', { u: 'admin', p: 'admin1', test: '1' }, 'secret', 'c420ef706a02e6449994b7575b25ef5f74cc722b'],
    ['user_balance_update', { user_id: '123', balance: '100' }, '456789', 'b1bef44691c237b574263e09b2838ad1e658e507'],
    ['card_from_group_sell', { id: '6', quantity: '2' }, '456789', '37086d860581fabc278413cd1a417d5c079f6eba'],
    ['cli_add', { cli_number: '1234678', device_id: '2', test: '1' }, 'secret', '1ba6df6ad2532aea7ca035be29b7dd63feb1df88'],
    ['system_version_get', {}, 'secret', 'e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4'],
  ] as const)('%s', (method, params, secret, expected) => {
    expect(morHash(method, params, secret)).toBe(expected);
  });

  it('normalises integers and drops values failing their format filter', () => {
    expect(hashString('user_details_get', { user_id: '007' })).toBe('7');
    expect(hashString('user_calls_get', { s_device: 'x1', calltype: 'nope', device: 'all' })).toBe('all');
  });

  it('compares in constant time and rejects missing or malformed hashes', () => {
    expect(hashMatches(undefined, 'abc')).toBe(false);
    expect(hashMatches('ab', 'abc')).toBe(false);
    expect(hashMatches('ABC', 'abc')).toBe(true);
  });
});
