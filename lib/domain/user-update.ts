/**
 * user_details_update: MOR's u0..u33 / a0..a9 / tax / invoice / warning parameters applied to a user.
 * The user item is changed with one UpdateItem SET of the changed attributes (never the balance, so a
 * concurrent balance change is not lost), in one transaction with its username and email marker moves.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { isStorableAmount, parseMicros, storeMicros } from '../money.js';
import { permissionLevel } from '../pipeline/access.js';
import { MorError } from '../pipeline/errors.js';
import { hashPassword, isWeakPassword } from './passwords.js';
import type { Settings } from './settings.js';
import { getTariff } from './tariffs.js';
import { emailMarker, emailTaken, isEmailList, passwordProblem, uniqueEmails, usernameProblem, usernameTaken } from './user-rules.js';
import { getUser, isConditionalCancel, type UserAddress, type UserRecord, type UserTaxes, type UserType, EMPTY_ADDRESS } from './users.js';
import { ONLY_ONCE, setWarningBalance, warningSettingsOf, type WarningBalanceSettings } from './warning-balance.js';

export type UpdateParams = Partial<Record<string, string>>;

/** u-parameters stored as MOR columns in `details` (the typed ones are applied separately). */
const DETAIL_COLUMNS: Record<string, string> = {
  u0: 'vat_number', u3: 'hide_destination_end', u4: 'currency_id', u7: 'spy_device_id', u8: 'language',
  u10: 'warning_balance_call', u11: 'acc_group_id', u12: 'generate_invoice', u14: 'taxation_country',
  u16: 'quickforwards_rule_id', u18: 'call_limit', u19: 'clientid', u20: 'recording_hdd_quota', u21: 'cyberplat_active',
  u22: 'recordings_email', u24: 'warning_balance_sound_file_id', u26: 'accounting_number', u27: 'agreement_number',
  u33: 'comment',
  pgui: 'hide_gui', pcsv: 'hide_csv', ppdf: 'hide_pdf', recording_forced_enabled: 'recording_forced_enabled',
  recording_enabled: 'recording_enabled', allow_loss_calls: 'allow_loss_calls', show_zero_calls: 'show_zero_calls',
  own_providers: 'own_providers', cyberplat_active: 'cyberplat_active', email_warning_sent_test: 'email_warning_sent_test',
  block_at_conditional: 'block_at_conditional', accountant_type: 'accountant_type',
};

/** Address parameters a0..a9 → address fields. */
const ADDRESS_FIELDS: Record<string, keyof UserAddress> = {
  a0: 'address', a1: 'city', a2: 'postcode', a3: 'county', a4: 'mobPhone', a5: 'fax', a6: 'countryId', a7: 'phone', a8: 'email', a9: 'state',
};

export const UPDATE_PARAM_NAMES = [
  'user_id', ...Array.from({ length: 34 }, (_, i) => `u${i}`), ...Array.from({ length: 10 }, (_, i) => `a${i}`),
  ...Array.from({ length: 9 }, (_, i) => `i${i + 1}`),
  'ay', 'am', 'ad', 'by', 'bm', 'bd', 'pswd', 'user_warning_email_hour', 'pgui', 'pcsv', 'ppdf', 'recording_forced_enabled',
  'recording_enabled', 'allow_loss_calls', 'show_zero_calls', 'warning_email_active', 'own_providers', 'cyberplat_active',
  'email_warning_sent_test', 'tax1_enabled', 'tax2_enabled', 'tax3_enabled', 'tax4_enabled', 'compound_tax', 'tax1_name', 'tax2_name',
  'tax3_name', 'tax4_name', 'total_tax_name', 'tax1_value', 'tax2_value', 'tax3_value', 'tax4_value', 'credit',
  'block_at_conditional', 'accountant_type', 'accountant_type_invalid',
] as const;

const DEFAULT_ID = 1;
const exists = async (pk: string, sk: string) =>
  !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: pk, SK: sk }, ProjectionExpression: 'PK' }))).Item;
const asInt = (text: string | undefined) => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined);
const flag = (text: string) => text === '1';
const date = (y?: string, m?: string, d?: string) =>
  y && m && d && /^\d{4}$/.test(y) && /^\d{1,2}$/.test(m) && /^\d{1,2}$/.test(d) ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : undefined;

/** Messages under "User was not updated" (model validation), collected rather than thrown. */
export class UserNotUpdatedError extends Error {
  constructor(readonly messages: string[]) {
    super('User was not updated');
  }
}

const money = (text: string, message: string, problems: string[]) => {
  if (!isStorableAmount(text)) {
    problems.push(message);
    return undefined;
  }
  return storeMicros(parseMicros(text));
};

/** The checks MOR answers with a direct error, in MOR's order (first failure wins). */
async function checkReferences(caller: UserRecord, target: UserRecord, p: UpdateParams, adminSettings: Settings): Promise<void> {
  if (p.u9 && p.u9 !== target.username) {
    const problem = usernameProblem(p.u9, adminSettings);
    if (problem) throw new MorError(problem);
  }
  if (p.pswd) {
    const problem = passwordProblem(p.pswd, adminSettings);
    if (problem) throw new MorError(problem);
  }
  const lcrId = asInt(p.u1);
  if (p.u1 && (lcrId === undefined || (lcrId !== DEFAULT_ID && !(await lcrOfOwner(lcrId, target.ownerId))))) throw new MorError('LCR was not found');
  if (p.u5) {
    const tariff = await getTariff(asInt(p.u5) ?? -1);
    if (!tariff || tariff.purpose === 'provider' || tariff.ownerId !== target.ownerId) throw new MorError('Tariff was not found');
  }
  if (p.u29) {
    const seesPools = caller.usertype === 'admin' || (caller.usertype === 'reseller' && permissionLevel(caller, 'pbx_functions') > 0);
    const poolId = asInt(p.u29);
    if (!seesPools || poolId === undefined || (poolId !== DEFAULT_ID && !(await exists(`PBX_POOL#${poolId}`, 'PBX_POOL')))) {
      throw new MorError('PBX Pool was not found');
    }
  }
  if (p.u31 && p.u31 !== '-1') {
    const accountant = await getUser(asInt(p.u31) ?? -1);
    if (!accountant || accountant.usertype !== 'accountant' || caller.usertype !== 'admin') throw new MorError('Responsible accountant is not valid');
  }
}

const lcrOfOwner = async (id: number, ownerId: number) => {
  const item = (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `LCR#${id}`, SK: 'LCR' } }))).Item;
  return !!item && Number(item.ownerId ?? 0) === ownerId;
};

function nextTaxes(current: UserTaxes | undefined, p: UpdateParams): UserTaxes | undefined {
  const touched = Object.keys(p).some((k) => /^tax[1-4]_(enabled|name|value)$/.test(k) || k === 'compound_tax' || k === 'total_tax_name');
  if (!touched) return undefined;
  const base: UserTaxes = current ?? { compound: false, taxes: [1, 2, 3, 4].map((n) => ({ name: `Tax${n}`, percent: '0', enabled: n === 1 })) };
  const taxes = base.taxes.map((tax, i) => {
    const n = i + 1;
    const value = p[`tax${n}_value`];
    return {
      name: p[`tax${n}_name`] ?? tax.name,
      percent: value !== undefined && /^\d+(\.\d+)?$/.test(value) ? value : tax.percent,
      enabled: n === 1 ? true : p[`tax${n}_enabled`] !== undefined ? flag(p[`tax${n}_enabled`]!) : tax.enabled,
    };
  });
  return {
    ...base,
    compound: p.compound_tax !== undefined ? flag(p.compound_tax) : base.compound,
    taxes,
    ...(p.total_tax_name !== undefined ? { totalTaxName: p.total_tax_name } : {}),
  };
}

function nextWarning(target: UserRecord, p: UpdateParams, problems: string[]): WarningBalanceSettings | undefined {
  const hourText = p.u2 ?? p.user_warning_email_hour;
  if (p.warning_email_active === undefined && p.u6 === undefined && hourText === undefined) return undefined;
  const current = warningSettingsOf(target) ?? { active: false, thresholds: {}, hour: ONLY_ONCE };
  const hour = asInt(hourText);
  const threshold = p.u6 !== undefined && p.u6 !== '' ? money(p.u6, 'Warning balance must be a number', problems) : undefined;
  return {
    ...current,
    active: p.warning_email_active !== undefined ? flag(p.warning_email_active) : current.active,
    thresholds: { ...current.thresholds, ...(threshold !== undefined ? { user: threshold } : {}) },
    hour: hour !== undefined && hour >= ONLY_ONCE && hour <= 23 ? hour : current.hour,
  };
}

/** The attribute changes of the user item, plus model-validation problems. */
async function changesOf(caller: UserRecord, target: UserRecord, p: UpdateParams, adminSettings: Settings) {
  const set: Partial<UserRecord> & Record<string, unknown> = {};
  const problems: string[] = [];
  const details: Record<string, string> = { ...(target.details ?? {}) };
  for (const [param, column] of Object.entries(DETAIL_COLUMNS)) if (p[param] !== undefined) details[column] = p[param]!;
  if (p.u29 !== undefined) details.pbx_pool_id = p.u29;
  if (p.u30 !== undefined && (caller.usertype === 'admin' || caller.usertype === 'reseller')) details.hide_non_answered_calls = p.u30;
  if (p.u32 !== undefined) {
    const limit = money(p.u32 || '0', 'Daily balance limit must be a number', problems);
    if (limit !== undefined) details.daily_balance_limit = limit > 0 ? String(limit) : '0';
  }
  const agreement = date(p.ay, p.am, p.ad);
  if (agreement) details.agreement_date = agreement;
  const blockAt = date(p.by, p.bm, p.bd);
  if (blockAt) details.block_at = blockAt;
  const invoiceBits = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => p[`i${n}`]).filter((v) => v !== undefined);
  if (invoiceBits.length > 0) details.send_invoice_types = String(invoiceBits.reduce((sum, v) => sum + (asInt(v) ?? 0), 0));
  set.details = details;

  if (p.u1) set.lcrId = Number(p.u1);
  if (p.u5) set.tariffId = Number(p.u5);
  if (p.u9 && p.u9 !== target.username) set.username = p.u9;
  if (p.u13 && caller.usertype === 'admin' && target.usertype !== 'admin' && ['user', 'reseller', 'accountant'].includes(p.u13)) {
    set.usertype = p.u13 as UserType;
  }
  if (p.u15 !== undefined) set.blocked = flag(p.u15);
  if (p.u17 !== undefined) set.lastName = p.u17;
  if (p.u23 !== undefined) set.firstName = p.u23;
  if (p.u25 !== undefined) set.postpaid = flag(p.u25);
  if (p.u28 !== undefined) set.hidden = flag(p.u28);
  if (p.u31) set.responsibleAccountantId = Number(p.u31);
  if (p.credit !== undefined && p.credit !== '') {
    if (p.credit.trim() === '-1') set.creditMicros = null;
    else {
      const credit = money(p.credit, 'Credit must be a number', problems);
      if (credit !== undefined) set.creditMicros = credit;
    }
  }
  if (p.pswd) {
    set.passwordHash = await hashPassword(p.pswd);
    set.weakPassword = isWeakPassword(p.pswd);
  }
  const taxes = nextTaxes(target.taxes, p);
  if (taxes) set.taxes = taxes;

  const addressChanges = Object.entries(ADDRESS_FIELDS).filter(([param]) => p[param] !== undefined);
  if (addressChanges.length > 0) {
    const address: UserAddress = { ...EMPTY_ADDRESS, ...(target.address ?? {}) };
    for (const [param, field] of addressChanges) address[field] = p[param]!;
    set.address = address;
  }
  if (p.a8 !== undefined && p.a8 !== target.email) {
    if (p.a8 !== '' && !isEmailList(p.a8)) problems.push('Please enter correct email');
    else if (p.a8 !== '' && uniqueEmails(adminSettings) && (await emailTaken(p.a8, target.id))) problems.push('This email address is already in use.');
    else set.email = p.a8;
  }
  if (set.username && (await usernameTaken(set.username))) problems.push('Such username is already taken');
  const warning = nextWarning(target, p, problems);
  return { set, problems, warning };
}

const putMarker = (key: { PK: string; SK: string }, userId: number) => ({
  Put: { TableName: TABLE_NAME, Item: { ...key, userId }, ConditionExpression: 'attribute_not_exists(PK)' },
});
const deleteMarker = (key: { PK: string; SK: string }) => ({ Delete: { TableName: TABLE_NAME, Key: key } });

/** The transaction items: the user's SET update, and the username/email marker moves. */
function updateItems(target: UserRecord, set: Record<string, unknown>, adminSettings: Settings) {
  const attributes = { ...set, updatedAt: new Date().toISOString() } as Record<string, unknown>;
  if (set.username) Object.assign(attributes, keys.userByUsername(String(set.username)));
  const names = Object.keys(attributes);
  const items: object[] = [
    {
      Update: {
        TableName: TABLE_NAME,
        Key: keys.user(target.id),
        UpdateExpression: 'SET ' + names.map((_, i) => `#a${i} = :v${i}`).join(', '),
        // The username still being the one the checks saw keeps a concurrent rename from orphaning a marker.
        ConditionExpression: 'attribute_exists(PK) AND #username = :username',
        ExpressionAttributeNames: { ...Object.fromEntries(names.map((n, i) => [`#a${i}`, n])), '#username': 'username' },
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:v${i}`, attributes[n]])), ':username': target.username },
      },
    },
  ];
  if (set.username) items.push(putMarker(keys.unique('USERNAME', String(set.username)), target.id), deleteMarker(keys.unique('USERNAME', target.username)));
  const lower = (email: string) => email.trim().toLowerCase();
  if (set.email !== undefined && lower(String(set.email)) !== lower(target.email ?? '')) {
    if (uniqueEmails(adminSettings) && set.email) items.push(putMarker(emailMarker(String(set.email)), target.id));
    if (target.email) {
      items.push({ Delete: { TableName: TABLE_NAME, Key: emailMarker(target.email), ConditionExpression: 'attribute_not_exists(PK) OR userId = :me', ExpressionAttributeValues: { ':me': target.id } } });
    }
  }
  return items;
}

/** Applies user_details_update's parameters to `target`; throws MorError (direct) or UserNotUpdatedError. */
export async function updateUserDetails(caller: UserRecord, target: UserRecord, p: UpdateParams, adminSettings: Settings): Promise<void> {
  await checkReferences(caller, target, p, adminSettings);
  const { set, problems, warning } = await changesOf(caller, target, p, adminSettings);
  if (problems.length > 0) throw new UserNotUpdatedError(problems);
  try {
    await db.send(new TransactWriteCommand({ TransactItems: updateItems(target, set, adminSettings) as never }));
  } catch (error) {
    if (isConditionalCancel(error, 0)) throw new UserNotUpdatedError(['User was changed meanwhile, please retry']);
    if (isConditionalCancel(error)) throw new UserNotUpdatedError([set.username ? 'Such username is already taken' : 'This email address is already in use.']);
    throw error;
  }
  if (warning) await setWarningBalance(target.id, warning);
}
