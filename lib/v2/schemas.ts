/** zod schemas of the v2 endpoints: the handlers validate with them and the OpenAPI document is generated from them. */
import * as z from 'zod/mini';
import { CALL_TYPES, ORDER_KEYS } from '../domain/calls-query.js';

const digits = /^[0-9]+$/;
const digitsOrAll = /^([0-9]+|all)$/;
const opt = (pattern: RegExp, description: string) =>
  z.optional(z.string().check(z.regex(pattern, `must match ${pattern.source}`))).register(z.globalRegistry, { description });

export const tokenPairSchema = z.object({
  access_token: z.string().register(z.globalRegistry, { description: 'HS256 JWT, valid 15 minutes' }),
  token_type: z.literal('Bearer'),
  expires_in: z.int(),
  refresh_token: z.string().register(z.globalRegistry, { description: 'Opaque, single use, valid 7 days' }),
  refresh_expires_in: z.int(),
});

export const refreshBodySchema = z.object({ refresh_token: z.string().check(z.minLength(1)) });

export const errorSchema = z.object({ errors: z.string() });

export const callsQuerySchema = z.object({
  limit: opt(digits, 'Page size (default 50, at most 500)'),
  page: opt(digits, 'Page number, from 1'),
  period_start: opt(digits, 'Unix timestamp (default today 00:00 system time)'),
  period_end: opt(digits, 'Unix timestamp (default today 23:59:59 system time)'),
  s_user: opt(digitsOrAll, 'User id or all'),
  s_reseller: opt(digitsOrAll, 'Reseller id or all (admin)'),
  s_call_type: z.optional(z.enum([...CALL_TYPES, 'no_answer'])),
  s_device: opt(digitsOrAll, 'Device id or all'),
  s_provider: opt(digitsOrAll, 'Provider id or all (admin, reseller with own providers)'),
  s_hgc: opt(digitsOrAll, 'Hangup cause code or all (admin; reseller when Show HGC for Resellers is on)'),
  s_did: opt(digitsOrAll, 'DID id or all (admin)'),
  s_destination: opt(/^[0-9%]*$/, 'Destination number prefix (% wildcard)'),
  order_by: z.optional(z.enum(ORDER_KEYS)),
  order_desc: opt(/^[01]$/, '0 ascending, 1 descending'),
  only_did: opt(/^[01]$/, '1: only calls through a DID'),
  s_uniqueid: z.optional(z.string()),
  s_callback_uniqueid: z.optional(z.string()),
});

const callSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const callsResponseSchema = z.object({
  calls: z.object({
    pagename: z.string(), language: z.string(), error_msg: z.string(), userid: z.int(), username: z.string(),
    total_calls: z.int(), limit: z.int(), max_limit: z.int(), page: z.string(), currency: z.string(),
    calls_stat: z.object({
      period: z.object({ period_start: z.string(), period_end: z.string() }),
      show_user: z.string(), show_device: z.string(), show_status: z.string(), show_provider: z.string(),
      show_hgc: z.string(), show_reseller: z.string(), show_did: z.string(), show_destination: z.string(),
      calls: z.array(callSchema),
    }),
  }),
});

export const importReportSchema = z.object({
  imported: z.int(),
  duplicates: z.int(),
  errors: z.array(z.object({ index: z.int(), uniqueid: z.optional(z.string()), error: z.string() })),
});

export const okSchema = z.object({ status: z.literal('ok') });
