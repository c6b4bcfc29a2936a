/** Test fixtures: users of every role, created through the domain layer (the same code the API uses). */
import { randomBytes } from 'node:crypto';
import { updateSettings } from '../../lib/domain/settings.js';
import { createUser, type NewUser, type PermissionLevel, type UserRecord, type UserType } from '../../lib/domain/users.js';

export const ADMIN = { username: 'admin', password: 'admin1', secret: 'secret' } as const;

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

export interface TestUser extends UserRecord {
  password: string;
}

export async function makeUser(
  usertype: UserType,
  options: Partial<Omit<NewUser, 'usertype' | 'permissions'>> & { permissions?: Record<string, PermissionLevel> } = {},
): Promise<TestUser> {
  const password = options.password ?? 'Passw0rd!';
  const user = await createUser({ username: uniqueName(usertype), ownerId: 0, ...options, password, usertype });
  return { ...user, password };
}

/** A reseller with its own API secret (Allow API on), plus one simple user of its own. */
export async function makeReseller(secret = uniqueName('rskey')) {
  const reseller = await makeUser('reseller');
  await updateSettings(reseller.id, { Allow_API: '1', API_Secret_Key: secret });
  const user = await makeUser('user', { ownerId: reseller.id });
  return { reseller, user, secret };
}

export const setAdminSettings = (changes: Record<string, string>) => updateSettings(0, changes);
