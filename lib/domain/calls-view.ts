/** How a call is shown: the seed's `<call>` fields (XML) and the v2 JSON call, per the caller's role. */
import { formatMicros, formatMicrosShort } from '../money.js';
import type { CallRecord } from './calls.js';
import { niceUser, type CallSearchResult } from './calls-query.js';
import { formatSystemTime, gmtLabel } from './calls-time.js';
import { permissionLevel } from '../pipeline/access.js';
import type { UserRecord } from './users.js';

const CODEC_NAMES: Record<string, string> = {
  ulaw: 'G.711 u-law', alaw: 'G.711 A-law', g729: 'G.729', g722: 'G.722', gsm: 'GSM', opus: 'Opus', ilbc: 'iLBC',
  g726: 'G.726', speex: 'Speex', h264: 'H.264',
};

const price = (micros: number) => formatMicrosShort(micros);

/** Finance fields an accountant without "can see finances" does not get (MOR's can_see_finances). */
const FINANCE = ['did_inc_price', 'did_price', 'did_prov_price', 'profit', 'provider_price', 'provider_rate', 'reseller_price', 'reseller_rate', 'user_price', 'user_rate'];
const HIDDEN_FROM: Record<string, string[]> = {
  reseller: ['prefix', 'server_id', 'provider_name', 'provider_price', 'provider_rate', 'nice_reseller'],
  partner: ['prefix', 'server_id', 'provider_name', 'provider_price', 'provider_rate'],
  user: ['server_id', 'provider_name', 'provider_price', 'provider_rate', 'nice_reseller', 'reseller_price', 'reseller_rate', 'profit', 'did_inc_price', 'did_prov_price'],
};

function hiddenFields(caller: UserRecord): Set<string> {
  const hidden = new Set(HIDDEN_FROM[caller.usertype] ?? []);
  if (caller.usertype === 'reseller' && caller.ownProviders) for (const f of ['provider_name', 'provider_price', 'provider_rate']) hidden.delete(f);
  if (caller.usertype === 'accountant' && permissionLevel(caller, 'can_see_finances') < 1) for (const f of FINANCE) hidden.add(f);
  return hidden;
}

function profitOf(call: CallRecord, caller: UserRecord): string {
  const micros = caller.usertype === 'admin' || caller.usertype === 'accountant'
    ? (call.resellerId > 0 ? call.resellerPrice : call.userPrice) - call.providerPrice + call.didPrice + call.didProvPrice
    : call.userPrice - call.resellerPrice;
  return formatMicros(micros, 4);
}

/** Every field of a call in the v2 seed's order (JSON types as the seed shows them). */
export function callFields(call: CallRecord, caller: UserRecord, names: Map<number, UserRecord>): Record<string, string | number> {
  const at = Date.parse(call.calldate);
  const user = names.get(call.userId);
  const userCall = caller.usertype === 'user';
  const row: Record<string, string | number> = {
    calldate2: formatSystemTime(at),
    timezone: gmtLabel(at),
    clid: call.clid,
    destination: call.destination,
    did: call.did,
    did_inc_price: price(call.didIncPrice),
    did_price: price(call.didPrice),
    did_prov_price: price(call.didProvPrice),
    dispod: userCall ? call.disposition : `${call.disposition}(${call.hangupcause})`,
    dst: call.dst,
    dst_user_id: call.dstUserId,
    lega_call_id: call.legaCallId,
    legb_call_id: call.legbCallId,
    nice_billsec: call.billsec,
    nice_reseller: call.resellerId > 0 ? niceUser(names.get(call.resellerId)) || ' ' : ' ',
    originator_codec: call.originatorCodec,
    prefix: call.prefix,
    privacy: call.privacy,
    profit: profitOf(call, caller),
    provider_name: call.providerName,
    provider_price: price(call.providerPrice),
    provider_rate: price(call.providerRate),
    reseller_price: price(call.resellerPrice),
    reseller_rate: price(call.resellerRate),
    server_id: call.serverId,
    src: call.src,
    terminated_by: call.terminatedBy,
    terminator_codec: call.terminatorCodec,
    tp_src: call.tpSrc,
    user: niceUser(user),
    user_currency: user?.currency ?? 'USD',
    user_exchange_rate: '1.000000000000000',
    user_id: call.userId,
    user_price: price(call.userPrice),
    user_rate: price(call.userRate),
    userfield: call.userfield,
    uniqueid: call.uniqueid,
    originator_codec_name: CODEC_NAMES[call.originatorCodec] ?? call.originatorCodec,
    terminator_codec_name: CODEC_NAMES[call.terminatorCodec] ?? call.terminatorCodec,
  };
  for (const field of hiddenFields(caller)) delete row[field];
  return row;
}

/** The `<call>` elements of the legacy seed, in the seed's order. */
const XML_CALL_FIELDS = [
  'calldate2', 'timezone', 'clid', 'destination', 'did', 'did_inc_price', 'did_price', 'did_prov_price', 'dispod', 'dst',
  'nice_billsec', 'nice_reseller', 'prefix', 'profit', 'provider_name', 'provider_price', 'provider_rate', 'reseller_price',
  'reseller_rate', 'server_id', 'src', 'user', 'user_currency', 'user_exchange_rate', 'user_id', 'user_price', 'user_rate',
  'dst_user_id', 'userfield', 'uniqueid',
] as const;

/** The v2 JSON call omits `userfield` (not in the v2 seed). */
export function jsonCall(call: CallRecord, caller: UserRecord, names: Map<number, UserRecord>) {
  const { userfield: _omit, ...row } = callFields(call, caller, names);
  return row;
}

export function xmlCall(call: CallRecord, caller: UserRecord, names: Map<number, UserRecord>) {
  const row = callFields(call, caller, names);
  return Object.fromEntries(XML_CALL_FIELDS.filter((f) => f in row).map((f) => [f, row[f]]));
}

/** The page header both interfaces share. */
export function callsHeader(caller: UserRecord, total: number) {
  return { pagename: 'Calls', language: 'en', error_msg: '', userid: caller.id, username: caller.username, total_calls: total };
}

export function periodOf(result: Pick<CallSearchResult, 'window'>) {
  return { period_start: formatSystemTime(result.window.start * 1000), period_end: formatSystemTime(result.window.end * 1000) };
}

/** The `calls_stat` head both interfaces share: the period and the filters as they were applied. */
export function callsStatHead(result: Pick<CallSearchResult, 'window' | 'echo'>) {
  const { echo } = result;
  return {
    period: periodOf(result),
    show_user: echo.user,
    show_device: echo.device,
    show_status: echo.status,
    show_provider: echo.provider,
    show_hgc: echo.hgc,
    show_reseller: echo.reseller,
    show_did: echo.did,
    show_destination: echo.destination,
  };
}
