/**
 * DIDs: external numbers routed to devices, with MOR's lifecycle
 * Free → Reserved → Active → Closed → (after "Days for DID to close") Free, and Terminated.
 *
 * Keys: PK `DID#<id>`; marker `UNIQUE#DID#<number>` (holds didId: number look-ups and uniqueness);
 * GSI1 `DID_CLOSED#<yyyy-mm-dd>` (closed DIDs by release day, only while closed);
 * GSI2 `DID_RESELLER#<resellerId>` and GSI3 `DID_USER#<userId>` (tenant lists, sorted by number);
 * GSI4 `DIDS` (every DID, sorted by number).
 */
import { ConcurrentChangeError } from '../pipeline/errors.js';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { MorError } from '../pipeline/errors.js';
import type { AccessRules } from '../pipeline/access.js';
import { DEVICE_MANAGE } from './devices.js';
import type { UserRecord } from './users.js';
import { recordAction } from './action-log.js';
import { getSettings, setting, type Settings } from './settings.js';

export const DID_STATUSES = ['free', 'reserved', 'active', 'closed', 'terminated'] as const;
export type DidStatus = (typeof DID_STATUSES)[number];

export interface DidRecord {
  id: number;
  did: string;
  providerId: number;
  /** 0 = the admin's; else the reseller the DID is reserved to. */
  resellerId: number;
  /** 0 = none; the user the DID is reserved for / assigned to. */
  userId: number;
  deviceId: number;
  dialplanId: number;
  status: DidStatus;
  language: string;
  /** 0 = unlimited simultaneous calls. */
  callLimit: number;
  /** Max call duration in seconds (0 = no limit). */
  timeout: number;
  graceTime: number;
  comment: string;
  resellerComment: string;
  toneZone: string;
  callerIdNamePrefix: string;
  forward: string;
  failover1: string;
  failover2: string;
  /** Day (yyyy-mm-dd) a Closed DID becomes Free. */
  releaseDay?: string;
  closedAt?: string;
  createdAt: string;
  updatedAt: string;
  [more: string]: unknown;
}

/** E.164 as MOR allows it: a leading digit, then digits or latin letters, optionally ending in the wildcard `*`. */
export const DID_NUMBER = /^[0-9][0-9A-Za-z]*\*?$/;

export const DAYS_TO_CLOSE_SETTING = 'Days_for_DID_close';
export const daysToClose = (settings: Settings) => {
  const days = Number(setting(settings, DAYS_TO_CLOSE_SETTING, '90'));
  return Number.isSafeInteger(days) && days >= 0 ? days : 90;
};

export const didKeys = {
  did: (id: number) => ({ PK: `DID#${id}`, SK: 'DID' }),
  marker: (number: string) => keys.unique('DID', number),
  closed: (day: string, id: number) => ({ GSI1PK: `DID_CLOSED#${day}`, GSI1SK: `DID#${pad(id)}` }),
  byReseller: (resellerId: number, number: string, id: number) => ({ GSI2PK: `DID_RESELLER#${resellerId}`, GSI2SK: `${number}#${pad(id)}` }),
  byUser: (userId: number, number: string, id: number) => ({ GSI3PK: `DID_USER#${userId}`, GSI3SK: `${number}#${pad(id)}` }),
  inAll: (number: string, id: number) => ({ GSI4PK: 'DIDS', GSI4SK: `${number}#${pad(id)}` }),
};

/** The item of a DID: index keys follow its state (a user index only when it has a user, the release index only when closed). */
export function didItem(did: DidRecord): Record<string, unknown> {
  return {
    ...didKeys.did(did.id),
    ...(did.status === 'closed' && did.releaseDay ? didKeys.closed(did.releaseDay, did.id) : {}),
    ...didKeys.byReseller(did.resellerId, did.did, did.id),
    ...(did.userId ? didKeys.byUser(did.userId, did.did, did.id) : {}),
    ...didKeys.inAll(did.did, did.id),
    type: 'did',
    ...did,
  };
}

const toDid = (item: StoredItem) => withoutKeys<DidRecord>(item, 'type');

export async function getDid(id: number): Promise<DidRecord | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: didKeys.did(id) }));
  return result.Item && toDid(result.Item);
}

export async function findDidByNumber(number: string): Promise<DidRecord | undefined> {
  if (!number) return undefined;
  const marker = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: didKeys.marker(number) }));
  return marker.Item ? getDid(Number(marker.Item.didId)) : undefined;
}

/** Which DIDs a listing reads: every DID, a reseller's, or a user's. */
export type DidScope = 'all' | { resellerId: number } | { userId: number };

function scopeQuery(scope: DidScope) {
  if (scope === 'all') return { index: 'GSI4', pk: 'GSI4PK', sk: 'GSI4SK', value: 'DIDS' };
  if ('resellerId' in scope) return { index: 'GSI2', pk: 'GSI2PK', sk: 'GSI2SK', value: `DID_RESELLER#${scope.resellerId}` };
  return { index: 'GSI3', pk: 'GSI3PK', sk: 'GSI3SK', value: `DID_USER#${scope.userId}` };
}

/**
 * DIDs of a scope in number order, narrowed by `numberPrefix` (a key condition) and `accept` (applied while
 * reading), stopping once `limit` accepted DIDs are collected.
 */
export function queryDids(
  scope: DidScope,
  options: { numberPrefix?: string; accept?: (did: DidRecord) => boolean; limit?: number } = {},
): Promise<DidRecord[]> {
  const q = scopeQuery(scope);
  return queryPartition({
    index: q.index,
    partitionKey: [q.pk, q.value],
    ...(options.numberPrefix ? { sortKeyBeginsWith: [q.sk, options.numberPrefix] as const } : {}),
    limit: options.limit,
    accept: options.accept,
    map: toDid,
  });
}

/** Closed DIDs due for release on `day` (their GSI1 partition). */
export const closedDidsOfDay = (day: string) => queryPartition({ index: 'GSI1', partitionKey: ['GSI1PK', `DID_CLOSED#${day}`], map: toDid });

export const niceStatus = (status: DidStatus) => status.charAt(0).toUpperCase() + status.slice(1);

/** The lifecycle: which status may follow which (DID_Management.wiki). */
const TRANSITIONS: Record<DidStatus, readonly DidStatus[]> = {
  free: ['reserved', 'active', 'terminated'],
  reserved: ['free', 'active'],
  active: ['closed', 'free'],
  closed: ['free', 'terminated', 'active'],
  terminated: ['free'],
};

export const canMove = (from: DidStatus, to: DidStatus) => from === to || TRANSITIONS[from].includes(to);

/** Throws the clear lifecycle error when `did` may not move to `to`. */
export function assertTransition(did: DidRecord, to: DidStatus): void {
  if (!canMove(did.status, to)) {
    throw new MorError(`DID status cannot be changed from ${niceStatus(did.status)} to ${niceStatus(to)}`);
  }
}

export const addDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** The record after a status change, with the fields MOR resets on each state. */
export function withStatus(did: DidRecord, to: DidStatus, settings: Settings, at = new Date()): DidRecord {
  const next: DidRecord = { ...did, status: to, updatedAt: at.toISOString() };
  delete next.releaseDay;
  delete next.closedAt;
  if (to === 'closed') {
    next.closedAt = at.toISOString();
    next.releaseDay = addDays(at, daysToClose(settings));
    next.deviceId = 0;
  }
  if (to === 'free' || to === 'terminated') {
    next.userId = 0;
    next.deviceId = 0;
  }
  return next;
}

/** A put of the new version of a DID, conditional on the version read (optimistic locking by updatedAt). */
export function replaceDidItem(before: DidRecord, after: DidRecord) {
  return {
    Put: {
      TableName: TABLE_NAME,
      Item: didItem(after),
      ConditionExpression: 'attribute_exists(PK) AND updatedAt = :seen',
      ExpressionAttributeValues: { ':seen': before.updatedAt },
    },
  };
}

/** A DID write lost a race; the pipeline re-runs the method on fresh data. */
export class DidChangedError extends ConcurrentChangeError {}

/** Writes changed DIDs (and any extra items) in one transaction; an item changed meanwhile aborts all. */
export async function writeDids(changes: { before: DidRecord; after: DidRecord }[], extra: object[] = []): Promise<void> {
  const items = [...changes.map(({ before, after }) => replaceDidItem(before, after)), ...extra];
  if (items.length === 0) return;
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException') throw new DidChangedError('DID changed meanwhile');
    throw error;
  }
}

/** One change with its action-log entry (MOR logs each DID change). */
export async function saveDid(callerId: number, action: string, before: DidRecord, after: DidRecord, data = ''): Promise<void> {
  await writeDids([{ before, after }]);
  await logDidChange(callerId, action, before, after, data);
}

export const logDidChange = (callerId: number, action: string, before: DidRecord, after: DidRecord, data = '') =>
  recordAction({
    userId: callerId,
    action,
    target: 'did',
    targetId: after.id,
    data: after.did,
    data2: before.status === after.status ? data : `${before.status} -> ${after.status}`,
    data3: data,
  });

export function newDid(input: { id: number; did: string; providerId: number; resellerId: number; comment?: string; resellerComment?: string }): DidRecord {
  const now = new Date().toISOString();
  return {
    id: input.id,
    did: input.did,
    providerId: input.providerId,
    resellerId: input.resellerId,
    userId: 0,
    deviceId: 0,
    dialplanId: 0,
    status: 'free',
    language: 'en',
    callLimit: 0,
    timeout: 0,
    graceTime: 0,
    comment: input.comment ?? '',
    resellerComment: input.resellerComment ?? '',
    toneZone: '',
    callerIdNamePrefix: '',
    forward: '',
    failover1: '',
    failover2: '',
    createdAt: now,
    updatedAt: now,
  };
}

export function createDidItems(did: DidRecord): object[] {
  return [
    { Put: { TableName: TABLE_NAME, Item: { ...didKeys.marker(did.did), didId: did.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName: TABLE_NAME, Item: didItem(did), ConditionExpression: 'attribute_not_exists(PK)' } },
  ];
}

export function deleteDidItems(did: DidRecord): object[] {
  return [
    { Delete: { TableName: TABLE_NAME, Key: didKeys.marker(did.did) } },
    {
      Delete: {
        TableName: TABLE_NAME,
        Key: didKeys.did(did.id),
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': did.updatedAt },
      },
    },
  ];
}

/** Providers (owned by the provider domain): only what DIDs need, the owner and the hidden flag. */
export interface ProviderRef {
  id: number;
  userId: number;
  name: string;
  hidden?: boolean;
}

export async function getProvider(id: number): Promise<ProviderRef | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `PROVIDER#${id}`, SK: 'PROVIDER' } }));
  return result.Item as ProviderRef | undefined;
}

/** The DID owner a caller acts as: resellers their own id, admin and accountants 0. */
export const didOwnerOf = (caller: { id: number; usertype: string }) => (caller.usertype === 'reseller' ? caller.id : 0);

/** The accountant right over DIDs (1 read, 2 edit). */
export const MANAGE_DIDS = 'manage_dids_opt_1';
export const NOT_AUTHORIZED_DIDS = 'You are not authorized to manage DIDs';

/** Who may assign a device to a DID or take it away (did_device_assign / did_device_unassign). */
export const DID_DEVICE_ACCESS: AccessRules = {
  admin: true,
  reseller: true,
  accountant: { anyOf: [DEVICE_MANAGE, MANAGE_DIDS, 'user_manage'], level: 1 },
  notAuthorized: NOT_AUTHORIZED_DIDS,
};

/** An accountant changes DID assignments only with edit rights on DIDs (MOR's second check). */
export function assertMayChangeDidAssignment(caller: UserRecord): void {
  if (caller.usertype === 'accountant' && (caller.permissions?.[MANAGE_DIDS] ?? 0) < 2) throw new MorError(NOT_AUTHORIZED_DIDS);
}

/** The DID scope a caller lists: everything (admin, accountant), a reseller's, or a simple user's own. */
export function didScopeOf(caller: { id: number; usertype: string }): DidScope {
  if (caller.usertype === 'reseller') return { resellerId: caller.id };
  if (caller.usertype === 'user' || caller.usertype === 'partner') return { userId: caller.id };
  return 'all';
}

/** SQL LIKE (`%`, `_`) as a matcher, plus the literal prefix before the first wildcard (a key condition). */
export function likePattern(pattern: string): { prefix: string; exact: boolean; test: (value: string) => boolean } {
  const firstWildcard = pattern.search(/[%_]/);
  const prefix = firstWildcard < 0 ? pattern : pattern.slice(0, firstWildcard);
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  const regex = new RegExp(`^${source}$`, 'i');
  return { prefix, exact: firstWildcard < 0, test: (value) => regex.test(value) };
}

export const DID_NOT_FOUND = 'DID was not found';

/** A DID by id the caller owns (resellers: `resellerId` = caller; admin/accountant: 0), else MOR's not-found text. */
export async function didForCaller(caller: { id: number; usertype: string }, id: number, notFound = DID_NOT_FOUND): Promise<DidRecord> {
  const did = await getDid(id);
  if (!did || did.resellerId !== didOwnerOf(caller)) throw new MorError(notFound);
  return did;
}

/** A DID by number the caller owns, with the did_device_assign/unassign errors. */
export async function didByNumberForCaller(caller: { id: number; usertype: string }, number: string | undefined, notYours: string): Promise<DidRecord> {
  const did = number && DID_NUMBER.test(number) ? await findDidByNumber(number) : undefined;
  if (!did) throw new MorError(DID_NOT_FOUND);
  if (did.resellerId !== didOwnerOf(caller)) throw new MorError(notYours);
  return did;
}

/** How many past days the release job re-reads, so that missed runs are caught up. */
export const RELEASE_LOOKBACK_DAYS = 30;

/** Frees every Closed DID due on or before `now`'s day; each with its action-log entry (user 0, the system). */
export async function releaseClosedDids(now: Date): Promise<number> {
  const settings = await getSettings(0);
  let released = 0;
  for (let back = RELEASE_LOOKBACK_DAYS; back >= 0; back--) {
    for (const before of await closedDidsOfDay(addDays(now, -back))) {
      if (before.status !== 'closed') continue;
      const after = withStatus(before, 'free', settings, now);
      try {
        await saveDid(0, 'did_released', before, after, 'closed period over');
        released++;
      } catch (error) {
        if (!(error instanceof DidChangedError)) throw error; // changed by a user meanwhile: theirs wins
      }
    }
  }
  return released;
}

/** Bulk update from CSV (M4 "DIDs Bulk Update from CSV"). */
export const BULK_ACTIONS = ['change', 'delete', 'close_subscription'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** One TransactWrite holds 100 items; a deleted DID takes two (record + number marker). */
export const BULK_MAX_DIDS: Record<BulkAction, number> = { change: 100, close_subscription: 100, delete: 50 };

export interface BulkOptions {
  newStatus?: 'free' | 'terminated';
  callLimit?: number;
  timeout?: number;
  language?: string;
  comment?: string;
  clearForward?: boolean;
  clearFailover1?: boolean;
  clearFailover2?: boolean;
  clearCustomer?: boolean;
}

export interface BulkRow {
  number: string;
  did?: DidRecord;
  after?: DidRecord;
  ok: boolean;
  reason: string;
}

/** DID numbers from CSV text: one per line (commas, semicolons and quotes tolerated), blanks and duplicates dropped. */
export const csvNumbers = (csv: string) =>
  [...new Set(csv.split(/[\r\n,;]+/).map((v) => v.replace(/"/g, '').trim()).filter(Boolean))];

/** The per-DID analysis: what the action would do to each number, and why not where it cannot. */
export async function analyseBulk(
  caller: { id: number; usertype: string },
  numbers: string[],
  action: BulkAction,
  options: BulkOptions,
): Promise<BulkRow[]> {
  const settings = await getSettings(0);
  return Promise.all(
    numbers.map(async (number): Promise<BulkRow> => {
      const did = DID_NUMBER.test(number) ? await findDidByNumber(number) : undefined;
      if (!did || did.resellerId !== didOwnerOf(caller)) return { number, ok: false, reason: DID_NOT_FOUND };
      if (action === 'delete') {
        return did.status === 'free' || did.status === 'terminated'
          ? { number, did, ok: true, reason: 'Will be deleted' }
          : { number, did, ok: false, reason: 'Only Free or Terminated DIDs can be deleted' };
      }
      if (action === 'close_subscription') {
        if (did.status !== 'active' && did.status !== 'closed') return { number, did, ok: false, reason: 'DID is not assigned to Device' };
        const after = withStatus(did, 'closed', settings);
        if (options.clearForward) after.forward = '';
        if (options.clearFailover1) after.failover1 = '';
        if (options.clearFailover2) after.failover2 = '';
        if (options.clearCustomer) after.userId = 0;
        return { number, did, after, ok: true, reason: 'Subscription will be closed' };
      }
      let after: DidRecord = { ...did, updatedAt: new Date().toISOString() };
      if (options.newStatus && options.newStatus !== did.status) {
        if (!canMove(did.status, options.newStatus)) {
          return { number, did, ok: false, reason: `DID status cannot be changed from ${niceStatus(did.status)} to ${niceStatus(options.newStatus)}` };
        }
        after = withStatus(after, options.newStatus, settings);
      }
      if (options.callLimit !== undefined) after.callLimit = options.callLimit;
      if (options.timeout !== undefined) after.timeout = options.timeout;
      if (options.language !== undefined) after.language = options.language;
      if (options.comment !== undefined) after.comment = options.comment;
      return { number, did, after, ok: true, reason: 'Will be changed' };
    }),
  );
}

/** Applies an analysed bulk action in one transaction (all or nothing), then logs each DID. */
export async function applyBulk(callerId: number, action: BulkAction, rows: BulkRow[]): Promise<void> {
  const changes = rows.filter((r) => r.after).map((r) => ({ before: r.did!, after: r.after! }));
  const deletions = action === 'delete' ? rows.flatMap((r) => deleteDidItems(r.did!)) : [];
  await writeDids(changes, deletions);
  for (const row of rows) {
    if (row.after) await logDidChange(callerId, `did_bulk_${action}`, row.did!, row.after);
    else await recordAction({ userId: callerId, action: 'did_bulk_delete', target: 'did', targetId: row.did!.id, data: row.number });
  }
}
