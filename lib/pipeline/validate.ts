/**
 * Parameter schemas (zod/mini, for a small cold start) whose every failure carries MOR's exact
 * error text. Raw values are strings; nothing is coerced (`''` must never turn into 0).
 * Optional fields treat an empty value as absent, as MOR's `params[:x].blank?` checks do.
 */
import * as z from 'zod/mini';
import { isStorableAmount } from '../money.js';
import { MorError } from './errors.js';

export { z };

const DIGITS = /^[0-9]+$/;
const INTEGER = /^-?[0-9]+$/;

const text = (message: string) => z.string({ error: message });

/** Turns '' into undefined before an optional schema runs. */
const blankAsAbsent = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

export const field = {
  /** Any non-empty text. */
  required: (message: string) => text(message).check(z.minLength(1, message)),
  /** Any text, possibly empty; absent stays undefined. */
  optional: () => z.optional(z.string()),
  /** Non-negative integer id written in digits. */
  id: (message: string) => text(message).check(z.regex(DIGITS, message)),
  optionalId: (message: string) => blankAsAbsent(text(message).check(z.regex(DIGITS, message))),
  integer: (message: string) => text(message).check(z.regex(INTEGER, message)),
  optionalInteger: (message: string) => blankAsAbsent(text(message).check(z.regex(INTEGER, message))),
  /** A decimal amount we can hold exactly. */
  amount: (message: string) => text(message).check(z.refine(isStorableAmount, message)),
  optionalAmount: (message: string) => blankAsAbsent(text(message).check(z.refine(isStorableAmount, message))),
  oneOf: (values: readonly string[], message: string) => text(message).check(z.refine((v) => values.includes(v), message)),
  optionalOneOf: (values: readonly string[], message: string) =>
    blankAsAbsent(text(message).check(z.refine((v) => values.includes(v), message))),
  /** A 0/1 flag. */
  optionalFlag: (message: string) => blankAsAbsent(text(message).check(z.refine((v) => v === '0' || v === '1', message))),
  matching: (pattern: RegExp, message: string) => text(message).check(z.regex(pattern, message)),
  optionalMatching: (pattern: RegExp, message: string) => blankAsAbsent(text(message).check(z.regex(pattern, message))),
};

export type ParamShape = Record<string, z.ZodMiniType>;

/** Validates raw parameters against a shape; the first failure becomes a MorError with its MOR text. */
export function validateParams<S extends ParamShape>(shape: S, raw: Record<string, string>): z.infer<z.ZodMiniObject<S>> {
  const result = z.object(shape).safeParse(raw);
  if (result.success) return result.data as z.infer<z.ZodMiniObject<S>>;
  throw new MorError(result.error.issues[0]?.message ?? 'Invalid parameters');
}
