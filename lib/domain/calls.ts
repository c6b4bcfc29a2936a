/**
 * Calls (CDRs): storage keyed for time-window queries, and idempotent ingest that charges prepaid
 * users. See docs/access/calls.md for the access patterns.
 *
 * One CDR is one item in its user's day partition `CALLS_USER#<user>#<utc day>` (SK `<iso>#<uniqueid>`),
 * indexed by source device (GSI1), reseller (GSI2), the admin's sharded all-calls day (GSI3) and
 * callback uniqueid (GSI4). A call with a destination user/device gets a second, "incoming" item in
 * that user's partition / device index. The marker `UNIQUE#CALL#<uniqueid>` makes ingest idempotent and
 * points to the main item. `CALL_DAYS#<scope>` lists the days a scope has calls, so a long window only
 * queries days that exist.
 */
import { BatchGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { isConditionalCancel, usersById, type UserRecord } from './users.js';
import { parseCdr, type CallRecord } from './calls-cdr.js';

export type { CallRecord } from './calls-cdr.js';

export const ALL_CALLS_SHARDS = 8;

export type CallScope =
  | { kind: 'user'; id: number }
  | { kind: 'device'; id: number }
  | { kind: 'reseller'; id: number }
  | { kind: 'all' };

const shardOf = (uniqueid: string) => {
  let h = 2166136261;
  for (let i = 0; i < uniqueid.length; i++) h = Math.imul(h ^ uniqueid.charCodeAt(i), 16777619);
  return (h >>> 0) % ALL_CALLS_SHARDS;
};

export const callKeys = {
  sortKey: (call: Pick<CallRecord, 'calldate' | 'uniqueid'>) => `${call.calldate}#${call.uniqueid}`,
  user: (userId: number, day: string) => `CALLS_USER#${userId}#${day}`,
  device: (deviceId: number, day: string) => `CALLS_DEVICE#${deviceId}#${day}`,
  reseller: (resellerId: number, day: string) => `CALLS_RESELLER#${resellerId}#${day}`,
  all: (day: string, shard: number) => `CALLS_ALL#${day}#${shard}`,
  callback: (callbackUniqueid: string) => `CALLS_CALLBACK#${callbackUniqueid}`,
  marker: (uniqueid: string) => keys.unique('CALL', uniqueid),
  days: (scope: CallScope) => ({ PK: `CALL_DAYS#${scope.kind.toUpperCase()}${'id' in scope ? `#${scope.id}` : ''}`, SK: 'DAYS' }),
};

/** The partitions (table or index) a scope's day lives in. */
export function partitionsOf(scope: CallScope, day: string): { index?: string; pkName: string; skName: string; pk: string }[] {
  switch (scope.kind) {
    case 'user':
      return [{ pkName: 'PK', skName: 'SK', pk: callKeys.user(scope.id, day) }];
    case 'device':
      return [{ index: 'GSI1', pkName: 'GSI1PK', skName: 'GSI1SK', pk: callKeys.device(scope.id, day) }];
    case 'reseller':
      return [{ index: 'GSI2', pkName: 'GSI2PK', skName: 'GSI2SK', pk: callKeys.reseller(scope.id, day) }];
    case 'all':
      return Array.from({ length: ALL_CALLS_SHARDS }, (_, shard) => ({
        index: 'GSI3', pkName: 'GSI3PK', skName: 'GSI3SK', pk: callKeys.all(day, shard),
      }));
  }
}

/** The owning reseller of a user's calls (a reseller's own calls count as its own). */
const resellerOfUser = (user: UserRecord | undefined) =>
  !user ? 0 : user.usertype === 'reseller' ? user.id : user.ownerId > 0 ? user.ownerId : 0;

/** The items of one call: main item, and an incoming copy when it reached another user/device. */
export function callItems(call: CallRecord, dstUser?: UserRecord) {
  const day = call.calldate.slice(0, 10);
  const sk = callKeys.sortKey(call);
  const main: Record<string, unknown> = {
    PK: callKeys.user(call.userId, day),
    SK: sk,
    ...(call.srcDeviceId > 0 ? { GSI1PK: callKeys.device(call.srcDeviceId, day), GSI1SK: sk } : {}),
    ...(call.resellerId > 0 ? { GSI2PK: callKeys.reseller(call.resellerId, day), GSI2SK: sk } : {}),
    GSI3PK: callKeys.all(day, shardOf(call.uniqueid)),
    GSI3SK: sk,
    ...(call.callbackUniqueid ? { GSI4PK: callKeys.callback(call.callbackUniqueid), GSI4SK: sk } : {}),
    entity: 'call',
    ...call,
  };
  const items = [main];
  const dstReseller = resellerOfUser(dstUser);
  const incomingToOther = call.dstUserId > 0 && call.dstUserId !== call.userId;
  const incomingDevice = call.dstDeviceId > 0 && call.dstDeviceId !== call.srcDeviceId;
  if (incomingToOther || incomingDevice) {
    items.push({
      ...(incomingToOther
        ? { PK: callKeys.user(call.dstUserId, day), SK: `${sk}#in` }
        : { PK: `CALLS_INCOMING#${call.uniqueid}`, SK: 'IN' }),
      ...(incomingDevice ? { GSI1PK: callKeys.device(call.dstDeviceId, day), GSI1SK: `${sk}#in` } : {}),
      ...(dstReseller > 0 && dstReseller !== call.resellerId
        ? { GSI2PK: callKeys.reseller(dstReseller, day), GSI2SK: `${sk}#in` }
        : {}),
      entity: 'call',
      incoming: true,
      ...call,
    });
  }
  return items;
}

/** Scopes whose day lists a call belongs to. */
function scopesOf(call: CallRecord, dstUser?: UserRecord): CallScope[] {
  const scopes: CallScope[] = [{ kind: 'all' }, { kind: 'user', id: call.userId }];
  if (call.dstUserId > 0) scopes.push({ kind: 'user', id: call.dstUserId });
  if (call.srcDeviceId > 0) scopes.push({ kind: 'device', id: call.srcDeviceId });
  if (call.dstDeviceId > 0) scopes.push({ kind: 'device', id: call.dstDeviceId });
  if (call.resellerId > 0) scopes.push({ kind: 'reseller', id: call.resellerId });
  const dstReseller = resellerOfUser(dstUser);
  if (dstReseller > 0) scopes.push({ kind: 'reseller', id: dstReseller });
  return scopes;
}

/** Days already recorded by this container (day lists only grow). */
const knownDays = new Set<string>();

async function recordDays(entries: Iterable<[string, Set<string>]>) {
  await mapLimit([...entries], 16, async ([pk, days]) => {
    const fresh = [...days].filter((day) => !knownDays.has(`${pk}|${day}`));
    if (fresh.length === 0) return;
    await db.send(new UpdateCommand({
      TableName: TABLE_NAME,
      Key: { PK: pk, SK: 'DAYS' },
      UpdateExpression: 'ADD #days :days',
      ExpressionAttributeNames: { '#days': 'days' },
      ExpressionAttributeValues: { ':days': new Set(fresh) },
    }));
    for (const day of fresh) knownDays.add(`${pk}|${day}`);
  });
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}


export interface IngestReport {
  imported: number;
  duplicates: number;
  errors: { index: number; uniqueid?: string; error: string }[];
}

const INGEST_CONCURRENCY = Number(process.env.CALLS_INGEST_CONCURRENCY ?? 16);
/** Items per transaction (DynamoDB allows 100; one is kept for the balance charge). */
const ITEMS_PER_TRANSACTION = 99;

interface Pending {
  index: number;
  call: CallRecord;
  items: Record<string, unknown>[];
}

const markerPut = (call: CallRecord) => ({
  Put: {
    TableName: TABLE_NAME,
    Item: { ...callKeys.marker(call.uniqueid), callPK: callKeys.user(call.userId, call.calldate.slice(0, 10)), callSK: callKeys.sortKey(call) },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

/** Uniqueids already stored (BatchGet on the markers), so known duplicates never enter a transaction. */
async function storedUniqueids(uniqueids: string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  const chunks: string[][] = [];
  for (let i = 0; i < uniqueids.length; i += 100) chunks.push(uniqueids.slice(i, i + 100));
  await mapLimit(chunks, 8, async (chunk) => {
    let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string }> | undefined = {
      [TABLE_NAME]: { Keys: chunk.map((id) => callKeys.marker(id)), ProjectionExpression: 'PK' },
    };
    for (let attempt = 0; request && Object.keys(request).length && attempt < 10; attempt++) {
      const result = await db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[TABLE_NAME] ?? []) stored.add(String(item.PK).slice('UNIQUE#CALL#'.length));
      request = result.UnprocessedKeys as typeof request;
    }
  });
  return stored;
}

/**
 * Writes a group of calls of ONE charged user (or of no charged user) in one transaction: every
 * marker (condition: new), the call items and, for a prepaid user, one ADD of the group's total
 * user_price. A marker that turns out to exist (a concurrent import) is dropped and the rest retried.
 */
async function storeGroup(group: Pending[], chargedUserId: number | undefined, report: IngestReport): Promise<void> {
  let pending = group;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const items: object[] = [];
    const owners: Pending[] = [];
    for (const p of pending) {
      items.push(markerPut(p.call));
      owners.push(p);
      for (const Item of p.items) items.push({ Put: { TableName: TABLE_NAME, Item } }), owners.push(p);
    }
    const total = pending.reduce((sum, p) => sum + p.call.userPrice, 0);
    if (chargedUserId !== undefined && total !== 0) {
      items.push({
        Update: {
          TableName: TABLE_NAME,
          Key: keys.user(chargedUserId),
          UpdateExpression: 'ADD balanceMicros :delta',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':delta': -total },
        },
      });
    }
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items as never }));
      report.imported += pending.length;
      return;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const failed = new Set(reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' && owners[i] ? [owners[i]!] : [])));
      if (failed.size > 0) {
        report.duplicates += failed.size;
        pending = pending.filter((p) => !failed.has(p));
        continue;
      }
      if (isConditionalCancel(error)) {
        for (const p of pending) report.errors.push({ index: p.index, uniqueid: p.call.uniqueid, error: 'user_id: User was not found' });
        return;
      }
      const name = (error as { name?: string }).name ?? '';
      if (attempt < 6 && /TransactionCanceled|TransactionConflict|Throttl|ProvisionedThroughput/.test(name)) {
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * Math.random()));
        continue;
      }
      throw error;
    }
  }
}

/** Splits calls into transactions of at most ITEMS_PER_TRANSACTION items. */
function chunkByItems(pending: Pending[]): Pending[][] {
  const chunks: Pending[][] = [];
  let current: Pending[] = [];
  let size = 0;
  for (const p of pending) {
    const cost = 1 + p.items.length;
    if (size + cost > ITEMS_PER_TRANSACTION) chunks.push(current), (current = []), (size = 0);
    current.push(p);
    size += cost;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Validates and stores CDRs. Each CDR is its own transaction (marker + items + balance charge), so a
 * duplicate or bad row never blocks the others; CDRs run in parallel, INGEST_CONCURRENCY at a time.
 */
export async function ingestCdrs(rows: readonly unknown[]): Promise<IngestReport> {
  const report: IngestReport = { imported: 0, duplicates: 0, errors: [] };
  const parsed = rows.map((row) => parseCdr(row));
  const valid: { index: number; call: CallRecord }[] = [];
  const seen = new Set<string>();
  parsed.forEach((result, index) => {
    if ('error' in result) {
      const uniqueid = (rows[index] as { uniqueid?: unknown } | null)?.uniqueid;
      report.errors.push({ index, ...(typeof uniqueid === 'string' ? { uniqueid } : {}), error: result.error });
    } else if (seen.has(result.call.uniqueid)) report.duplicates++;
    else {
      seen.add(result.call.uniqueid);
      valid.push({ index, call: result.call });
    }
  });

  const users = await usersById(valid.flatMap(({ call }) => [call.userId, call.dstUserId].filter((id) => id > 0 || id === call.userId)));
  const storable = valid.filter(({ index, call }) => {
    const missing = !users.has(call.userId) ? 'user_id' : call.dstUserId > 0 && !users.has(call.dstUserId) ? 'dst_user_id' : '';
    if (missing) report.errors.push({ index, uniqueid: call.uniqueid, error: `${missing}: User was not found` });
    return !missing;
  });

  const days = new Map<string, Set<string>>();
  for (const { call } of storable) {
    for (const scope of scopesOf(call, users.get(call.dstUserId))) {
      const pk = callKeys.days(scope).PK;
      if (!days.has(pk)) days.set(pk, new Set());
      days.get(pk)!.add(call.calldate.slice(0, 10));
    }
  }
  await recordDays(days);

  // One lane per charged (prepaid) user: its transactions run one after another, because concurrent
  // transactions on the same balance item conflict. Calls that charge nobody form lanes of their own.
  const stored = await storedUniqueids(storable.map(({ call }) => call.uniqueid));
  const lanes = new Map<string, { chargedUserId?: number; chunks: Pending[][] }>();
  const byLane = new Map<string, Pending[]>();
  for (const { index, call } of storable) {
    if (stored.has(call.uniqueid)) {
      report.duplicates++;
      continue;
    }
    const charged = !users.get(call.userId)!.postpaid && call.userPrice !== 0;
    const lane = charged ? `user#${call.userId}` : 'free';
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane)!.push({ index, call, items: callItems(call, users.get(call.dstUserId)) });
  }
  for (const [lane, pending] of byLane) {
    lanes.set(lane, { chargedUserId: lane === 'free' ? undefined : pending[0]!.call.userId, chunks: chunkByItems(pending) });
  }
  const work = [...lanes.values()].flatMap((lane) =>
    lane.chargedUserId === undefined
      ? lane.chunks.map((chunk) => async () => storeGroup(chunk, undefined, report))
      : [async () => {
          for (const chunk of lane.chunks) await storeGroup(chunk, lane.chargedUserId, report);
        }],
  );
  await mapLimit(work, INGEST_CONCURRENCY, (run) => run());
  report.errors.sort((a, b) => a.index - b.index);
  return report;
}
