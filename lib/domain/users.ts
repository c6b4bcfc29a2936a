/** Users: the accounts that call the API and own every other object (admin, resellers, partners, accountants, users). */
import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { INDEX, keys } from '../db/keys.js';
import { batchGetItems } from '../db/items.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { nextId } from '../db/counters.js';
import { canManageUser } from '../pipeline/access.js';
import { hashPassword, isWeakPassword } from './passwords.js';

export type UserType = 'admin' | 'reseller' | 'accountant' | 'partner' | 'user';

/** Accountant permission levels as MOR has them: 0 none, 1 read, 2 edit. */
export type PermissionLevel = 0 | 1 | 2;

export interface UserRecord {
  id: number;
  username: string;
  usertype: UserType;
  /** 0 = the admin; a reseller's or partner's id for their users. */
  ownerId: number;
  /** Set on users below a partner (a partner's resellers and their users), for partner tenancy. */
  partnerId?: number;
  passwordHash: string;
  uniquehash: string;
  firstName: string;
  lastName: string;
  email: string;
  balanceMicros: number;
  /** null = unlimited credit (MOR's -1). */
  creditMicros: number | null;
  postpaid: boolean;
  blocked: boolean;
  hidden: boolean;
  lcrId: number;
  tariffId: number;
  currency: string;
  /** Accountant rights by MOR right name. */
  permissions: Record<string, PermissionLevel>;
  createdAt: string;
  /** MOR's multi-tax; absent = no tax. */
  taxes?: UserTaxes;
  /** Registration address (MOR `addresses` row). */
  address?: UserAddress;
  /** Set by user_login, cleared by user_logout (MOR `users.logged`). */
  logged?: boolean;
  /** Remaining MOR user columns set through user_details_update / user_register, by MOR column name. */
  details?: Record<string, string>;
  [more: string]: unknown;
}

/** MOR's multi-tax: tax1 is always on; tax2..tax4 optional; compound taxes apply on top of each other. */
export interface UserTaxes {
  compound: boolean;
  /** tax1..tax4 in order; `percent` is decimal text ("18", "21.5"). */
  taxes: { name: string; percent: string; enabled: boolean }[];
}

export interface UserAddress {
  address: string;
  city: string;
  postcode: string;
  county: string;
  state: string;
  countryId: string;
  phone: string;
  mobPhone: string;
  fax: string;
  email: string;
}

export const EMPTY_ADDRESS: UserAddress = {
  address: '', city: '', postcode: '', county: '', state: '', countryId: '', phone: '', mobPhone: '', fax: '', email: '',
};

export const isAdmin = (u: Pick<UserRecord, 'usertype'>) => u.usertype === 'admin';

/** MOR's "nice user": first and last name, or the username when both are empty. */
export const niceUserName = (u: Pick<UserRecord, 'firstName' | 'lastName' | 'username'>) =>
  `${u.firstName ?? ''} ${u.lastName ?? ''}`.trim() || u.username;

/** The owner whose users a caller manages directly (admin and accountants: owner 0). */
export const managedOwnerId = (caller: Pick<UserRecord, 'id' | 'usertype'>) =>
  caller.usertype === 'admin' || caller.usertype === 'accountant' ? 0 : caller.id;

/** The owner whose API settings and secret key apply to a user's API calls. */
export function apiOwnerId(user: Pick<UserRecord, 'id' | 'usertype' | 'ownerId'>): number {
  if (user.usertype === 'admin' || user.usertype === 'accountant') return 0;
  if (user.usertype === 'reseller') return user.id;
  return user.ownerId;
}

const strip = (item: StoredItem | undefined) => item && withoutKeys<UserRecord>(item);

export async function getUser(id: number): Promise<UserRecord | undefined> {
  if (!Number.isSafeInteger(id) || id < 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.user(id) }));
  return strip(result.Item);
}

async function queryOne(index: string, pkName: string, pkValue: string): Promise<UserRecord | undefined> {
  const [user] = await queryPartition<UserRecord>({ index, partitionKey: [pkName, pkValue], limit: 1 });
  return user;
}

/** Users by id (for listings): a map of the ones that exist. */
export async function usersById(ids: Iterable<number>, known: Iterable<UserRecord | undefined> = []): Promise<Map<number, UserRecord>> {
  const found = new Map<number, UserRecord>();
  for (const user of known) if (user) found.set(user.id, user);
  const missing = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id >= 0 && !found.has(id));
  for (const item of await batchGetItems(missing.map((id) => keys.user(id)))) {
    const user = strip(item)!;
    found.set(user.id, user);
  }
  return found;
}

export const findUserByUsername = (username: string) =>
  username ? queryOne(INDEX.byUsername, 'GSI1PK', keys.userByUsername(username).GSI1PK) : Promise.resolve(undefined);

export const findUserByUniquehash = (uniquehash: string) =>
  uniquehash ? queryOne(INDEX.byUniquehash, 'GSI3PK', keys.userByUniquehash(uniquehash).GSI3PK) : Promise.resolve(undefined);

/** Which list of users: the ones an owner owns, or every user (admin). */
export type UserList = { ownerId: number } | 'all';

function listPartition(list: UserList) {
  return list === 'all'
    ? { index: INDEX.all, pk: 'GSI4PK', value: 'USERS', startKey: (id: number) => ({ ...keys.user(id), ...keys.userInAll(id) }) }
    : {
        index: INDEX.byOwner,
        pk: 'GSI2PK',
        value: keys.userByOwner(list.ownerId, 0).GSI2PK,
        startKey: (id: number) => ({ ...keys.user(id), ...keys.userByOwner(list.ownerId, id) }),
      };
}

/** One page of a user list in id order; `afterId` is the last id of the previous page. */
export async function listUsers(list: UserList, options: { limit?: number; afterId?: number } = {}) {
  const partition = listPartition(list);
  const result: QueryCommandOutput = await db.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      IndexName: partition.index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.pk },
      ExpressionAttributeValues: { ':pk': partition.value },
      ...(options.limit ? { Limit: options.limit } : {}),
      ...(options.afterId !== undefined ? { ExclusiveStartKey: partition.startKey(options.afterId) } : {}),
    }),
  );
  return {
    users: (result.Items ?? []).map((item) => strip(item)!),
    lastId: result.LastEvaluatedKey ? Number(String(result.LastEvaluatedKey.PK).slice('USER#'.length)) : undefined,
  };
}

/** Users of a list in id order, following pagination until `max` users (all when omitted). */
export async function collectUsers(list: UserList, max?: number): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  let afterId: number | undefined;
  do {
    const page = await listUsers(list, { afterId, limit: max === undefined ? undefined : max - out.length });
    out.push(...page.users);
    afterId = page.lastId;
  } while (afterId !== undefined && (max === undefined || out.length < max));
  return out;
}

export const newUniquehash = () => randomBytes(5).toString('hex');

export interface NewUser {
  id?: number;
  username: string;
  password: string;
  usertype: UserType;
  ownerId: number;
  partnerId?: number;
  firstName?: string;
  lastName?: string;
  email?: string;
  balanceMicros?: number;
  creditMicros?: number | null;
  postpaid?: boolean;
  currency?: string;
  tariffId?: number;
  lcrId?: number;
  permissions?: Record<string, PermissionLevel>;
  extra?: Record<string, unknown>;
}

export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`username taken: ${username}`);
  }
}

/** The item for a user record, with all its index keys. */
export function userItem(user: UserRecord): Record<string, unknown> {
  return {
    ...keys.user(user.id),
    ...keys.userByUsername(user.username),
    ...keys.userByOwner(user.ownerId, user.id),
    ...keys.userByUniquehash(user.uniquehash),
    ...keys.userInAll(user.id),
    ...user,
  };
}

/**
 * Builds a user record and the transaction items that create it: the user and its username marker
 * (uniqueness), plus whatever `extraItems` the caller adds (e.g. the first device), all or nothing.
 */
export async function buildUser(input: NewUser): Promise<UserRecord> {
  return {
    id: input.id ?? (await nextId('user')),
    username: input.username,
    usertype: input.usertype,
    ownerId: input.ownerId,
    ...(input.partnerId !== undefined ? { partnerId: input.partnerId } : {}),
    passwordHash: await hashPassword(input.password),
    weakPassword: isWeakPassword(input.password),
    uniquehash: newUniquehash(),
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    email: input.email ?? '',
    balanceMicros: input.balanceMicros ?? 0,
    creditMicros: input.creditMicros === undefined ? 0 : input.creditMicros,
    postpaid: input.postpaid ?? false,
    blocked: false,
    hidden: false,
    lcrId: input.lcrId ?? 1,
    tariffId: input.tariffId ?? 1,
    currency: input.currency ?? 'USD',
    permissions: input.permissions ?? {},
    createdAt: new Date().toISOString(),
    ...input.extra,
  };
}

export function createUserTransactItems(user: UserRecord) {
  return [
    {
      Put: {
        TableName: TABLE_NAME,
        Item: { ...keys.unique('USERNAME', user.username), userId: user.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    { Put: { TableName: TABLE_NAME, Item: userItem(user), ConditionExpression: 'attribute_not_exists(PK)' } },
  ];
}

/** Creates a user atomically with its username marker; throws UsernameTakenError on a duplicate. */
export async function createUser(input: NewUser, extraItems: object[] = []): Promise<UserRecord> {
  const user = await buildUser(input);
  try {
    await db.send(
      new TransactWriteCommand({ TransactItems: [...createUserTransactItems(user), ...extraItems] as never }),
    );
  } catch (error) {
    if (isConditionalCancel(error, 0)) throw new UsernameTakenError(user.username);
    throw error;
  }
  return user;
}

/** True when a TransactWrite was cancelled by a failed condition on item `index` (or any item when omitted). */
export function isConditionalCancel(error: unknown, index?: number): boolean {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name !== 'TransactionCanceledException') return false;
  const reasons = e.CancellationReasons ?? [];
  return index === undefined
    ? reasons.some((r) => r.Code === 'ConditionalCheckFailed')
    : reasons[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * The user `idText` names when `caller` may manage it (admin/accountant: anyone; reseller: its users;
 * partner: its tree; user: itself), else undefined, so foreign and missing ids answer alike.
 * `allowSelf: false` for methods where a caller may not act on its own account.
 */
export async function findManagedUser(
  caller: UserRecord,
  idText: string | undefined,
  options: { allowSelf?: boolean } = {},
): Promise<UserRecord | undefined> {
  if (!idText || !/^\d+$/.test(idText)) return undefined;
  const target = await getUser(Number(idText));
  if (!target || target.deleted || !canManageUser(caller, target)) return undefined;
  if (options.allowSelf === false && target.id === caller.id) return undefined;
  return target;
}

/** MOR's `users.logged` flag (user_login sets it, user_logout clears it). */
export async function setLogged(userId: number, logged: boolean): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.user(userId),
      UpdateExpression: 'SET logged = :logged',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':logged': logged },
    }),
  );
}

