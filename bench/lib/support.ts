/**
 * Helpers shared by the domain scenarios: env knobs, formatting, raw DynamoDB floors (GetItem,
 * BatchWrite) and a counter of DynamoDB round trips (a middleware on the shared client).
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { db, TABLE_NAME } from '../../lib/db/client.js';
import { keys } from '../../lib/db/keys.js';
import type { MorHandler } from '../../lib/pipeline/define-method.js';
import { buildEvent, sign } from '../../test/support/api.js';
import { percentiles, timeMany, type Percentiles } from './timing.js';

/** A numeric env knob (`BENCH_*`), with its default. */
export function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${text} is not a non-negative number`);
  return value;
}

/** Sequential samples per latency figure in a scenario (BENCH_SCENARIO_ITERATIONS, else min(BENCH_ITERATIONS, 300)). */
export const scenarioIterations = () => envNumber('BENCH_SCENARIO_ITERATIONS', Math.min(envNumber('BENCH_ITERATIONS', 2000), 300));

export const ms = (n: number) => n.toFixed(3);
export const secs = (millis: number) => (millis / 1000).toFixed(2);
export const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const check = (ok: boolean) => (ok ? '✓' : '✗');

/** Wall time of one call, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; millis: number }> {
  const start = performance.now();
  const result = await work();
  return { result, millis: performance.now() - start };
}

/** Raw GetItem of one user item, `iterations` sequential calls: the floor every scenario compares with. */
export async function getItemFloor(iterations: number, userId = 0): Promise<Percentiles> {
  return percentiles(await timeMany(iterations, () => db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.user(userId) }))));
}

/**
 * Sequential samples of several calls, interleaved (a, b, c, a, b, c, …) so that drift of a shared
 * machine hits every figure alike; `warmup` rounds first. Answers percentiles per name.
 */
export async function interleaved<K extends string>(iterations: number, calls: Record<K, () => Promise<unknown>>, warmup = 20): Promise<Record<K, Percentiles>> {
  const names = Object.keys(calls) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + iterations; round++) {
    for (const name of names) {
      const start = performance.now();
      await calls[name]();
      if (round >= warmup) samples[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((name) => [name, percentiles(samples[name])])) as Record<K, Percentiles>;
}

const benchContext = (): Context =>
  ({ awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 29_000, functionName: 'bench' }) as unknown as Context;

/**
 * A signed in-process call of a method handler, like callHandler in test/support/api.ts but without
 * parsing the XML answer (so timings are the product's, not the test harness's). Answers the raw result.
 */
export async function invoke(handler: MorHandler, params: Record<string, string>, secret: string): Promise<{ status: number; body: string }> {
  const method = handler.declaration.method;
  const result = (await handler(buildEvent(method, sign(method, params, secret)), benchContext())) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 200, body: String(result.body ?? '') };
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

/** Raw BatchWrite (25 items a request, `concurrency` requests in flight, unprocessed items retried); answers ms. */
export async function rawBatchWrite(items: Record<string, unknown>[], concurrency = 16): Promise<number> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const start = performance.now();
  await pool(batches, concurrency, async (batch) => {
    let request: Record<string, unknown[]> | undefined = { [TABLE_NAME]: batch.map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 * 2 ** attempt)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = result.UnprocessedItems as typeof request;
    }
  });
  return performance.now() - start;
}

/** Writes new items in transactions of 99, `concurrency` in flight (the transactional floor); answers the wall time. */
export async function rawTransactWrite(items: Record<string, unknown>[], concurrency = 16): Promise<number> {
  const transactions: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 99) transactions.push(items.slice(i, i + 99));
  const start = performance.now();
  await pool(transactions, concurrency, async (batch) => {
    await db.send(new TransactWriteCommand({
      TransactItems: batch.map((Item) => ({ Put: { TableName: TABLE_NAME, Item, ConditionExpression: 'attribute_not_exists(PK)' } })),
    }));
  });
  return performance.now() - start;
}

// ---- DynamoDB round trips ----------------------------------------------------------------------

const COUNTER = 'benchRoundTripCounter';
let counting: { byCommand: Map<string, number>; millis: number } | undefined;
let installed = false;

function installCounter() {
  if (installed) return;
  installed = true;
  // finalizeRequest / low priority: inside the SDK's retry loop, so every HTTP attempt counts once,
  // and after the client's own short-circuits (reads it answers without calling DynamoDB).
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const current = counting;
      if (!current) return next(args);
      const name = context.commandName ?? '?';
      current.byCommand.set(name, (current.byCommand.get(name) ?? 0) + 1);
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        current.millis += performance.now() - start;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: COUNTER },
  );
}

export interface RoundTrips {
  total: number;
  byCommand: Record<string, number>;
  /** Sum of the requests' durations (equals DynamoDB wait time when they ran one after another). */
  millis: number;
}

/** DynamoDB requests sent while `work` runs. Only meaningful when nothing else runs at the same time. */
export async function countRoundTrips<T>(work: () => Promise<T>): Promise<{ result: T; trips: RoundTrips }> {
  installCounter();
  const seen = { byCommand: new Map<string, number>(), millis: 0 };
  counting = seen;
  try {
    const result = await work();
    const total = [...seen.byCommand.values()].reduce((a, b) => a + b, 0);
    return { result, trips: { total, byCommand: Object.fromEntries(seen.byCommand), millis: seen.millis } };
  } finally {
    counting = undefined;
  }
}

/**
 * DynamoDB requests per call averaged over `calls` sequential calls (so a settings-cache refresh counts
 * at its real rate), with the wall time per call and the part of it spent in DynamoDB requests.
 */
export async function perCall(calls: number, call: (i: number) => Promise<unknown>): Promise<RoundTrips & { wallPerCall: number }> {
  const { trips, result } = await countRoundTrips(() => timed(async () => {
    for (let i = 0; i < calls; i++) await call(i);
  }));
  return {
    total: trips.total / calls,
    byCommand: Object.fromEntries(Object.entries(trips.byCommand).map(([name, n]) => [name, n / calls])),
    millis: trips.millis / calls,
    wallPerCall: result.millis / calls,
  };
}

const count = (n: number) => String(Number(n.toFixed(2)));

/** `4 (Query 1, GetItem 2, BatchGetItem 1)` from a count. */
export const tripsText = (trips: RoundTrips) =>
  `${count(trips.total)} (${Object.entries(trips.byCommand)
    .map(([name, n]) => `${name.replace(/Command$/, '')} ${count(n)}`)
    .join(', ')})`;

export type { Percentiles };
