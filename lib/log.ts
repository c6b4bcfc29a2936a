/**
 * The one logger: AWS Lambda Powertools (structured JSON, service `morless`, level from POWERTOOLS_LOG_LEVEL /
 * LOG_LEVEL, default INFO). Credentials never reach the output: every key named in REDACTED_KEYS is
 * dropped, at any depth, from whatever is logged (including values passed without calling `redact`).
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are secrets: MOR's `p` (password) and `hash`, passwords, API keys, tokens, signatures, 2FA codes. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'p', 'hash', 'password', 'pswd', 'secret', 'api_secret_key', 'token', 'authorization', 'signature', 'code',
]);

const isRedacted = (key: string) => REDACTED_KEYS.has(key.toLowerCase());

/** A copy of `value` without the secret keys, at any depth (arrays and plain objects are walked). */
export function redact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redact(item)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Error || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([key]) => !isRedacted(key)).map(([key, item]) => [key, redact(item)]),
  ) as T;
}

type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

export const log = new Logger({
  serviceName: 'morless',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as LogLevel,
  // Applied by Powertools to every key it prints, so nothing logged can carry a secret key.
  jsonReplacerFn: (key: string, value: unknown) => (key !== '' && isRedacted(key) ? undefined : value),
});
