/**
 * cc_group_create / cc_group_update: reading a group's fields from MOR parameters, in MOR's order of
 * checks, with each method's own error wording (the two seed pages word the same checks differently).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { isDecimal, parseMicros, storeMicros } from '../money.js';
import { MorError } from '../pipeline/errors.js';
import { cardKeys, getReference, groupItem, type CardGroup } from './cards.js';
import { isConditionalCancel, type UserRecord } from './users.js';

const FLAGS = [
  ['use_external_function', 'useExternalFunction'],
  ['allow_loss_calls', 'allowLossCalls'],
  ['tell_cents', 'tellCents'],
  ['solo_pinless', 'soloPinless'],
  ['disable_voucher', 'disableVoucher'],
  ['hidden', 'hidden'],
  ['callerid_leave', 'calleridLeave'],
] as const;

type Reference = 'TARIFF' | 'LCR' | 'LOCATION' | 'TAX' | 'DIALPLAN';
const REFERENCES: readonly (readonly [string, Reference, 'tariffId' | 'lcrId' | 'locationId' | 'taxId' | 'dialplanId'])[] = [
  ['tariff_id', 'TARIFF', 'tariffId'],
  ['lcr_id', 'LCR', 'lcrId'],
  ['location_id', 'LOCATION', 'locationId'],
  ['dialplan_id', 'DIALPLAN', 'dialplanId'],
  ['tax_id', 'TAX', 'taxId'],
];

/** The error texts that differ between the create and the update page. */
interface Wording {
  flags: readonly string[];
  flag: (param: string) => string;
  reference: Partial<Record<Reference, string>>;
  currency: string;
}

const words = (param: string) => param.replace(/_/g, ' ');

export const CREATE_WORDING: Wording = {
  flags: ['use_external_function', 'allow_loss_calls', 'tell_cents', 'solo_pinless', 'disable_voucher', 'callerid_leave'],
  flag: (param) => `${words(param).charAt(0).toUpperCase()}${words(param).slice(1)} is incorrect format`,
  reference: { TARIFF: 'Tariff was not found', LCR: 'LCR was not found', LOCATION: 'Location was not found', TAX: 'Tax not found' },
  currency: 'Currency was not found',
};

export const UPDATE_WORDING: Wording = {
  flags: FLAGS.map(([param]) => param),
  flag: (param) => `Invalid ${words(param)} parameter, should be: 0 or 1`,
  reference: {
    TARIFF: 'Invalid Tariff id',
    LCR: 'Invalid Lcr id',
    LOCATION: 'Invalid Location id',
    DIALPLAN: 'Invalid Dialplan id',
    TAX: 'Tax not found',
  },
  currency: 'Invalid Currency',
};

export const GROUP_PARAMS = [
  'name', 'description', 'price_with_vat', 'setup_fee', 'ghost_min_perc', 'daily_charge', 'tariff_id', 'lcr_id',
  'date_from', 'date_till', 'number_length', 'pin_length', 'dialplan_id', 'location_id', 'tax_id',
  'valid_after_first_use', 'ghost_balance_perc', 'use_external_function', 'allow_loss_calls', 'tell_cents',
  'tell_balance_in_currency', 'solo_pinless', 'disable_voucher', 'hidden', 'callerid_leave',
] as const;

export type GroupParams = Partial<Record<(typeof GROUP_PARAMS)[number], string>>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const YEAR_2100 = Date.UTC(2100, 0, 1) / 1000;
const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';
const startOfToday = () => Math.floor(new Date().setUTCHours(0, 0, 0, 0) / 1000);
const validTimestamp = (value: string) => /^\d+$/.test(value) && Number(value) < YEAR_2100;
const nonNegativeMicros = (value: string) => (isDecimal(value) && !value.trim().startsWith('-') ? storeMicros(parseMicros(value)) : undefined);

/** MOR's rules for valid_from / valid_till (Unix timestamps). */
function applyDates(group: CardGroup, params: GroupParams, isNew: boolean): void {
  const { date_from: from, date_till: till } = params;
  if (present(from)) {
    if (!validTimestamp(from)) throw new MorError('Invalid date from');
    group.validFrom = Number(from);
  }
  if (!present(till) && present(from) && Number(from) > startOfToday()) throw new MorError('Date from is greater than date till');
  if (present(till)) {
    if (!validTimestamp(till)) throw new MorError('Invalid date till');
    const fromOk = present(from) && Number(till) >= Number(from);
    if (!fromOk && !(Number(till) >= startOfToday() && (!present(from) || Number(till) >= Number(from)))) {
      throw new MorError('Date from is greater than date till');
    }
    group.validTill = Number(till);
  } else if (isNew) {
    group.validTill = Math.floor(Date.now() / 1000);
  }
}

async function applyReferences(group: CardGroup, params: GroupParams, caller: UserRecord, wording: Wording): Promise<void> {
  for (const [param, entity, field] of REFERENCES) {
    const message = wording.reference[entity];
    const value = params[param as keyof GroupParams];
    if (!message || !present(value)) continue;
    const id = /^\d+$/.test(value) ? Number(value) : NaN;
    if (id === 0) {
      group[field] = 0;
      continue;
    }
    const item = Number.isSafeInteger(id) ? await getReference(entity, id) : undefined;
    const owner = Number(item?.ownerId ?? item?.userId ?? 0);
    // A reseller may not use the admin's tariffs, LCRs or locations.
    if (!item || (caller.usertype === 'reseller' && owner !== caller.id && entity !== 'TAX')) throw new MorError(message);
    group[field] = id;
  }
}

/** Applies MOR parameters to a group (new or existing), throwing MOR's text at the first bad value. */
export async function applyGroupParams(
  group: CardGroup,
  params: GroupParams,
  caller: UserRecord,
  wording: Wording,
  isNew: boolean,
): Promise<CardGroup> {
  if (present(params.name)) group.name = params.name;
  if (present(params.description)) group.description = params.description;
  for (const [param, field] of [['setup_fee', 'setupFeeMicros'], ['daily_charge', 'dailyChargeMicros']] as const) {
    const micros = present(params[param]) ? nonNegativeMicros(params[param]!) : undefined;
    if (micros !== undefined) group[field] = micros;
  }
  for (const [param, field] of [['ghost_min_perc', 'ghostMinPerc'], ['ghost_balance_perc', 'ghostBalancePerc']] as const) {
    if (present(params[param]) && isDecimal(params[param]!)) group[field] = params[param]!.trim();
  }
  if (isNew) applyLengths(group, params);

  for (const [param, field] of FLAGS) {
    const value = params[param];
    if (!wording.flags.includes(param) || !present(value)) continue;
    if (value !== '0' && value !== '1') throw new MorError(wording.flag(param));
    group[field] = Number(value);
  }
  applyDates(group, params, isNew);
  await applyReferences(group, params, caller, wording);

  const currency = params.tell_balance_in_currency;
  if (present(currency)) {
    if (!CURRENCIES.has(currency.toUpperCase())) throw new MorError(wording.currency);
    group.currency = currency.toUpperCase();
  }
  const validAfter = params.valid_after_first_use;
  if (present(validAfter)) {
    if (validAfter.length > 4 || !/^\d+$/.test(validAfter)) throw new MorError('Valid after is incorrect format');
    group.validAfterFirstUse = Number(validAfter);
  }
  if (present(params.price_with_vat)) {
    const price = nonNegativeMicros(params.price_with_vat);
    if (price === undefined) throw new MorError('Invalid Price with TAX');
    // Groups carry no tax rate of their own here (see docs/compat/cards.md): price with tax = price.
    group.priceMicros = price;
  }
  return group;
}

function applyLengths(group: CardGroup, params: GroupParams): void {
  if (present(params.pin_length)) {
    if (!/^\d+$/.test(params.pin_length)) throw new MorError('PIN length must consist only of digits');
    const length = Number(params.pin_length);
    if (length === 0) throw new MorError('PIN length must be greater than 0');
    if (length > 30) throw new MorError('PIN length can be between 1 and 30');
    group.pinLength = length;
  }
  if (present(params.number_length)) {
    if (!/^\d+$/.test(params.number_length) || Number(params.number_length) < 1 || Number(params.number_length) > 30) {
      throw new MorError('Number length can be between 1 and 30');
    }
    group.numberLength = Number(params.number_length);
  }
}

export function newGroup(caller: UserRecord, currency: string): CardGroup {
  return {
    id: 0,
    ownerId: caller.usertype === 'accountant' || caller.usertype === 'admin' ? 0 : caller.id,
    name: '',
    description: '',
    image: 'example.jpg',
    priceMicros: 0,
    setupFeeMicros: 0,
    dailyChargeMicros: 0,
    ghostMinPerc: '0',
    ghostBalancePerc: '0',
    tariffId: 0,
    lcrId: 0,
    locationId: 0,
    taxId: 0,
    dialplanId: 0,
    validFrom: startOfToday(),
    validTill: 0,
    validAfterFirstUse: 0,
    numberLength: 10,
    pinLength: 6,
    currency: caller.currency || currency,
    useExternalFunction: 0,
    allowLossCalls: 0,
    tellCents: 0,
    soloPinless: 0,
    disableVoucher: 0,
    calleridLeave: 0,
    hidden: 0,
  };
}

const NAME_TAKEN = 'Card Group name must be unique';

/** Writes a new group with its unique-name marker. */
export async function insertGroup(group: CardGroup): Promise<CardGroup> {
  group.id = await nextId('cardgroup');
  await writeGroup(group, undefined);
  return group;
}

/** Saves a group; a renamed group moves its name marker in the same transaction. */
export async function writeGroup(group: CardGroup, previous: CardGroup | undefined): Promise<void> {
  const renamed = !previous || previous.name !== group.name;
  const items: object[] = [
    { Put: { TableName: TABLE_NAME, Item: groupItem(group), ...(previous ? { ConditionExpression: 'attribute_exists(PK)' } : { ConditionExpression: 'attribute_not_exists(PK)' }) } },
  ];
  if (renamed) {
    items.push({
      Put: {
        TableName: TABLE_NAME,
        Item: { ...cardKeys.groupNameMarker(group.name), groupId: group.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
    if (previous) items.push({ Delete: { TableName: TABLE_NAME, Key: cardKeys.groupNameMarker(previous.name) } });
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    if (renamed && isConditionalCancel(error, 1)) throw new MorError(NAME_TAKEN);
    if (previous && isConditionalCancel(error, 0)) throw new MorError('Card Group not found');
    throw error;
  }
}
