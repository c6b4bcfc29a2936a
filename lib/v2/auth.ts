/** v2 authentication: HTTP Basic for login, Bearer access tokens for everything else. */
import { verifyPassword } from '../domain/passwords.js';
import { findUserByUsername, getUser, type UserRecord } from '../domain/users.js';
import { accessTtlSeconds, passwordFingerprint, refreshTtlSeconds, signAccessToken, verifyAccessToken } from './jwt.js';
import { RestError } from './errors.js';
import { familyActive } from './refresh-tokens.js';

export const usable = (user: UserRecord | undefined): user is UserRecord => Boolean(user && !user.deleted && !user.blocked);

/** The user of an `Authorization: Basic base64(username:password)` header, or undefined. */
export async function userOfBasic(header: string): Promise<UserRecord | undefined> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const user = await findUserByUsername(decoded.slice(0, colon));
  if (!usable(user) || !(await verifyPassword(decoded.slice(colon + 1), user.passwordHash))) return undefined;
  return user;
}

/** The caller of a Bearer access token: valid signature and expiry, family not revoked, password unchanged. */
export async function authenticateBearer(header: string): Promise<UserRecord> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new RestError(401, 'Authorization token is missing');
  const claims = await verifyAccessToken(match[1]!).catch(() => undefined);
  if (!claims) throw new RestError(401, 'Authorization token is invalid or expired');
  const [user, active] = await Promise.all([getUser(claims.uid), familyActive(claims.fam)]);
  if (!usable(user) || !active || user.username !== claims.sub || passwordFingerprint(user) !== claims.pwd) {
    throw new RestError(401, 'Authorization token is invalid or expired');
  }
  return user;
}

/** The token pair answered by login and refresh. */
export async function tokenPair(user: UserRecord, family: string, refreshToken: string) {
  return {
    access_token: await signAccessToken(user, family),
    token_type: 'Bearer',
    expires_in: accessTtlSeconds(),
    refresh_token: refreshToken,
    refresh_expires_in: refreshTtlSeconds(),
  };
}
