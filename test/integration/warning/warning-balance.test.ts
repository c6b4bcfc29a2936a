import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { keys } from '../../../lib/db/keys.js';
import { parseMicros } from '../../../lib/money.js';
import { deliverPending, enqueueEmail, enqueueWebhook, getOutboxItem, webhookSignature } from '../../../lib/domain/outbox.js';
import { getUser, type UserRecord } from '../../../lib/domain/users.js';
import {
  InvalidWebhookUrlError,
  ONLY_ONCE,
  onBalanceChanged,
  setWarningBalance,
  type WarningBalanceSettings,
} from '../../../lib/domain/warning-balance.js';
import { handler as outboxHandler } from '../../../functions/jobs/outbox_deliver.js';
import { handler as dailyHandler } from '../../../functions/jobs/warning_balance_daily.js';
import { makeReseller, makeUser } from '../../support/world.js';

const sinkDir = mkdtempSync(join(tmpdir(), 'mail-sink-'));
process.env.MAIL_SINK_FILE = join(sinkDir, 'mail.jsonl');
process.env.WEBHOOK_SIGNING_SECRET = 'test-signing-secret';

interface Mail { to: string; subject: string; body: string; userId?: number }
const mails = (): Mail[] =>
  existsSync(process.env.MAIL_SINK_FILE!)
    ? readFileSync(process.env.MAIL_SINK_FILE!, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Mail)
    : [];
const mailsTo = (to: string) => mails().filter((m) => m.to === to);

// ---- loopback webhook receiver -------------------------------------------------------------------------
interface Received { body: string; signature: string | undefined }
let server: Server;
let baseUrl = '';
const received: Received[] = [];
let failNext = 0;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('down');
      return;
    }
    received.push({ body, signature: req.headers['x-morless-signature'] as string | undefined });
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}`;
  await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: keys.user(0), UpdateExpression: 'SET email = :e', ExpressionAttributeValues: { ':e': 'admin@example.test' } }));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  failNext = 0;
});

// ---- helpers -----------------------------------------------------------------------------------------
const micros = (text: string) => Number(parseMicros(text));

/** A committed balance change as balance.ts makes it: one atomic ADD, then the warning hook. */
async function changeBalance(userId: number, delta: string) {
  const result = await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.user(userId),
      UpdateExpression: 'ADD balanceMicros :d',
      ExpressionAttributeValues: { ':d': micros(delta) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const user = (await getUser(userId))!;
  const current = BigInt(result.Attributes!.balanceMicros as number);
  await onBalanceChanged(user, current - parseMicros(delta), current);
}

async function warnedUser(settings: Partial<WarningBalanceSettings>, extra: Record<string, unknown> = {}, ownerId = 0) {
  const user = await makeUser('user', { ownerId, email: `u${Math.random().toString(36).slice(2)}@example.test`, balanceMicros: micros('100'), extra });
  await setWarningBalance(user.id, { active: true, thresholds: { user: micros('50') }, hour: ONLY_ONCE, ...settings });
  return (await getUser(user.id))!;
}

describe('warning balance, mode "only once when balance drops lower"', () => {
  it('emails user (override address), owner and webhook once per crossing, re-armed when the balance rises again', async () => {
    const user = await warnedUser({
      thresholds: { user: micros('50'), owner: micros('20') },
      email: 'warning@example.test',
      webhookUrl: `${baseUrl}/hook`,
    });

    await changeBalance(user.id, '-60'); // 100 → 40: crosses the user threshold only
    expect(await deliverPending()).toMatchObject({ sent: 2 });
    expect(mailsTo('warning@example.test')).toHaveLength(1);
    expect(mailsTo(user.email)).toHaveLength(0);
    expect(mailsTo('warning@example.test')[0]!.body).toContain('40.0000');

    expect(received).toHaveLength(1);
    const hook = received[0]!;
    expect(hook.signature).toBe(webhookSignature(hook.body, 'test-signing-secret'));
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'warning_balance', user_id: user.id, balance: '40.0000', warning_balance: '50.0000' });

    await changeBalance(user.id, '-5'); // still lower: nothing new
    await changeBalance(user.id, '-30'); // 35 → 5: crosses the owner threshold
    await deliverPending();
    expect(mailsTo('warning@example.test')).toHaveLength(1);
    expect(mailsTo('admin@example.test').filter((m) => m.userId === user.id)).toHaveLength(1);
    expect(received).toHaveLength(1);

    await changeBalance(user.id, '100'); // 5 → 105: re-armed
    await changeBalance(user.id, '-60'); // 105 → 45: a new crossing
    await deliverPending();
    expect(mailsTo('warning@example.test')).toHaveLength(2);
    expect(received).toHaveLength(2);
  });

  it('notifies once for concurrent crossings', async () => {
    const user = await warnedUser({});
    await Promise.all(Array.from({ length: 8 }, () => onBalanceChanged(user, parseMicros('100'), parseMicros('40'))));
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(1);
  });

  it('does nothing when inactive, and nothing in daily mode on the change itself', async () => {
    const inactive = await warnedUser({ active: false });
    const daily = await warnedUser({ hour: 9 });
    await changeBalance(inactive.id, '-60');
    await changeBalance(daily.id, '-60');
    await deliverPending();
    expect(mailsTo(inactive.email)).toHaveLength(0);
    expect(mailsTo(daily.email)).toHaveLength(0);
  });

  it("warns a reseller's user's owner (the reseller) and the responsible accountant", async () => {
    const { reseller } = await makeReseller();
    await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: keys.user(reseller.id), UpdateExpression: 'SET email = :e', ExpressionAttributeValues: { ':e': 'reseller@example.test' } }));
    const accountant = await makeUser('accountant', { email: 'acc@example.test' });
    const user = await warnedUser(
      { thresholds: { user: micros('50'), owner: micros('50'), accountant: micros('50') } },
      { responsibleAccountantId: accountant.id },
      reseller.id,
    );
    await changeBalance(user.id, '-60');
    await deliverPending();
    expect(mailsTo('reseller@example.test')).toHaveLength(1);
    expect(mailsTo('acc@example.test')).toHaveLength(1);
    expect(mailsTo(user.email)).toHaveLength(1);
  });

  it('refuses a webhook URL that is not http:// or https://', async () => {
    const user = await makeUser('user');
    await expect(setWarningBalance(user.id, { active: true, thresholds: {}, hour: ONLY_ONCE, webhookUrl: 'ftp://x' })).rejects.toBeInstanceOf(InvalidWebhookUrlError);
  });
});

describe('warning balance, mode "every day at HH" (hourly job)', () => {
  it("warns at HH in the user's time zone, once a day, while the balance stays lower", async () => {
    // Vilnius is UTC+3 in July: 09:00 local = 06:00 UTC.
    const user = await warnedUser({ hour: 9, webhookUrl: `${baseUrl}/daily` }, { timeZone: 'Europe/Vilnius', balanceMicros: micros('10') });
    const at = (iso: string) => dailyHandler({ time: iso });

    expect((await at('2026-07-01T05:00:00Z')).notified).toBe(0); // 08:00 local
    await at('2026-07-01T06:00:00Z');
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(1);
    expect(mailsTo(user.email)[0]!.body).toContain('10.0000');
    expect(JSON.parse(received[0]!.body)).toMatchObject({ mode: 'daily', user_id: user.id });

    await at('2026-07-01T06:30:00Z'); // same hour again (a retried run): no duplicate
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(1);

    await at('2026-07-02T06:00:00Z'); // next day
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(2);

    await changeBalance(user.id, '100'); // no longer lower
    await at('2026-07-03T06:00:00Z');
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(2);
  });

  it('follows daylight saving time (09:00 Vilnius is 07:00 UTC in winter)', async () => {
    const user = await warnedUser({ hour: 9 }, { timeZone: 'Vilnius', balanceMicros: micros('10') }); // MOR's zone name
    await dailyHandler({ time: '2026-12-01T06:00:00Z' });
    await dailyHandler({ time: '2026-12-01T07:00:00Z' });
    await deliverPending();
    expect(mailsTo(user.email)).toHaveLength(1);
  });
});

describe('outbox delivery', () => {
  it('retries a failing webhook with exponential backoff, recording attempts and the next attempt time', async () => {
    failNext = 2;
    const id = await enqueueWebhook({ url: `${baseUrl}/retry`, payload: { n: 1 } });
    const t0 = new Date();
    expect(await deliverPending({ now: t0 })).toMatchObject({ retry: 1 });
    let item = (await getOutboxItem(id))!;
    expect(item).toMatchObject({ status: 'pending', attempts: 1 });
    expect(Date.parse(item.nextAttemptAt) - t0.getTime()).toBe(30_000);

    expect(await deliverPending({ now: new Date(t0.getTime() + 1000) })).toMatchObject({ sent: 0, retry: 0 }); // not due yet
    const t1 = new Date(t0.getTime() + 30_000);
    await deliverPending({ now: t1 });
    item = (await getOutboxItem(id))!;
    expect(item).toMatchObject({ status: 'pending', attempts: 2 });
    expect(Date.parse(item.nextAttemptAt) - t1.getTime()).toBe(60_000);

    await deliverPending({ now: new Date(t1.getTime() + 60_000) });
    expect((await getOutboxItem(id))!).toMatchObject({ status: 'sent', attempts: 3 });
    expect(received).toHaveLength(1);
    expect(received[0]!.signature).toBe(webhookSignature('{"n":1}', 'test-signing-secret'));
  });

  it('gives up after the maximum number of attempts', async () => {
    process.env.OUTBOX_MAX_ATTEMPTS = '2';
    try {
      const id = await enqueueWebhook({ url: 'http://127.0.0.1:1/closed', payload: {} });
      const t0 = Date.now();
      await deliverPending({ now: new Date(t0) });
      await deliverPending({ now: new Date(t0 + 3_600_000) });
      expect(await getOutboxItem(id)).toMatchObject({ status: 'failed', attempts: 2 });
    } finally {
      delete process.env.OUTBOX_MAX_ATTEMPTS;
    }
  });

  it('delivers inserted items from a DynamoDB stream batch, once', async () => {
    const id = await enqueueEmail({ to: 'stream@example.test', subject: 's', body: 'b' });
    const record = { eventName: 'INSERT', dynamodb: { NewImage: { PK: { S: `OUTBOX#${id}` }, id: { S: id } } } };
    await outboxHandler({ Records: [record, { eventName: 'MODIFY', dynamodb: { NewImage: { PK: { S: 'USER#1' } } } }] });
    await outboxHandler({ Records: [record] }); // a redelivered batch
    await deliverPending();
    expect(mailsTo('stream@example.test')).toHaveLength(1);
    expect(await getOutboxItem(id)).toMatchObject({ status: 'sent' });
  });

  it('refuses to enqueue a webhook without http:// or https://', async () => {
    expect(() => enqueueWebhook({ url: 'javascript:alert(1)', payload: {} })).toThrow();
  });
});

export type { UserRecord };
