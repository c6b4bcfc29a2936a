/**
 * CDR input: one call as the softswitch reports it, with MOR's `calls` column names. The same zod
 * schema validates JSON and CSV rows and documents the import endpoint in the OpenAPI document.
 */
import * as z from 'zod/mini';
import { isStorableAmount, parseMicros, storeMicros } from '../money.js';
import { isoSecond, parseCallDate } from './calls-time.js';

const digits = /^[0-9]+$/;
const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const id = () => z.optional(z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(digits))]));
/** Money as a decimal string (exact); JSON numbers are accepted too. */
const money = () => z.optional(z.union([z.number(), z.string().check(z.refine(isStorableAmount, 'not a decimal amount'))]));

export const DISPOSITIONS = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED'] as const;

export const cdrSchema = z.object({
  calldate: z.union([z.string(), z.int()]),
  uniqueid: z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[^#\s]+$/, 'uniqueid must not contain spaces or #')),
  callback_uniqueid: text(100),
  src: text(100),
  dst: text(100),
  clid: text(200),
  disposition: z.optional(z.enum(DISPOSITIONS)),
  hangupcause: id(),
  billsec: id(),
  duration: id(),
  user_id: z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(digits))]),
  src_device_id: id(),
  dst_device_id: id(),
  dst_user_id: id(),
  reseller_id: id(),
  provider_id: id(),
  provider_name: text(200),
  did_id: id(),
  did: text(50),
  prefix: text(50),
  destination: text(200),
  user_price: money(),
  user_rate: money(),
  reseller_price: money(),
  reseller_rate: money(),
  provider_price: money(),
  provider_rate: money(),
  did_price: money(),
  did_inc_price: money(),
  did_prov_price: money(),
  server_id: id(),
  originator_codec: text(50),
  terminator_codec: text(50),
  terminated_by: z.optional(z.enum(['originator', 'terminator', 'system', 'unknown', ''])),
  lega_call_id: text(200),
  legb_call_id: text(200),
  privacy: id(),
  tp_src: text(100),
  userfield: text(500),
});

export type CdrInput = z.infer<typeof cdrSchema>;

/** A stored call (money in micros, times in UTC). */
export interface CallRecord {
  uniqueid: string;
  callbackUniqueid: string;
  calldate: string;
  src: string;
  dst: string;
  clid: string;
  disposition: string;
  hangupcause: number;
  billsec: number;
  duration: number;
  userId: number;
  srcDeviceId: number;
  dstDeviceId: number;
  dstUserId: number;
  resellerId: number;
  providerId: number;
  providerName: string;
  didId: number;
  did: string;
  prefix: string;
  destination: string;
  userPrice: number;
  userRate: number;
  resellerPrice: number;
  resellerRate: number;
  providerPrice: number;
  providerRate: number;
  didPrice: number;
  didIncPrice: number;
  didProvPrice: number;
  serverId: number;
  originatorCodec: string;
  terminatorCodec: string;
  terminatedBy: string;
  legaCallId: string;
  legbCallId: string;
  privacy: number;
  tpSrc: string;
  userfield: string;
}

const int = (value: string | number | undefined) => (value === undefined || value === '' ? 0 : Number(value));
const micros = (value: string | number | undefined) =>
  value === undefined || value === '' ? 0 : storeMicros(parseMicros(typeof value === 'number' ? String(value) : value));

/** Validates one CDR; returns the record or the first problem as text. */
export function parseCdr(input: unknown): { call: CallRecord } | { error: string } {
  const result = cdrSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { error: `${issue.path.join('.') || 'cdr'}: ${issue.message}` };
  }
  const cdr = result.data;
  const at = parseCallDate(String(cdr.calldate));
  if (at === undefined) return { error: 'calldate: not a date (unix seconds, ISO 8601 or YYYY-MM-DD HH:MM:SS)' };
  return {
    call: {
      uniqueid: cdr.uniqueid,
      callbackUniqueid: cdr.callback_uniqueid ?? '',
      calldate: isoSecond(at),
      src: cdr.src ?? '',
      dst: cdr.dst ?? '',
      clid: cdr.clid ?? '',
      disposition: cdr.disposition ?? 'ANSWERED',
      hangupcause: int(cdr.hangupcause ?? 16),
      billsec: int(cdr.billsec),
      duration: int(cdr.duration ?? cdr.billsec),
      userId: int(cdr.user_id),
      srcDeviceId: int(cdr.src_device_id),
      dstDeviceId: int(cdr.dst_device_id),
      dstUserId: int(cdr.dst_user_id),
      resellerId: int(cdr.reseller_id),
      providerId: int(cdr.provider_id),
      providerName: cdr.provider_name ?? '',
      didId: int(cdr.did_id),
      did: cdr.did ?? '',
      prefix: cdr.prefix ?? '',
      destination: cdr.destination ?? '',
      userPrice: micros(cdr.user_price),
      userRate: micros(cdr.user_rate),
      resellerPrice: micros(cdr.reseller_price),
      resellerRate: micros(cdr.reseller_rate),
      providerPrice: micros(cdr.provider_price),
      providerRate: micros(cdr.provider_rate),
      didPrice: micros(cdr.did_price),
      didIncPrice: micros(cdr.did_inc_price),
      didProvPrice: micros(cdr.did_prov_price),
      serverId: int(cdr.server_id ?? 1),
      originatorCodec: cdr.originator_codec ?? '',
      terminatorCodec: cdr.terminator_codec ?? '',
      terminatedBy: cdr.terminated_by ?? '',
      legaCallId: cdr.lega_call_id ?? '',
      legbCallId: cdr.legb_call_id ?? '',
      privacy: int(cdr.privacy),
      tpSrc: cdr.tp_src ?? '',
      userfield: cdr.userfield ?? '',
    },
  };
}

/** Parses a CSV body (header row of CDR column names, RFC 4180 quoting) into row objects. */
export function parseCdrCsv(body: string): Record<string, string>[] {
  const rows = parseCsv(body);
  const header = (rows.shift() ?? []).map((h) => h.trim());
  return rows
    .filter((row) => row.some((cell) => cell !== ''))
    .map((row) => {
      const out: Record<string, string> = {};
      header.forEach((name, i) => {
        const cell = row[i] ?? '';
        if (name && cell !== '') out[name] = cell;
      });
      return out;
    });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}
