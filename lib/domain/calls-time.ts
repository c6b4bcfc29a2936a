/**
 * Call times. CDRs are stored with UTC instants (ISO `YYYY-MM-DDTHH:MM:SSZ`, bucketed by UTC day);
 * MOR shows and takes dates in the system (server) time zone: env MOR_SYSTEM_TIME_ZONE (IANA, default UTC).
 */
export const systemTimeZone = () => process.env.MOR_SYSTEM_TIME_ZONE || 'UTC';

/** One formatter per zone: building an Intl.DateTimeFormat costs ~100 µs, reusing it ~8 µs. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const partsFormatter = (zone: string) => {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
};

function wallClock(epochMs: number, zone: string) {
  const parts = Object.fromEntries(partsFormatter(zone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  return { y: +parts.year!, mo: +parts.month!, d: +parts.day!, h: +parts.hour!, mi: +parts.minute!, s: +parts.second! };
}

/** Offset of a zone from UTC at an instant, in milliseconds (east positive). */
export function zoneOffsetMs(zone: string, epochMs: number): number {
  const w = wallClock(epochMs, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(epochMs / 1000) * 1000;
}

/** The instant of a wall-clock time in a zone. */
export function epochOfWallClock(zone: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = guess - zoneOffsetMs(zone, guess);
  return guess - zoneOffsetMs(zone, first);
}

const two = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` in the system time zone (MOR's date format in API answers). */
export function formatSystemTime(epochMs: number, zone = systemTimeZone()): string {
  const w = wallClock(epochMs, zone);
  return `${w.y}-${two(w.mo)}-${two(w.d)} ${two(w.h)}:${two(w.mi)}:${two(w.s)}`;
}

/** MOR's `timezone` element: `GMT +02:00`. */
export function gmtLabel(epochMs = Date.now(), zone = systemTimeZone()): string {
  const minutes = Math.round(zoneOffsetMs(zone, epochMs) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `GMT ${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** Today 00:00:00 – 23:59:59 in the system time zone, as unix seconds. */
export function todayWindow(now = Date.now(), zone = systemTimeZone()): { start: number; end: number } {
  const w = wallClock(now, zone);
  return {
    start: epochOfWallClock(zone, w.y, w.mo, w.d) / 1000,
    end: epochOfWallClock(zone, w.y, w.mo, w.d, 23, 59, 59) / 1000,
  };
}

export const isoSecond = (epochMs: number) => new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
export const utcDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/** The UTC days (`YYYY-MM-DD`) an inclusive window of unix seconds touches. */
export function utcDaysBetween(startSec: number, endSec: number): string[] {
  const days: string[] = [];
  const first = Date.UTC(...(utcDay(startSec * 1000).split('-').map(Number).map((n, i) => (i === 1 ? n - 1 : n)) as [number, number, number]));
  for (let at = first; at <= endSec * 1000; at += 86_400_000) days.push(utcDay(at));
  return days;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * A CDR calldate: unix seconds, ISO with `Z`/offset, or MOR's `YYYY-MM-DD HH:MM:SS` in the system time
 * zone. Returns epoch milliseconds, or undefined when unreadable.
 */
export function parseCallDate(text: string): number | undefined {
  const value = text.trim();
  if (/^\d{9,11}$/.test(value)) return Number(value) * 1000;
  const wall = WALL.exec(value);
  if (wall) {
    const [y, mo, d, h, mi, s] = wall.slice(1).map(Number) as [number, number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
    return epochOfWallClock(systemTimeZone(), y, mo, d, h, mi, s);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}
