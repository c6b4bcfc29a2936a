import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { handler as usersGet } from '../../../functions/users/users_get.js';
import { handler as conflinesUpdate } from '../../../functions/system/conflines_update.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { keys } from '../../../lib/db/keys.js';
import { getSettings } from '../../../lib/domain/settings.js';
import { createUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { withFault } from '../../support/faults.js';
import { ADMIN, uniqueName } from '../../support/world.js';

const signedUsersGet = () => callHandler(usersGet, { u: 'admin', p: ADMIN.password }, { secret: ADMIN.secret });

describe('injected DynamoDB faults', () => {
  it('throttling that persists: bounded retries, then a clear XML error', async () => {
    const { result, failedCalls } = await withFault({ name: 'ThrottlingException' }, signedUsersGet);
    expect(result.status).toBe(200);
    expect(errorOf(result.xml)).toBe('Service is busy, please retry');
    // Two reads in parallel (caller + settings), each tried at most DYNAMODB_MAX_ATTEMPTS times.
    expect(failedCalls).toBeLessThanOrEqual(2 * Number(process.env.DYNAMODB_MAX_ATTEMPTS));
  });

  it('transient throttling is absorbed by the retries', async () => {
    const { result } = await withFault({ name: 'ThrottlingException', times: 1 }, signedUsersGet);
    expect(errorOf(result.xml)).toBeUndefined();
    expect(result.xml.page.status.users).toBeDefined();
  });

  it('an unknown failure answers a generic XML error, never a stack trace', async () => {
    const { result } = await withFault({ name: 'SomethingBroke', command: /GetItem|Query/ }, signedUsersGet);
    expect(errorOf(result.xml)).toBe('Internal error');
    expect(result.body).not.toMatch(/\bat |Error:/);
  });

  it('a write that fails leaves the settings as they were', async () => {
    const before = await getSettings(0);
    const { result } = await withFault({ name: 'TimeoutError', command: /UpdateItem/ }, () =>
      callHandler(conflinesUpdate, { u: 'admin', default_user_balance: '77' }, { secret: ADMIN.secret }),
    );
    expect(errorOf(result.xml)).toBe('Service is busy, please retry');
    expect((await getSettings(0)).default_user_balance).toBe(before.default_user_balance);
  });

  it('a crash of a multi-item write leaves nothing half-written (user + username marker)', async () => {
    const username = uniqueName('crash');
    await withFault({ name: 'TransactionCanceledException', command: /TransactWriteItems/ }, () =>
      createUser({ username, password: 'Passw0rd!', usertype: 'user', ownerId: 0 }).catch(() => undefined),
    );
    const marker = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.unique('USERNAME', username) }));
    expect(marker.Item).toBeUndefined();
    const created = await createUser({ username, password: 'Passw0rd!', usertype: 'user', ownerId: 0 });
    expect(created.username).toBe(username);
  });
});

describe('logs', () => {
  it('an unexpected failure is logged with its request id, never with the password, hash or secret', async () => {
    // The Powertools logger writes JSON lines to process.stdout / process.stderr.
    const lines: string[] = [];
    const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const { result } = await withFault({ name: 'SomethingBroke', command: /Query/ }, signedUsersGet);
      expect(lines.join('\n')).toContain(result.headers['x-request-id']);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const output = lines.join('\n');
    expect(output).not.toContain(ADMIN.password);
    expect(output).not.toContain(ADMIN.secret);
  });
});
