/**
 * Access tokens: HS256 JWTs (jose), algorithm pinned on verify, with sub (username), uid, fam (the
 * refresh-token family, so logout revokes them), pwd (password fingerprint, so a password change
 * revokes them), iat, exp and jti.
 *
 * Signing key: env JWT_SIGNING_KEY (in AWS, from SSM/Secrets Manager). Locally (not in a deployed
 * Lambda) a key is generated once and kept in .data/jwt-key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { UserRecord } from '../domain/users.js';

export const ISSUER = 'morless';
export const accessTtlSeconds = () => Number(process.env.JWT_ACCESS_TTL_SECONDS ?? 900);
export const refreshTtlSeconds = () => Number(process.env.JWT_REFRESH_TTL_SECONDS ?? 7 * 24 * 3600);

let localKey: string | undefined;

function signingKey(): Uint8Array {
  const configured = process.env.JWT_SIGNING_KEY;
  if (configured) return new TextEncoder().encode(configured);
  const deployed = process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.IS_OFFLINE !== 'true';
  if (deployed) throw new Error('JWT_SIGNING_KEY is not configured');
  if (!localKey) {
    const dir = join(process.cwd(), '.data');
    const file = join(dir, 'jwt-key');
    if (existsSync(file)) localKey = readFileSync(file, 'utf8').trim();
    else {
      localKey = randomBytes(32).toString('base64url');
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, localKey, { mode: 0o600 });
    }
  }
  return new TextEncoder().encode(localKey);
}

/** Changes whenever the password does; a token minted before a password change stops working. */
export const passwordFingerprint = (user: Pick<UserRecord, 'passwordHash'>) =>
  createHash('sha256').update(String(user.passwordHash)).digest('base64url').slice(0, 16);

export interface AccessClaims {
  sub: string;
  uid: number;
  fam: string;
  pwd: string;
  jti: string;
  iat: number;
  exp: number;
}

export async function signAccessToken(user: UserRecord, family: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({ uid: user.id, fam: family, pwd: passwordFingerprint(user) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(user.username)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + accessTtlSeconds())
    .setJti(randomUUID())
    .sign(signingKey());
}

/** The claims of a valid, unexpired access token; throws otherwise. */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const { payload } = await jwtVerify(token, signingKey(), { algorithms: ['HS256'], issuer: ISSUER, requiredClaims: ['exp', 'iat', 'sub', 'jti'] });
  if (typeof payload.uid !== 'number' || typeof payload.fam !== 'string' || typeof payload.pwd !== 'string') throw new Error('claims');
  return payload as unknown as AccessClaims;
}
