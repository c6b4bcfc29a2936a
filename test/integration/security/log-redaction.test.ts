import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as usersGet } from '../../../functions/users/users_get.js';
import { log, redact } from '../../../lib/log.js';
import { callHandler, sign } from '../../support/api.js';
import { withFault } from '../../support/faults.js';
import { ADMIN } from '../../support/world.js';

/** Everything Powertools prints while `run` runs (it writes to process.stdout and, for errors, process.stderr). */
async function captureLogs<T>(run: () => Promise<T>): Promise<{ output: string; value: T }> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    const value = await run();
    return { output: lines.join(''), value };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('log redaction', () => {
  it('a failing request logs its request id but none of its p, hash or secret values', async () => {
    const secretParam = 'request-secret-value-7f3a';
    const signed = sign('users_get', { u: 'admin', p: ADMIN.password, secret: secretParam }, ADMIN.secret);
    const { output, value } = await captureLogs(() =>
      withFault({ name: 'SomethingBroke', command: /Query/ }, () => callHandler(usersGet, signed)));
    const requestId = value.result.headers['x-request-id']!;
    expect(requestId).toBeTruthy();
    const entry = JSON.parse(output.split('\n').find((line) => line.includes(requestId))!);
    expect(entry).toMatchObject({ level: 'ERROR', service: 'morless', requestId, method: 'users_get', error: { name: 'SomethingBroke' } });
    for (const sensitive of [ADMIN.password, signed.hash!, ADMIN.secret, secretParam]) expect(output).not.toContain(sensitive);
  });

  it('drops secret keys at any depth, even when the caller forgets to redact', async () => {
    const attributes = {
      requestId: 'req-1',
      params: { u: 'admin', p: 'pw-1', HASH: 'hash-1', pswd: 'pw-2', api_secret_key: 'key-1' },
      headers: [{ Authorization: 'Bearer tok-1' }, { signature: 'sig-1', token: 'tok-2' }],
      login: { password: 'pw-3', secret: 'sec-1', code: '123456' },
    };
    expect(redact(attributes)).toEqual({ requestId: 'req-1', params: { u: 'admin' }, headers: [{}, {}], login: {} });
    const { output } = await captureLogs(async () => log.error('failure', attributes));
    expect(JSON.parse(output)).toMatchObject({ message: 'failure', requestId: 'req-1', params: { u: 'admin' } });
    for (const sensitive of ['pw-1', 'hash-1', 'pw-2', 'key-1', 'tok-1', 'sig-1', 'tok-2', 'pw-3', 'sec-1', '123456']) {
      expect(output).not.toContain(sensitive);
    }
  });
});
