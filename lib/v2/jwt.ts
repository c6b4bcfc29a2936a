/**
 * Access tokens: HS256 JWTs (jose), algorithm pinned on verify, with sub (username), uid, fam (the
 * refresh-token family, so logout revokes them), pwd (password fingerprint, so a password change
 * revokes them), iat, exp and jti.
 *
 * Signing key: env JWT_SIGNING_KEY, else (deployed) the SSM SecureString named by JWT_SIGNING_KEY_PARAM,
 * else (locally) a key generated once and kept in .data/jwt-key. The key never appears in the template.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { UserRecord } from '../domain/users.js';

export const ISSUER = 'morless';
export const accessTtlSeconds = () => Number(process.env.JWT_ACCESS_TTL_SECONDS ?? 900);
export const refreshTtlSeconds = () => Number(process.env.JWT_REFRESH_TTL_SECONDS ?? 7 * 24 * 3600);

let signingKeyPromise: Promise<Uint8Array> | undefined;

/** The local development key, generated once into .data/jwt-key. */
function localDevelopmentKey(): string {
  const dir = join(process.cwd(), '.data');
  const file = join(dir, 'jwt-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64url');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** In AWS the key is a SecureString parameter (JWT_SIGNING_KEY_PARAM), read once per container. */
async function keyFromSsm(name: string): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const result = await new SSMClient({}).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = result.Parameter?.Value;
  if (!value) throw new Error(`SSM parameter ${name} is empty`);
  return value;
}

async function loadSigningKey(): Promise<Uint8Array> {
  const deployed = process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.IS_OFFLINE !== 'true';
  const key =
    process.env.JWT_SIGNING_KEY ??
    (process.env.JWT_SIGNING_KEY_PARAM && deployed ? await keyFromSsm(process.env.JWT_SIGNING_KEY_PARAM) : undefined);
  if (!key && deployed) throw new Error('JWT_SIGNING_KEY_PARAM is not configured');
  return new TextEncoder().encode(key ?? localDevelopmentKey());
}

function signingKey(): Promise<Uint8Array> {
  signingKeyPromise ??= loadSigningKey().catch((error: unknown) => {
    signingKeyPromise = undefined; // try again on the next request
    throw error;
  });
  return signingKeyPromise;
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
    .sign(await signingKey());
}

/** The claims of a valid, unexpired access token; throws otherwise. */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const { payload } = await jwtVerify(token, await signingKey(), { algorithms: ['HS256'], issuer: ISSUER, requiredClaims: ['exp', 'iat', 'sub', 'jti'] });
  if (typeof payload.uid !== 'number' || typeof payload.fam !== 'string' || typeof payload.pwd !== 'string') throw new Error('claims');
  return payload as unknown as AccessClaims;
}
