/**
 * Call search for user_calls_get and GET /api/v2/calls: who may see which calls (scope), the filters
 * and orderings of MOR's "Last calls", and paging. A search reads only the day partitions of one
 * scope (user, device, reseller or the admin's all-calls shards) inside the window, and only days that
 * scope has calls on, so its cost follows the calls it returns, not the table.
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { canManageUser } from '../pipeline/access.js';
import { callKeys, mapLimit, partitionsOf, type CallRecord, type CallScope } from './calls.js';
import { isoSecond, todayWindow, utcDaysBetween } from './calls-time.js';
import { getUser, usersById, type UserRecord } from './users.js';

export const CALL_TYPES = ['all', 'answered', 'no answer', 'failed', 'busy'] as const;

export const ORDER_KEYS = [
  'time', 'src', 'dst', 'prefix', 'nice_billsec', 'hgc', 'server', 'p_name', 'p_rate', 'p_price', 'reseller',
  'r_rate', 'r_price', 'user', 'u_rate', 'u_price', 'number', 'd_provider', 'd_inc', 'd_owner',
] as const;

/** The filters both interfaces share, as raw strings (MOR's names). */
export interface CallFilters {
  period_start?: string;
  period_end?: string;
  s_user?: string;
  s_reseller?: string;
  s_call_type?: string;
  s_device?: string;
  s_provider?: string;
  s_hgc?: string;
  s_did?: string;
  s_destination?: string;
  order_by?: string;
  order_desc?: string;
  only_did?: string;
  s_uniqueid?: string;
  s_callback_uniqueid?: string;
}

/** Why a search is refused: the caller may not see that user (legacy `User was not found`, v2 403). */
export class CallsNotVisible extends Error {}

export interface CallSearchResult {
  calls: CallRecord[];
  total: number;
  names: Map<number, UserRecord>;
  window: { start: number; end: number };
  echo: { user: string; device: string; status: string; provider: string; hgc: string; reseller: string; did: string; destination: string };
}

const DIGITS = /^[0-9]+$/;
const digitsOrAll = (value: string | undefined) => (value && (DIGITS.test(value) || value === 'all') ? value : 'all');
const isStaff = (caller: UserRecord) => caller.usertype === 'admin' || caller.usertype === 'accountant';

interface ResolvedScope {
  scope: CallScope;
  userId?: number;
  resellerId?: number;
  /** The s_user read while resolving (reused for the names of the answer). */
  user?: UserRecord;
  /** The scope's day list, when it was read early. */
  days?: Promise<Set<string>>;
}

/** The calls a caller may see, narrowed by s_user / s_reseller: a scope, plus the ids a call must match. */
async function resolveScope(caller: UserRecord, filters: CallFilters): Promise<ResolvedScope> {
  const sUser = filters.s_user ?? 'all';
  const sReseller = filters.s_reseller && filters.s_reseller !== 'all' ? filters.s_reseller : undefined;
  if (sUser !== 'all') {
    if (!DIGITS.test(sUser) || !Number.isSafeInteger(Number(sUser))) throw new CallsNotVisible();
    const scope: CallScope = { kind: 'user', id: Number(sUser) };
    // The user's day list is read alongside the user (one round trip); it is used only once the user is visible.
    const days = daysWithCalls(scope);
    days.catch(() => undefined);
    const user = await getUser(scope.id);
    if (!user || user.deleted || !canManageUser(caller, user)) throw new CallsNotVisible();
    const reseller = isStaff(caller) && sReseller && DIGITS.test(sReseller) ? Number(sReseller) : undefined;
    return { scope, userId: user.id, resellerId: reseller, user, days };
  }
  switch (caller.usertype) {
    case 'admin':
    case 'accountant': {
      if (!sReseller) return { scope: { kind: 'all' } as CallScope };
      const reseller = DIGITS.test(sReseller) ? await getUser(Number(sReseller)) : undefined;
      if (!reseller || reseller.usertype !== 'reseller') throw new CallsNotVisible();
      return { scope: { kind: 'reseller', id: reseller.id } as CallScope, resellerId: reseller.id };
    }
    case 'reseller':
      return { scope: { kind: 'reseller', id: caller.id } as CallScope, resellerId: caller.id };
    case 'partner': {
      const reseller = sReseller && DIGITS.test(sReseller) ? await getUser(Number(sReseller)) : undefined;
      if (!reseller || reseller.usertype !== 'reseller' || !canManageUser(caller, reseller)) throw new CallsNotVisible();
      return { scope: { kind: 'reseller', id: reseller.id } as CallScope, resellerId: reseller.id };
    }
    default:
      return { scope: { kind: 'user', id: caller.id } as CallScope, userId: caller.id };
  }
}

/** Whether a call belongs to the resolved scope (used when another partition, e.g. a device, is read). */
function inScope(call: CallRecord, scope: { userId?: number; resellerId?: number }, owners: Map<number, UserRecord>) {
  if (scope.userId !== undefined && call.userId !== scope.userId && call.dstUserId !== scope.userId) return false;
  if (scope.resellerId !== undefined) {
    const dstOwner = owners.get(call.dstUserId);
    const ownedDst = dstOwner && (dstOwner.ownerId === scope.resellerId || dstOwner.id === scope.resellerId);
    if (call.resellerId !== scope.resellerId && call.userId !== scope.resellerId && !ownedDst) return false;
  }
  return true;
}

async function queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function daysWithCalls(scope: CallScope): Promise<Set<string>> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: callKeys.days(scope), ProjectionExpression: '#d', ExpressionAttributeNames: { '#d': 'days' } }));
  return new Set((result.Item?.days as Set<string> | undefined) ?? []);
}

/** Calls of a scope within [start, end] (unix seconds), one Query per existing day partition, in parallel. */
async function callsInWindow(scope: CallScope, start: number, end: number, knownDays?: Promise<Set<string>>): Promise<CallRecord[]> {
  const existing = await (knownDays ?? daysWithCalls(scope));
  const days = existing.size === 0 ? [] : utcDaysBetween(start, end).filter((day) => existing.has(day));
  const from = isoSecond(start * 1000);
  const to = `${isoSecond(end * 1000)}#\uffff`;
  const partitions = days.flatMap((day) => partitionsOf(scope, day));
  const pages = await mapLimit(partitions, 16, (p) =>
    queryAll({
      TableName: TABLE_NAME,
      ...(p.index ? { IndexName: p.index } : {}),
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': p.pkName, '#sk': p.skName },
      ExpressionAttributeValues: { ':pk': p.pk, ':from': from, ':to': to },
    }),
  );
  return dedupe(pages.flat() as unknown as CallRecord[]);
}

function dedupe(calls: CallRecord[]): CallRecord[] {
  const byId = new Map<string, CallRecord>();
  for (const call of calls) if (!byId.has(call.uniqueid)) byId.set(call.uniqueid, call);
  return [...byId.values()];
}

/** s_uniqueid: the marker points to the call's main item (dates are ignored). */
async function callByUniqueid(uniqueid: string): Promise<CallRecord[]> {
  const marker = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: callKeys.marker(uniqueid) }));
  if (!marker.Item?.callPK) return [];
  const result = await db.send(new BatchGetCommand({
    RequestItems: { [TABLE_NAME]: { Keys: [{ PK: marker.Item.callPK, SK: marker.Item.callSK }] } },
  }));
  return (result.Responses?.[TABLE_NAME] ?? []) as unknown as CallRecord[];
}

const callsByCallbackUniqueid = async (callbackUniqueid: string) =>
  (await queryAll({
    TableName: TABLE_NAME,
    IndexName: 'GSI4',
    KeyConditionExpression: 'GSI4PK = :pk',
    ExpressionAttributeValues: { ':pk': callKeys.callback(callbackUniqueid) },
  })) as unknown as CallRecord[];

const DISPOSITION_OF: Record<string, string> = { answered: 'ANSWERED', 'no answer': 'NO ANSWER', no_answer: 'NO ANSWER', failed: 'FAILED', busy: 'BUSY' };

export const niceUser = (user: UserRecord | undefined) =>
  !user ? '' : user.firstName || user.lastName ? `${user.firstName} ${user.lastName}`.trim() : user.username;

type SortValue = string | number;
function sortValue(call: CallRecord, orderBy: string, names: Map<number, UserRecord>): SortValue {
  switch (orderBy) {
    case 'src': return call.src;
    case 'dst': return call.dst;
    case 'prefix': return call.prefix;
    case 'nice_billsec': return call.billsec;
    case 'hgc': return call.hangupcause;
    case 'server': return call.serverId;
    case 'p_name': return call.providerName;
    case 'p_rate': return call.providerRate;
    case 'p_price': return call.providerPrice;
    case 'reseller': return call.resellerId > 0 ? niceUser(names.get(call.resellerId)) : '';
    case 'r_rate': return call.resellerRate;
    case 'r_price': return call.resellerPrice;
    case 'user': return niceUser(names.get(call.userId));
    case 'u_rate': return call.userRate;
    case 'u_price': return call.userPrice;
    case 'number': return call.did;
    case 'd_provider': return call.didProvPrice;
    case 'd_inc': return call.didIncPrice;
    case 'd_owner': return call.didPrice;
    default: return call.calldate;
  }
}

const compare = (a: SortValue, b: SortValue) => (a < b ? -1 : a > b ? 1 : 0);

export interface SearchOptions {
  /** Filters only staff may use (MOR: s_did admin only; s_provider admin / reseller with own providers; s_hgc reseller when allowed). */
  resellerMayFilterProvider?: boolean;
  resellerMayFilterHgc?: boolean;
  now?: number;
}

/** Runs a search; throws CallsNotVisible when the caller may not see the requested user. */
export async function searchCalls(caller: UserRecord, filters: CallFilters, options: SearchOptions = {}): Promise<Omit<CallSearchResult, 'calls'> & { all: CallRecord[] }> {
  const resolved = await resolveScope(caller, filters);
  const today = todayWindow(options.now);
  const start = filters.period_start && DIGITS.test(filters.period_start) ? Number(filters.period_start) : today.start;
  const end = filters.period_end && DIGITS.test(filters.period_end) ? Number(filters.period_end) : today.end;

  const device = digitsOrAll(filters.s_device);
  const staff = isStaff(caller);
  const reseller = caller.usertype === 'reseller';
  const provider = digitsOrAll(filters.s_provider);
  const hgc = filters.s_hgc && DIGITS.test(filters.s_hgc) && Number(filters.s_hgc) > 0 ? filters.s_hgc : 'all';
  const did = digitsOrAll(filters.s_did);
  const destination = /^[0-9%]+$/.test((filters.s_destination ?? '').trim()) ? filters.s_destination!.trim() : '';
  const callType = filters.s_call_type ?? 'all';

  let candidates: CallRecord[];
  if (filters.s_uniqueid) candidates = await callByUniqueid(filters.s_uniqueid);
  else if (filters.s_callback_uniqueid) candidates = dedupe(await callsByCallbackUniqueid(filters.s_callback_uniqueid));
  else {
    candidates = device !== 'all'
      ? await callsInWindow({ kind: 'device', id: Number(device) }, start, end)
      : await callsInWindow(resolved.scope, start, end, resolved.days);
  }

  const needsDstOwners = resolved.resellerId !== undefined;
  const owners = needsDstOwners ? await usersById(candidates.map((c) => c.dstUserId).filter((id) => id > 0)) : new Map();
  const destinationPattern = destination ? new RegExp(`^${destination.replace(/%/g, '.*')}`) : undefined;
  const useProvider = provider !== 'all' && (staff || (reseller && options.resellerMayFilterProvider));
  const useHgc = hgc !== 'all' && (staff || (reseller && options.resellerMayFilterHgc));
  const useDid = did !== 'all' && staff;

  const matching = candidates.filter((call) =>
    inScope(call, resolved, owners) &&
    (device === 'all' || call.srcDeviceId === Number(device) || call.dstDeviceId === Number(device)) &&
    (callType === 'all' || !DISPOSITION_OF[callType] || call.disposition === DISPOSITION_OF[callType]) &&
    (!useProvider || call.providerId === Number(provider)) &&
    (!useHgc || call.hangupcause === Number(hgc)) &&
    (!useDid || call.didId === Number(did)) &&
    (!destinationPattern || destinationPattern.test(call.dst)) &&
    (filters.only_did !== '1' || call.didId > 0),
  );

  const names = await usersById(matching.flatMap((c) => [c.userId, c.resellerId]), [caller, resolved.user, ...owners.values()]);
  const orderBy = (ORDER_KEYS as readonly string[]).includes(filters.order_by ?? '') ? filters.order_by! : 'time';
  const direction = filters.order_desc === '1' ? -1 : 1;
  const sorted = matching
    .map((call) => ({ call, key: sortValue(call, orderBy, names) }))
    .sort((a, b) => direction * (compare(a.key, b.key) || compare(a.call.calldate, b.call.calldate) || compare(a.call.uniqueid, b.call.uniqueid)))
    .map(({ call }) => call);

  return {
    all: sorted,
    total: sorted.length,
    names,
    window: { start, end },
    echo: {
      user: filters.s_user || 'all',
      device,
      status: callType,
      provider,
      hgc,
      reseller: filters.s_reseller || 'all',
      did,
      destination,
    },
  };
}
