/**
 * MOR API Permission Groups: per-method ACL templates (Disabled 0 / Read 1 / Write 2). A user or
 * accountant with "API restricted" (here: a group assigned) may call a method only when its group
 * grants the level the method needs. Admins and resellers are never restricted; `callback_init` is
 * hash-only in MOR and exempt.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition } from '../db/query.js';
import type { UserRecord } from './users.js';

export type ApiLevel = 0 | 1 | 2;
export const API_LEVEL = { disabled: 0, read: 1, write: 2 } as const;

/** Methods that only read: a group can give them Disabled or Read. Every other method needs Write. */
const READ_ONLY_METHODS = [
  'user_balance_get', 'user_simple_balance_get', 'user_balance_get_by_psw', 'user_balance_get_by_username',
  'card_group_get', 'card_balance_get', 'calling_cards_get', 'cc_groups_get', 'user_calls_get', 'credit_notes_get',
  'devices_get', 'device_callflow_get', 'cli_info_get', 'device_clis_get', 'device_details_get', 'dids_get',
  'financial_statements_get', 'invoices_get', 'payments_get', 'phonebooks_get', 'quickforwards_dids_get', 'rate_get',
  'tariff_rates_get', 'services_get', 'subscriptions_get', 'user_details_get', 'system_version_get', 'users_get',
  'user_login', 'user_logout', 'whitelisted_ips_get', 'integrity_check_get', 'api_permission_groups_get',
] as const;

/** Methods MOR shows in the template but never checks (legacy uniquehash callers). */
export const ACL_EXEMPT_METHODS: ReadonlySet<string> = new Set(['callback_init']);

/** The one table: method → level it requires (read-only methods Read; anything else, known or not, Write). */
export const REQUIRED_LEVEL: Readonly<Record<string, ApiLevel>> = Object.fromEntries(
  READ_ONLY_METHODS.map((method) => [method, API_LEVEL.read]),
);

export const requiredLevel = (method: string): ApiLevel => REQUIRED_LEVEL[method] ?? API_LEVEL.write;

export interface PermissionGroup {
  id: number;
  name: string;
  /** Granted level by method name; a method not listed is Disabled. */
  levels: Record<string, ApiLevel>;
}

export const permissionGroupKeys = {
  group: (id: number) => ({ PK: `APIPERMGROUP#${id}`, SK: 'GROUP' }),
  /** GSI1: every group in id order. */
  inList: (id: number) => ({ GSI1PK: 'APIPERMGROUP#ALL', GSI1SK: `GROUP#${pad(id)}` }),
  name: (name: string) => keys.unique('APIPERMGROUP', name.toLowerCase()),
};

/** Users restricted by a group: simple users and accountants with one assigned. */
export const restrictedGroupId = (user: UserRecord): number | undefined =>
  (user.usertype === 'user' || user.usertype === 'accountant') && typeof user.apiPermissionGroupId === 'number' &&
  user.apiPermissionGroupId > 0 ? user.apiPermissionGroupId : undefined;

/**
 * Parses `method:level,method:level` (level 0, 1 or 2). Returns the levels, or the first invalid
 * entry's problem: a read-only method cannot be given Write.
 */
export function parseLevels(text: string | undefined): { levels: Record<string, ApiLevel> } | { error: 'format' | 'read-only' } {
  const levels: Record<string, ApiLevel> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9_/]+):([012])$/.exec(part);
    if (!match) return { error: 'format' };
    const level = Number(match[2]) as ApiLevel;
    if (level > requiredLevel(match[1]!)) return { error: 'read-only' };
    levels[match[1]!] = level;
  }
  return { levels };
}

export function grants(group: PermissionGroup | undefined, method: string): boolean {
  const granted = group?.levels[method] ?? API_LEVEL.disabled;
  return granted >= requiredLevel(method);
}

const toGroup = (item: Record<string, unknown>): PermissionGroup => ({
  id: Number(item.id),
  name: String(item.name),
  levels: (item.levels ?? {}) as Record<string, ApiLevel>,
});

const cacheMillis = () => Number(process.env.SETTINGS_CACHE_MS ?? 5000);
const cache = new Map<number, { at: number; group: PermissionGroup | undefined }>();

export async function getPermissionGroup(id: number, options: { fresh?: boolean } = {}): Promise<PermissionGroup | undefined> {
  const cached = cache.get(id);
  if (!options.fresh && cached && Date.now() - cached.at < cacheMillis()) return cached.group;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: permissionGroupKeys.group(id) }));
  const group = result.Item ? toGroup(result.Item) : undefined;
  cache.set(id, { at: Date.now(), group });
  return group;
}

export const listPermissionGroups = () =>
  queryPartition({ index: 'GSI1', partitionKey: ['GSI1PK', permissionGroupKeys.inList(0).GSI1PK], map: toGroup });

export class GroupNameTakenError extends Error {}

/** Creates a group with its name marker in one transaction. */
export async function createPermissionGroup(name: string, levels: Record<string, ApiLevel>): Promise<PermissionGroup> {
  const group: PermissionGroup = { id: await nextId('apipermgroup'), name, levels };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE_NAME, Item: { ...permissionGroupKeys.name(name), groupId: group.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: TABLE_NAME, Item: { ...permissionGroupKeys.group(group.id), ...permissionGroupKeys.inList(group.id), type: 'apipermgroup', ...group } } },
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException') throw new GroupNameTakenError(name);
    throw error;
  }
  return group;
}

/** Replaces the levels of the methods named (others keep theirs). */
export async function updatePermissionLevels(group: PermissionGroup, changes: Record<string, ApiLevel>): Promise<PermissionGroup> {
  const levels = { ...group.levels, ...changes };
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: permissionGroupKeys.group(group.id),
      UpdateExpression: 'SET #levels = :levels',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#levels': 'levels' },
      ExpressionAttributeValues: { ':levels': levels },
    }),
  );
  cache.delete(group.id);
  return { ...group, levels };
}

/** Assigns a group to a user ("API restricted" on), or removes it (`groupId` 0: unrestricted). */
export async function assignPermissionGroup(userId: number, groupId: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.user(userId),
      ConditionExpression: 'attribute_exists(PK)',
      ...(groupId > 0
        ? { UpdateExpression: 'SET apiPermissionGroupId = :g', ExpressionAttributeValues: { ':g': groupId } }
        : { UpdateExpression: 'REMOVE apiPermissionGroupId' }),
    }),
  );
}
