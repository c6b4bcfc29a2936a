/**
 * Roles and tenancy, defined once. A method declares which user types may call it (and which
 * accountant right it needs); object-level checks use `canManageUser` / `assertCanManageUser`.
 */
import type { PermissionLevel, UserRecord, UserType } from '../domain/users.js';
import { ERR, MorError } from './errors.js';

/** `true` = allowed; an accountant rule names the MOR right and the level it needs (1 read, 2 edit). */
export type RoleRule = true | { permission: string; level?: PermissionLevel } | { anyOf: string[]; level?: PermissionLevel };

export interface AccessRules {
  admin?: RoleRule;
  reseller?: RoleRule;
  accountant?: RoleRule;
  partner?: RoleRule;
  user?: RoleRule;
  /** Error for a user type that is not listed (MOR's generic answer: `Access Denied`). */
  denied?: string;
  /** Error for an accountant without the right (MOR: `You are not authorized to use this functionality`). */
  notAuthorized?: string;
}

export function permissionLevel(user: UserRecord, right: string): PermissionLevel {
  return (user.permissions?.[right] ?? 0) as PermissionLevel;
}

export function assertRoleAllowed(caller: UserRecord, rules: AccessRules): void {
  const rule = rules[caller.usertype as UserType];
  if (!rule) throw new MorError(rules.denied ?? ERR.accessDenied);
  if (rule === true) return;
  const level = rule.level ?? 2;
  const rights = 'permission' in rule ? [rule.permission] : rule.anyOf;
  if (!rights.every((right) => permissionLevel(caller, right) >= level)) {
    throw new MorError(rules.notAuthorized ?? ERR.notAuthorized);
  }
}

/**
 * Whether `caller` may see and change `target` (a user, or the owner of an object):
 * admin and accountants any user; a reseller itself and its users; a partner itself, its resellers
 * and their users; a simple user only itself.
 */
export function canManageUser(caller: UserRecord, target: Pick<UserRecord, 'id' | 'ownerId' | 'partnerId'>): boolean {
  switch (caller.usertype) {
    case 'admin':
    case 'accountant':
      return true;
    case 'reseller':
      return target.id === caller.id || target.ownerId === caller.id;
    case 'partner':
      return target.id === caller.id || target.ownerId === caller.id || target.partnerId === caller.id;
    default:
      return target.id === caller.id;
  }
}

/** The owner id whose users a caller lists: admin/accountant see owner 0's tree, a reseller or partner its own. */
export function listingOwnerId(caller: UserRecord): number {
  return caller.usertype === 'admin' || caller.usertype === 'accountant' ? 0 : caller.id;
}

export function assertCanManageUser(
  caller: UserRecord,
  target: UserRecord | undefined,
  notFound: string,
): asserts target is UserRecord {
  // Out-of-tenancy objects answer exactly like missing ones, so ids of other tenants cannot be probed.
  if (!target || !canManageUser(caller, target)) throw new MorError(notFound);
}
