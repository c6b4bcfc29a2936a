/**
 * Outbox: emails, webhooks and SMS are written as items in the table and delivered by a
 * function, so an API call never waits on (or fails because of) a mail server. Owned by the
 * outbox/warning-balance work; this is the contract other domains call.
 *
 * Item `OUTBOX#<id>`: written by `enqueue*` (alone, or inside a caller's transaction through
 * `outboxPut`), delivered by functions/jobs/outbox_deliver.ts (DynamoDB stream on insert, and a
 * schedule for retries). While undelivered it sits in the sparse GSI1 partition `OUTBOX_PENDING`
 * sorted by its next attempt time; delivery removes it from there. A failed attempt is retried
 * with exponential backoff until `OUTBOX_MAX_ATTEMPTS`, then the item is marked `failed`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { queryPartition } from '../db/query.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  body: string;
  /** The user the email is about or from (for tenancy and the action log). */
  userId?: number;
  from?: string;
}

export interface OutgoingWebhook {
  /** http:// or https:// only. */
  url: string;
  /** Sent as the JSON body, signed with `X-Morless-Signature: sha256=<hex HMAC>`. */
  payload: Record<string, unknown>;
  userId?: number;
}

export type OutboxMessage = { kind: 'email'; email: OutgoingEmail } | { kind: 'webhook'; webhook: OutgoingWebhook };

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxItem {
  id: string;
  kind: OutboxMessage['kind'];
  email?: OutgoingEmail;
  webhook?: OutgoingWebhook;
  status: OutboxStatus;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastError?: string;
  sentAt?: string;
}

const PENDING_PARTITION = 'OUTBOX_PENDING';
const PENDING_INDEX = 'GSI1';
/** Delivered and failed items stay readable for a while, then DynamoDB's TTL removes them. */
const KEEP_DONE_SECONDS = 30 * 24 * 3600;
const DEFAULT_SIGNING_SECRET = 'morless-dev-webhook-secret';

export const outboxKeys = {
  item: (id: string) => ({ PK: `OUTBOX#${id}`, SK: 'OUTBOX' }),
  pending: (nextAttemptAt: string, id: string) => ({ GSI1PK: PENDING_PARTITION, GSI1SK: `${nextAttemptAt}#${id}` }),
};

const maxAttempts = () => Number(process.env.OUTBOX_MAX_ATTEMPTS ?? 8);
const backoffBaseMillis = () => Number(process.env.OUTBOX_BACKOFF_BASE_MS ?? 30_000);
const backoffCapMillis = () => Number(process.env.OUTBOX_BACKOFF_CAP_MS ?? 3_600_000);
/** How long a claimed item is reserved for the deliverer that claimed it. */
const LEASE_MILLIS = 60_000;
const WEBHOOK_TIMEOUT_MILLIS = 10_000;

export const mailSinkFile = () => process.env.MAIL_SINK_FILE ?? '.data/mail-sink.jsonl';
const signingSecret = () => process.env.WEBHOOK_SIGNING_SECRET ?? DEFAULT_SIGNING_SECRET;

export const isWebhookUrl = (url: string) => /^https?:\/\/[^\s/]+/i.test(url);

/** Delay before attempt `attempts + 1`: base × 2^(attempts−1), capped. */
export function backoffMillis(attempts: number): number {
  return Math.min(backoffBaseMillis() * 2 ** Math.max(attempts - 1, 0), backoffCapMillis());
}

/** Time-ordered id, so items sort by creation. */
const newOutboxId = (now: Date) => `${now.getTime().toString().padStart(14, '0')}-${randomUUID()}`;

/** The Put of a new outbox item; use inside a TransactWrite so the message exists only if the change does. */
export function outboxPut(message: OutboxMessage, now = new Date()) {
  const id = newOutboxId(now);
  const at = now.toISOString();
  const item: OutboxItem = {
    id,
    kind: message.kind,
    ...(message.kind === 'email' ? { email: message.email } : { webhook: message.webhook }),
    status: 'pending',
    attempts: 0,
    createdAt: at,
    nextAttemptAt: at,
  };
  return {
    Put: {
      TableName: TABLE_NAME,
      Item: { ...outboxKeys.item(id), ...outboxKeys.pending(at, id), type: 'outbox', ...item },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

async function enqueue(message: OutboxMessage): Promise<string> {
  const put = outboxPut(message).Put;
  await db.send(new PutCommand(put));
  return String(put.Item.id);
}

export function enqueueEmail(email: OutgoingEmail): Promise<string> {
  return enqueue({ kind: 'email', email });
}

export function enqueueWebhook(webhook: OutgoingWebhook): Promise<string> {
  if (!isWebhookUrl(webhook.url)) throw new RangeError(`webhook URL must be http:// or https://: ${webhook.url}`);
  return enqueue({ kind: 'webhook', webhook });
}

// ---- delivery -------------------------------------------------------------------------------------

/** The HMAC header value receivers check: `sha256=<hex HMAC-SHA256 of the exact body>`. */
export const webhookSignature = (body: string, secret = signingSecret()) =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

async function sendEmail(email: OutgoingEmail, item: OutboxItem): Promise<void> {
  // The local transport: one JSON line per email in the mail sink (tests and `npm start` read it).
  const file = mailSinkFile();
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, JSON.stringify({ id: item.id, at: new Date().toISOString(), ...email }) + '\n', 'utf8');
}

async function sendWebhook(webhook: OutgoingWebhook, item: OutboxItem): Promise<void> {
  const body = JSON.stringify(webhook.payload);
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-morless-signature': webhookSignature(body),
      'x-morless-delivery': item.id,
    },
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MILLIS),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
}

const stripKeys = (item: Record<string, unknown>): OutboxItem => {
  const { PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, type: _e, leaseUntil: _f, expiresAt: _g, ...rest } = item;
  return rest as unknown as OutboxItem;
};

export async function getOutboxItem(id: string): Promise<OutboxItem | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: outboxKeys.item(id), ConsistentRead: true }));
  return result.Item ? stripKeys(result.Item) : undefined;
}

/** Reserves a pending, due item for one deliverer (stream and schedule may both see it). */
async function claim(id: string, now: Date): Promise<OutboxItem | undefined> {
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: outboxKeys.item(id),
        UpdateExpression: 'SET leaseUntil = :lease, attempts = attempts + :one',
        ConditionExpression:
          '#status = :pending AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':lease': new Date(now.getTime() + LEASE_MILLIS).toISOString(),
          ':one': 1,
          ':pending': 'pending',
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys(result.Attributes!);
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

async function markSent(item: OutboxItem, now: Date) {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: outboxKeys.item(item.id),
      UpdateExpression: 'SET #status = :sent, sentAt = :now, expiresAt = :expires REMOVE GSI1PK, GSI1SK, leaseUntil, lastError',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':now': now.toISOString(),
        ':expires': Math.floor(now.getTime() / 1000) + KEEP_DONE_SECONDS,
      },
    }),
  );
}

async function markFailedAttempt(item: OutboxItem, error: unknown, now: Date) {
  const message = String((error as Error)?.message ?? error).slice(0, 500);
  const giveUp = item.attempts >= maxAttempts();
  const next = new Date(now.getTime() + backoffMillis(item.attempts)).toISOString();
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: outboxKeys.item(item.id),
      ...(giveUp
        ? {
            UpdateExpression: 'SET #status = :failed, lastError = :error, expiresAt = :expires REMOVE GSI1PK, GSI1SK, leaseUntil',
            ExpressionAttributeValues: {
              ':failed': 'failed',
              ':error': message,
              ':expires': Math.floor(now.getTime() / 1000) + KEEP_DONE_SECONDS,
            },
          }
        : {
            UpdateExpression: 'SET nextAttemptAt = :next, GSI1SK = :sk, lastError = :error REMOVE leaseUntil',
            ExpressionAttributeValues: { ':next': next, ':sk': outboxKeys.pending(next, item.id).GSI1SK, ':error': message },
          }),
      ExpressionAttributeNames: giveUp ? { '#status': 'status' } : undefined,
    }),
  );
}

export type DeliveryResult = 'sent' | 'retry' | 'failed' | 'skipped';

/** Delivers one item if it is pending and due; records the outcome on the item. Never throws for a send failure. */
export async function deliverOutboxItem(id: string, now = new Date()): Promise<DeliveryResult> {
  const item = await claim(id, now);
  if (!item) return 'skipped';
  try {
    if (item.kind === 'email') await sendEmail(item.email!, item);
    else await sendWebhook(item.webhook!, item);
  } catch (error) {
    await markFailedAttempt(item, error, now);
    return item.attempts >= maxAttempts() ? 'failed' : 'retry';
  }
  await markSent(item, now);
  return 'sent';
}

/** Ids of the items due by `now`, oldest first. */
const dueItemIds = (now: Date, limit: number) =>
  queryPartition({
    index: PENDING_INDEX,
    partitionKey: ['GSI1PK', PENDING_PARTITION],
    sortKeyAtMost: ['GSI1SK', `${now.toISOString()}#~`],
    limit,
    map: (item) => String(item.id),
  });

/** Delivers every due item (the schedule's and the tests' entry point). */
export async function deliverPending(options: { now?: Date; limit?: number } = {}) {
  const now = options.now ?? new Date();
  const ids = await dueItemIds(now, options.limit ?? 100);
  const results: Record<DeliveryResult, number> = { sent: 0, retry: 0, failed: 0, skipped: 0 };
  // A few at a time: one slow webhook must not hold up the emails behind it.
  for (let i = 0; i < ids.length; i += 10) {
    for (const result of await Promise.all(ids.slice(i, i + 10).map((id) => deliverOutboxItem(id, now)))) results[result]++;
  }
  return results;
}
