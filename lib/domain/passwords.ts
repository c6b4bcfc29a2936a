/** Salted password hashes (scrypt); passwords are never stored in plain text. */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
const COST = 1 << 14;
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scrypt(password, salt, KEY_LENGTH, { N: COST });
  return `scrypt$${COST}$${salt.toString('base64')}$${derived.toString('base64')}`;
}

/** Successful checks are remembered per container so repeated API calls do not pay scrypt each time. */
const verified = new Map<string, true>();

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (!stored) return false;
  const memo = createHash('sha256').update(stored).update('\0').update(password).digest('base64');
  if (verified.has(memo)) return true;
  const [scheme, cost, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const derived = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(cost) });
  const ok = derived.length === expected.length && timingSafeEqual(derived, expected);
  if (ok) {
    if (verified.size > 10_000) verified.clear();
    verified.set(memo, true);
  }
  return ok;
}

/**
 * The Integrity Check's "weak password" (MOR's "Use strong passwords for users" rule): shorter than 8
 * characters, or fewer than 3 of the 4 character kinds (lower case, upper case, digits, others).
 * Computed when a password is set; only the resulting flag is stored.
 */
export function isWeakPassword(password: string): boolean {
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((kind) => kind.test(password)).length;
  return password.length < 8 || kinds < 3;
}
