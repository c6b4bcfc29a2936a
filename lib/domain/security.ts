/**
 * Security methods (whitelisted IPs, API permission groups, integrity check): the texts and checks
 * their handlers share. The rules themselves live in ip-allowlist.ts, permission-groups.ts, integrity.ts.
 */
import { createHmac } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { hashMatches } from '../mor/hash.js';
import { MorError } from '../pipeline/errors.js';
import { getPermissionGroup, parseLevels, type ApiLevel, type PermissionGroup } from './permission-groups.js';
import { ADMIN_ID } from './settings.js';
import { getUser } from './users.js';

export const SECURITY_TEXT = {
  notAuthorized: 'You are not authorized to use this functionality',
  ownerNotFound: 'Owner was not found',
  ipInvalid: 'IP is not valid',
  ipAlreadyWhitelisted: 'IP is already whitelisted',
  ipAdded: 'IP successfully whitelisted',
  ipNotFound: 'Whitelisted IP was not found',
  ipDeleted: 'Whitelisted IP successfully deleted',
  groupNameBlank: 'API permission group name cannot be blank',
  groupNameTaken: 'API permission group with this name already exists',
  permissionsInvalid: 'Permissions must be a list of method:level (level 0, 1 or 2)',
  readOnlyWrite: 'Read-only methods can only be Disabled or Read',
  groupNotFound: 'API permission group was not found',
  userNotFound: 'User was not found',
  notRestrictable: 'Only users and accountants can be API restricted',
  groupCreated: 'API permission group successfully created',
  groupUpdated: 'API permission group successfully updated',
  groupAssigned: 'API permission group successfully assigned',
  groupUnassigned: 'API restriction successfully removed',
} as const;

/** The admin's and accountants' access to the security pages (Monitoring right for accountants). */
export const securityAccess = (level: 1 | 2) => ({
  admin: true as const,
  accountant: { permission: 'monitorings_manage', level },
  notAuthorized: SECURITY_TEXT.notAuthorized,
});

/** The per-method levels a request names in `permissions`, or the MOR-style error for them. */
export function levelsOf(text: string | undefined): Record<string, ApiLevel> {
  const parsed = parseLevels(text);
  if ('error' in parsed) throw new MorError(parsed.error === 'format' ? SECURITY_TEXT.permissionsInvalid : SECURITY_TEXT.readOnlyWrite);
  return parsed.levels;
}

export async function findPermissionGroup(idText: string | undefined): Promise<PermissionGroup> {
  const group = idText && /^[0-9]+$/.test(idText) ? await getPermissionGroup(Number(idText), { fresh: true }) : undefined;
  if (!group) throw new MorError(SECURITY_TEXT.groupNotFound);
  return group;
}

/** A group as XML: its levels as `<permission><method/><level/></permission>`, by method name. */
export const permissionGroupXml = (group: PermissionGroup) => ({
  id: group.id,
  name: group.name,
  permissions: {
    permission: Object.entries(group.levels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([method, level]) => ({ method, level })),
  },
});

/** The API owner whose list a request manages: `owner_id` (0 = the admin, or a reseller's id). */
export async function allowListOwner(ownerIdText: string | undefined): Promise<number> {
  if (ownerIdText === undefined || ownerIdText === String(ADMIN_ID)) return ADMIN_ID;
  const owner = /^[0-9]+$/.test(ownerIdText) ? await getUser(Number(ownerIdText)) : undefined;
  if (!owner || owner.deleted || owner.usertype !== 'reseller') throw new MorError(SECURITY_TEXT.ownerNotFound);
  return owner.id;
}

/**
 * Replay-safe signing (opt-in per API owner, setting `API_Replay_Safe_Signing` = 1; beyond MOR).
 * Besides MOR's hash, a request carries `ts` (unix seconds), `nonce` and `signature`: the hex
 * HMAC-SHA256, with the API secret key, of the method's current name, a newline, and every other
 * parameter sorted by name as `name=value` (both URL-encoded) joined by `&` (`signature` and `hash`
 * left out). Unlike MOR's hash, values cannot shift between parameters, and a request cannot be replayed.
 */
export const REPLAY_SAFE_SETTING = 'API_Replay_Safe_Signing';
export const REPLAY_WINDOW_SECONDS = 300;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

export function replayCanonicalString(method: string, params: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(params)
    .filter((name) => name !== 'signature' && name !== 'hash')
    .sort()
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(params[name]!)}`);
  return `${method}\n${pairs.join('&')}`;
}

export const replaySignature = (method: string, params: Readonly<Record<string, string>>, secretKey: string) =>
  createHmac('sha256', secretKey).update(replayCanonicalString(method, params), 'utf8').digest('hex');

/** Why a replay-safe request is refused, or undefined when its timestamp, nonce and signature are acceptable. */
export function replayProblem(
  method: string,
  params: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
  nowSeconds: number,
): string | undefined {
  const { ts, nonce, signature } = params;
  if (!ts || !/^[0-9]{1,12}$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > REPLAY_WINDOW_SECONDS) return 'stale or missing ts';
  if (!nonce || !NONCE_PATTERN.test(nonce)) return 'missing or malformed nonce';
  if (!secretKeys.some((key) => hashMatches(signature, replaySignature(method, params, key)))) return 'incorrect signature';
  return undefined;
}

/**
 * Remembers a nonce of an owner until the timestamp window has surely passed (TTL `expiresAt`).
 * False when it was already used: one conditional put, so two racing requests cannot both pass.
 */
export async function claimNonce(ownerId: number, nonce: string, nowSeconds: number): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { PK: `REPLAYNONCE#${ownerId}#${nonce}`, SK: 'NONCE', expiresAt: nowSeconds + 2 * REPLAY_WINDOW_SECONDS },
        // Expired items may linger until DynamoDB's TTL sweep removes them.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
