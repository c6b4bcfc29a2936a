/**
 * Exact money. Amounts are integers of micro-units (1 unit = 1,000,000 micros) held as bigint in
 * code and as DynamoDB Numbers in the table, so `ADD balanceMicros :delta` is exact and atomic.
 * Nothing here goes through a binary float.
 */
export const MICROS_PER_UNIT = 1_000_000n;
const FRACTION_DIGITS = 6;

/** The largest amount we accept (keeps every stored micros value a safe JS integer). */
export const MAX_ABS_MICROS = 10n ** 15n;

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

export const isDecimal = (text: string) => DECIMAL.test(text.trim());

/** Parses "12", "-0.5", "+3.14159" into micros; more than 6 decimals round half away from zero. */
export function parseMicros(text: string): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const sign = (match[1] ?? match[4]) === '-' ? -1n : 1n;
  const whole = match[2] ?? '0';
  const fraction = match[3] ?? match[5] ?? '';
  const kept = fraction.slice(0, FRACTION_DIGITS).padEnd(FRACTION_DIGITS, '0');
  let micros = BigInt(whole) * MICROS_PER_UNIT + BigInt(kept);
  if (fraction.length > FRACTION_DIGITS && fraction[FRACTION_DIGITS]! >= '5') micros += 1n;
  return sign * micros;
}

/** True when the text is a decimal whose size we can store exactly. */
export const isStorableAmount = (text: string) => isDecimal(text) && abs(parseMicros(text)) <= MAX_ABS_MICROS;

const abs = (n: bigint) => (n < 0n ? -n : n);

/** Formats micros with a fixed number of decimals (MOR shows 4: `26.0000`), rounding half away from zero. */
export function formatMicros(micros: bigint | number, digits = 4): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const divisor = 10n ** BigInt(FRACTION_DIGITS - digits);
  let scaled = abs(value) / divisor;
  if ((abs(value) % divisor) * 2n >= divisor) scaled += 1n;
  const unit = 10n ** BigInt(digits);
  const whole = scaled / unit;
  const fraction = digits > 0 ? '.' + (scaled % unit).toString().padStart(digits, '0') : '';
  return `${negative && scaled !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** Shortest decimal form without trailing zeros, but at least one decimal (Ruby's Float#to_s style: `0.0`, `12.5`). */
export function formatMicrosShort(micros: bigint | number): string {
  const full = formatMicros(micros, FRACTION_DIGITS);
  const trimmed = full.replace(/0+$/, '');
  return trimmed.endsWith('.') ? `${trimmed}0` : trimmed;
}

export const toMicros = (stored: unknown): bigint => (stored === undefined || stored === null ? 0n : BigInt(stored as number));

/** bigint → number for the table; exact because every stored amount stays within 2^53 micros (≈ 9e9 units). */
export const storeMicros = (micros: bigint): number => {
  if (abs(micros) > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount out of range');
  return Number(micros);
};
