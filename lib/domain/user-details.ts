/**
 * user_details_get: which user a caller may read, and MOR's "Personal details" document of it.
 * The MOR columns without a typed field live in `UserRecord.details` under their MOR column name
 * (written by user_register and user_details_update).
 */
import { formatMicros, formatMicrosShort, parseMicros, toMicros } from '../money.js';
import { canManageUser, permissionLevel } from '../pipeline/access.js';
import type { XmlNode } from '../xml.js';
import { systemCurrency } from './balance.js';
import type { Settings } from './settings.js';
import { findUserByUsername, getUser, type UserRecord } from './users.js';
import { ONLY_ONCE, warningSettingsOf } from './warning-balance.js';

/** A MOR column of the user kept in `details`, or its default. */
export const detail = (user: UserRecord, column: string, fallback = ''): string => user.details?.[column] ?? fallback;

/** `user_id` as written, when it is a plain id (the target a prefetch may read before the caller is known). */
export const userIdParam = (raw: Record<string, string>) => (/^\d+$/.test(raw.user_id ?? '') ? Number(raw.user_id) : undefined);

/** The read user_details_get starts together with the caller lookup: the user named by `user_id`. */
export const prefetchTargetUser = (raw: Record<string, string>) => {
  const id = userIdParam(raw);
  return id === undefined ? Promise.resolve(undefined) : getUser(id);
};

/**
 * The user whose details `caller` asked for, or undefined ("User was not found").
 * Admin, resellers and partners pick a user of their tenancy by `user_id` and/or `username` (both must
 * match when both are sent; neither = themselves); simple users and accountants always get themselves (MOR).
 */
export async function detailsTarget(
  caller: UserRecord,
  params: { user_id?: string; username?: string },
  prefetched: Promise<unknown> | undefined,
): Promise<UserRecord | undefined> {
  const picksOthers = caller.usertype === 'admin' || caller.usertype === 'reseller' || caller.usertype === 'partner';
  if (!picksOthers || (!params.user_id && !params.username)) return caller;
  const target = params.user_id
    ? ((await prefetched) as UserRecord | undefined)
    : await findUserByUsername(params.username ?? '');
  if (!target || target.deleted || !canManageUser(caller, target)) return undefined;
  if (params.username && target.username !== params.username) return undefined;
  return target;
}

/** Invoice types as MOR's `send_invoice_types` bit values (user_details_update i1..i9). */
export const INVOICE_TYPE_BITS = {
  invoice_xlsx: 512,
  simplified_pdf: 2,
  simplified_csv: 4,
  detailed_pdf: 8,
  detailed_csv: 16,
  by_callerid_pdf: 32,
  by_callerid_csv: 128,
  by_destinations: 64,
  calls: 256,
} as const;
/** MOR's default for new users: simplified PDF. */
export const DEFAULT_INVOICE_TYPES = '2';

const bit = (mask: number, value: number) => ((mask & value) !== 0 ? 1 : 0);

/** A decimal text as Ruby prints a float (`18.0`, `21.5`); '' and junk as `0.0`. */
const rubyFloat = (text: string | undefined) => {
  try {
    return formatMicrosShort(parseMicros(text || '0'));
  } catch {
    return '0.0';
  }
};

const microsAsRubyFloat = (micros: number | undefined) => formatMicrosShort(toMicros(micros ?? 0));

function invoicesNode(target: UserRecord): XmlNode | undefined {
  if (target.usertype === 'accountant') return undefined;
  const mask = Number(detail(target, 'send_invoice_types', DEFAULT_INVOICE_TYPES)) || 0;
  const byCallerAndCalls = target.usertype === 'user' || target.usertype === 'admin';
  const notAdmin = target.usertype !== 'admin';
  return {
    generate_invoices: notAdmin ? Number(detail(target, 'generate_invoice', '1')) : undefined,
    invoice_xlsx: bit(mask, INVOICE_TYPE_BITS.invoice_xlsx),
    simplified_pdf: bit(mask, INVOICE_TYPE_BITS.simplified_pdf),
    simplified_csv: bit(mask, INVOICE_TYPE_BITS.simplified_csv),
    detailed_pdf: bit(mask, INVOICE_TYPE_BITS.detailed_pdf),
    detailed_csv: bit(mask, INVOICE_TYPE_BITS.detailed_csv),
    by_callerid_pdf: byCallerAndCalls ? bit(mask, INVOICE_TYPE_BITS.by_callerid_pdf) : undefined,
    by_callerid_csv: byCallerAndCalls ? bit(mask, INVOICE_TYPE_BITS.by_callerid_csv) : undefined,
    by_destinations: byCallerAndCalls ? bit(mask, INVOICE_TYPE_BITS.by_destinations) : undefined,
    calls: byCallerAndCalls ? bit(mask, INVOICE_TYPE_BITS.calls) : undefined,
    show_zero_calls: notAdmin ? Number(detail(target, 'show_zero_calls', '0')) : undefined,
  };
}

function warningNode(caller: UserRecord, target: UserRecord): XmlNode {
  const warning = warningSettingsOf(target);
  return {
    active: warning?.active ? 1 : 0,
    send_email_when_balance_drops_lower_than: {
      user: microsAsRubyFloat(warning?.thresholds.user),
      admin: caller.usertype === 'admin' && target.usertype !== 'admin' ? microsAsRubyFloat(warning?.thresholds.owner) : undefined,
      responsible_accountant: microsAsRubyFloat(warning?.thresholds.accountant),
    },
    warning_email_hour: warning?.hour ?? ONLY_ONCE,
  };
}

function registrationNode(target: UserRecord): XmlNode | undefined {
  const a = target.address;
  if (!a) return undefined;
  // MOR's own output: <reg_country> holds the county and <reg_direction> the email (kept as MOR answers).
  return {
    reg_address: a.address, reg_postcode: a.postcode, reg_city: a.city, reg_country: a.county, reg_state: a.state,
    reg_direction: a.email, reg_phone: a.phone, reg_mobile: a.mobPhone, reg_fax: a.fax, reg_email: a.email,
  };
}

/** MOR's "Personal details" page of `target` as `caller` sees it; the caller's own uniquehash when it reads itself. */
export function userDetailsDocument(caller: UserRecord, target: UserRecord, adminSettings: Settings): XmlNode {
  const currency = systemCurrency(adminSettings);
  const balance = toMicros(target.balanceMicros);
  const callerSeesPbxPool = caller.usertype === 'admin' || (caller.usertype === 'reseller' && permissionLevel(caller, 'pbx_functions') > 0);
  const callerManages = caller.usertype === 'admin' || caller.usertype === 'reseller';
  const taxationCountry = detail(target, 'taxation_country');
  return {
    page: {
      pagename: 'Personal details',
      language: detail(target, 'language', 'en'),
      userid: target.id,
      uniquehash: target.id === caller.id ? caller.uniquehash : undefined,
      details: {
        main_detail: {
          account: target.postpaid ? 'Postpaid' : 'Prepaid',
          balance: `${formatMicros(balance, 4)} ${currency}`,
          balance_number: formatMicrosShort(balance),
          balance_currency: currency,
          credit: target.creditMicros === null ? 'Unlimited' : formatMicros(toMicros(target.creditMicros), 4),
          pbx_pool_id: callerSeesPbxPool ? Number(detail(target, 'pbx_pool_id', '1')) : undefined,
          hide_non_answered_calls:
            callerManages && target.usertype === 'user' ? Number(detail(target, 'hide_non_answered_calls', '0')) : undefined,
        },
        other_details: {
          username: target.username,
          first_name: target.firstName,
          surname: target.lastName,
          personalid: detail(target, 'clientid'),
          agreement_number: detail(target, 'agreement_number'),
          agreement_date: detail(target, 'agreement_date', target.createdAt.slice(0, 10)),
          taxation_country: taxationCountry ? taxationCountry.slice(0, 22) : undefined,
          vat_reg_number: detail(target, 'vat_number'),
          vat_percent: rubyFloat(target.taxes?.taxes[0]?.percent),
          call_limit: Number(detail(target, 'call_limit', '0')),
        },
        registration: registrationNode(target),
        invoices: invoicesNode(target),
        warning_balance: warningNode(caller, target),
      },
    },
  };
}
