/**
 * MOR's request hash rule (see ../shared/mor_conformance and docs/compatibility.md).
 *
 * A method either has a fixed list of hashed parameters, or it uses MOR's one global ordered list:
 * every recognised parameter present in the request is appended in the global order after passing
 * its format filter (a failing value is silently left out). The API secret key goes last and the
 * result is the lowercase hex SHA1.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digits = (v: string) => /^[0-9]+$/.test(v);
const digitsOrAll = (v: string) => digits(v) || v === 'all';
const CALL_TYPES = new Set([
  'all', 'answered', 'busy', 'no_answer', 'failed', 'missed', 'missed_inc', 'missed_inc_all', 'missed_not_processed_inc',
]);

const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** MOR's global hash order. */
export const GLOBAL_HASH_ORDER: readonly string[] = [
  'user_id', 'period_start', 'period_end', 'direction', 'calltype', 'device', 'balance', 'users', 'block', 'email',
  'mtype', 'tariff_id', ...range('u', 29), 'ay', 'am', 'ad', 'by', 'bm', 'bd', 'pswd', 'user_warning_email_hour',
  'pgui', 'pcsv', 'ppdf', 'recording_forced_enabled', 'i4', 'tax4_enabled', 'tax2_enabled', 'accountant_type_invalid',
  'block_at_conditional', 'tax3_enabled', 'accountant_type', 'tax1_value', 'show_zero_calls', 'warning_email_active',
  'compound_tax', 'tax4_name', 'allow_loss_calls', 'tax3_name', 'tax2_name', 'credit', 'tax1_name', 'total_tax_name',
  'tax2_value', 'tax4_value', 'i1', 'tax3_value', 'cyberplat_active', 'i2', 'i3', 'recording_enabled',
  'email_warning_sent_test', 'own_providers', ...range('a', 10), 's_user', 's_call_type', 's_device', 's_provider',
  's_hgc', 's_did', 's_destination', 'order_by', 'order_desc', 'only_did', 'description', 'pin', 'type',
  'devicegroup_id', 'phonebook_id', 'number', 'name', 'speeddial', 's_user_id', 's_from', 'provider_id', 's_till',
  's_transaction', 's_completed', 's_username', 's_first_name', 's_last_name', 's_paymenttype', 's_amount_max',
  's_currency', 's_number', 's_pin', 'p_currency', 'paymenttype', 'tax_in_amount', 'amount', 'transaction',
  'payer_email', 'fee', 'id', 'quantity', 'callerid', 'cardgroup_id', 'status', 'date_from', 'date_till',
  's_reseller_did', 's_did_pattern', 'lcr_id', 'dst', 'src', 'message', 'server_ip', 'device_type',
  'device_username', 'device_password', 'login_url', 'login_username', 'username', 'first_name', 'last_name',
  'full_name', 'nice_balance', 'warning_email_balance', 'nice_warning_email_balance', 'currency', 'user_email',
  'company_email', 'company', 'primary_device_pin', 'login_password', 'user_ip', 'date', 'auth_code',
  'transaction_id', 'customer_name', 'company_name', 'url', 'trans_id', 'cc_purchase_details', 'payment_amount',
  'payment_payer_first_name', 'payment_payer_last_name', 'payment_payer_email', 'payment_seller_email',
  'payment_receiver_email', 'payment_date', 'payment_free', 'payment_currency', 'payment_type', 'payment_fee',
  'call_list', 'email_name', 'email_to_user_id', 'caller_id', 'device_id', 'calldate', 'source', 'destination',
  'billsec', 'calls_string', 'did', 'forward_to', 'callflow_action', 'state', 'forward_to_device',
  'external_number', 'did_id', 'device_calerid', 'src_callerid', 'custom', 'fax_device', 'device_location_id',
  'location_id', 'cli_number', 'new_service_name', 'new_service_type', 'service_id',
];

/**
 * Entries of the order that MOR never hashes: its collection list fuses `user_warning_email_hour` and
 * `pgui` into one name, and spells `device_callerid` as `device_calerid` in the order list only.
 */
const NEVER_COLLECTED = new Set(['user_warning_email_hour', 'pgui', 'device_calerid']);

const FORMAT_FILTERS: Record<string, (value: string) => boolean> = {
  user_id: digits,
  period_start: digits,
  period_end: digits,
  tariff_id: digits,
  only_did: digits,
  direction: (v) => v === 'outgoing' || v === 'incoming',
  calltype: (v) => CALL_TYPES.has(v),
  device: digitsOrAll,
  s_device: digitsOrAll,
  s_provider: digitsOrAll,
  s_hgc: digitsOrAll,
  s_did: digitsOrAll,
  balance: (v) => /^[0-9.+-]*$/.test(v),
  // Ruby's ^ and $ match at line boundaries, so any line of the value may qualify.
  users: (v) => /^(postpaid|prepaid|all|[0-9,]+)$/m.test(v),
  block: (v) => /true|false/.test(v),
  mtype: digits,
  s_user: digits,
  s_user_id: digits,
  s_from: digits,
  s_till: digits,
  lcr_id: digits,
};

/** Parameters MOR turns into integers before hashing (`"007"` hashes as `"7"`). */
const INTEGER_PARAMS = new Set(['user_id', 'period_start', 'period_end', 'tariff_id', 'only_did']);

/** Methods whose hash is a fixed parameter list instead of the global order (MOR's ApiRequiredParams). */
export const FIXED_HASH_PARAMS: Readonly<Record<string, readonly string[]>> = {
  subscription_delete: ['subscription_id', 'subscription_delete_action'],
  subscription_update: ['subscription_id'],
  user_sms_service_subscribe: ['user_id', 'sms_tariff_id'],
  did_subscription_stop: ['dids_id'],
  voucher_use: ['voucher_number'],
  calling_card_update: ['card_id'],
  cc_group_create: ['name'],
  cc_group_update: ['cc_group_id'],
  calling_cards_create: ['card_group_id', 'cards_from', 'cards_till'],
  device_update: ['device', 'authentication', 'username', 'host', 'port'],
  pbx_pool_create: ['name'],
  users_get: ['u', 'p'],
  quickstats_get: ['u'],
  subscriptions_get: [],
  calling_cards_get: [],
  cc_groups_get: [],
  user_sms_get: [],
  recordings_get: [],
};

export type HashParams = Readonly<Record<string, string | undefined>>;

/** The string MOR hashes for `method` and `params`, before the secret key. */
export function hashString(method: string, params: HashParams): string {
  const fixed = FIXED_HASH_PARAMS[method];
  if (fixed) {
    const keys = method === 'quickstats_get' && params.u === 'admin' ? [] : fixed;
    return keys.map((key) => params[key] ?? '').join('');
  }
  let out = '';
  for (const key of GLOBAL_HASH_ORDER) {
    const value = params[key];
    if (value === undefined || NEVER_COLLECTED.has(key)) continue;
    if (key === 'number' && method === 'card_from_group_sell') continue;
    const filter = FORMAT_FILTERS[key];
    if (filter && !filter(value)) continue;
    out += INTEGER_PARAMS.has(key) ? BigInt(value).toString() : value;
  }
  return out;
}

export const sha1Hex = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

export function morHash(method: string, params: HashParams, secretKey: string): string {
  return sha1Hex(hashString(method, params) + secretKey);
}

/** Constant-time comparison of a received hash with the expected one. */
export function hashMatches(received: string | undefined, expected: string): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
