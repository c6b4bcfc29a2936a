/**
 * user_register: MOR's checks on a registration (first failing check wins, in MOR's order), then the
 * user, its username and email markers and its first device, written in ONE transaction.
 * New users take the owner's "Default User" settings (`default_user_*`, as conflines_update writes them;
 * a reseller's own value wins over the admin's).
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { pad } from '../db/keys.js';
import { parseMicros, storeMicros } from '../money.js';
import { MorError } from '../pipeline/errors.js';
import { findCli } from './clis.js';
import { createDeviceItems, firstDeviceItems, locationExists, randomSecret, type DeviceRecord } from './devices.js';
import { getAccGroup, type AccGroupRecord, type AccGroupType } from './reseller-groups.js';
import { setting, settingOn, type Settings } from './settings.js';
import { getTariff } from './tariffs.js';
import { emailMarker, emailTaken, isEmailList, passwordProblem, uniqueEmails, usernameProblem, usernameTaken } from './user-rules.js';
import { buildUser, createUserTransactItems, isConditionalCancel, type UserRecord } from './users.js';

export type RegistrationParams = Partial<Record<string, string>>;

export const REGISTRATION_SETTING = 'API_Allow_registration_ower_API';
export const REGISTRATION_DISABLED = 'Registration over API is disabled';
const CONFIGURATION_ERROR = "'Configuration error. Please contact System Administrator'";
const DEVICE_TYPES = ['SIP', 'IAX2', 'Virtual'];
const DEFAULT_LCR_ID = 1;

/** A "Default User" setting of the owner, else the admin's. */
const defaultsOf = (ownerSettings: Settings, adminSettings: Settings) => (name: string, fallback = '') =>
  ownerSettings[name] ?? setting(adminSettings, name, fallback);

const lcrExists = async (id: number, ownerId: number) => {
  if (id === DEFAULT_LCR_ID) return true;
  const item = (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `LCR#${id}`, SK: 'LCR' } }))).Item;
  return !!item && Number(item.ownerId ?? 0) === ownerId;
};

const asId = (text: string | undefined) => (text && /^\d+$/.test(text) ? Number(text) : undefined);

/** MOR's validation of a registration, in its order. Throws the first failure's text. */
async function validate(owner: UserRecord, p: RegistrationParams, adminSettings: Settings): Promise<AccGroupRecord | undefined> {
  if (p.tariff) {
    const tariff = await getTariff(asId(p.tariff) ?? -1);
    if (!tariff || tariff.ownerId !== owner.id || tariff.purpose === 'provider') throw new MorError('Tariff was not found');
  }
  const username = p.username ?? '';
  if (!username) throw new MorError('Please enter username');
  if (await usernameTaken(username)) throw new MorError('Such username is already taken');
  const usernameError = usernameProblem(username, adminSettings);
  if (usernameError) throw new MorError(usernameError);

  const password = p.password ?? '';
  if (password !== (p.password2 ?? '')) throw new MorError('Passwords do not match');
  if (!password) throw new MorError('Please enter password');
  const passwordError = passwordProblem(password, adminSettings);
  if (passwordError) throw new MorError(passwordError);
  if (password === username) throw new MorError('Please enter password not equal to username');

  if (!p.first_name) throw new MorError('Please enter first name');
  if (!p.last_name) throw new MorError('Please enter last name');
  if (asId(p.country_id) === undefined) throw new MorError('Please select country');
  if (!p.email || !isEmailList(p.email)) throw new MorError('Please enter correct email');
  if (uniqueEmails(adminSettings) && (await emailTaken(p.email))) throw new MorError('This email address is already in use.');

  const phones = [
    [p.mob_phone, 'User with such mobile phone number already exists'],
    [p.phone, 'User with such phone number already exists'],
    [p.fax, 'User with such fax number already exists'],
  ] as const;
  for (const [number, message] of phones) if (number && (await findCli(number))) throw new MorError(message);

  if (!p.device_type || !DEVICE_TYPES.some((t) => t.toLowerCase() === p.device_type!.toLowerCase())) throw new MorError('Enter device type');
  if (p.lcr_id && !(await lcrExists(asId(p.lcr_id) ?? -1, owner.id))) throw new MorError('LCR was not found');
  if (p.device_location_id && !(asId(p.device_location_id) && (await locationExists(p.device_location_id)))) {
    throw new MorError('Location was not found');
  }
  const usertype = p.usertype || 'user';
  if (usertype !== 'user') {
    if (!['reseller', 'accountant'].includes(usertype) || owner.usertype !== 'admin') throw new MorError('Access Denied');
    if (!p.permission_group) throw new MorError('Permission Group was not selected');
    const group = await getAccGroup(asId(p.permission_group) ?? -1);
    if (!group || group.groupType !== (usertype as AccGroupType)) throw new MorError('Permission Group was not Found');
    return group;
  }
  return undefined;
}

/** Credit as MOR writes it: -1 = unlimited (null), else an amount. */
const creditOf = (text: string) => (text.trim() === '-1' ? null : storeMicros(parseMicros(text)));
const safeMicros = (text: string) => {
  try {
    return storeMicros(parseMicros(text));
  } catch {
    return 0;
  }
};

async function buildRegisteredUser(
  owner: UserRecord,
  p: RegistrationParams,
  group: AccGroupRecord | undefined,
  ownerSettings: Settings,
  adminSettings: Settings,
  sourceIp: string,
) {
  const defaults = defaultsOf(ownerSettings, adminSettings);
  const creditText = p.credit_limit || defaults('default_user_credit', '0');
  const usertype = (p.usertype || 'user') as UserRecord['usertype'];
  const details: Record<string, string> = {
    agreement_number: pad(await nextId('agreement_number')),
    agreement_date: new Date().toISOString().slice(0, 10),
    taxation_country: p.country_id ?? '',
    clientid: p.client_id ?? '',
    vat_number: p.vat_number ?? '',
    call_limit: p.call_limit && /^\d+$/.test(p.call_limit) ? p.call_limit : defaults('default_user_call_limit', '0'),
    allow_loss_calls: defaults('default_user_allow_loss_calls', '0'),
    recording_enabled: defaults('default_user_recording_enabled', '0'),
    recording_forced_enabled: defaults('default_user_recording_forced_enabled', '0'),
    quickforwards_rule_id: defaults('default_user_quickforwards_rule_id', '0'),
    accounting_number: p.accounting_number ?? '',
  };
  return buildUser({
    username: p.username!,
    password: p.password!,
    usertype,
    ownerId: owner.id,
    ...(owner.partnerId !== undefined ? { partnerId: owner.partnerId } : {}),
    firstName: p.first_name,
    lastName: p.last_name,
    email: p.email,
    balanceMicros: safeMicros(defaults('default_user_balance', '0')),
    creditMicros: /^(-1|[0-9]+(\.[0-9]+)?)$/.test(creditText.trim()) ? creditOf(creditText) : 0,
    postpaid: defaults('default_user_postpaid', '0') === '1',
    currency: defaults('default_user_currency', setting(adminSettings, 'Default_Currency', 'USD')),
    tariffId: asId(p.tariff) ?? asId(defaults('default_user_tariff_id')) ?? 1,
    lcrId: asId(p.lcr_id) ?? DEFAULT_LCR_ID,
    // A reseller or accountant takes its permission group's rights.
    permissions: group?.rights ?? {},
    extra: {
      ...(group ? { accGroupId: group.id } : {}),
      timeZone: defaults('default_user_time_zone', 'UTC'),
      registrationIp: sourceIp,
      details,
      address: {
        address: p.address ?? '', city: p.city ?? '', postcode: p.postcode ?? '', county: p.county ?? '', state: p.state ?? '',
        countryId: p.country_id ?? '', phone: p.phone ?? '', mobPhone: p.mob_phone ?? '', fax: p.fax ?? '', email: p.email ?? '',
      },
    },
  });
}

export interface Registration {
  user: UserRecord;
  device: DeviceRecord;
}

/** Validates and writes a registration under `owner`: user, markers and first device, all or nothing. */
export async function registerUser(
  owner: UserRecord,
  p: RegistrationParams,
  settings: { owner: Settings; admin: Settings },
  sourceIp: string,
): Promise<Registration> {
  const group = await validate(owner, p, settings.admin);
  const user = await buildRegisteredUser(owner, p, group, settings.owner, settings.admin, sourceIp);
  const first = await firstDeviceItems(user, settings.owner, {
    deviceType: DEVICE_TYPES.find((t) => t.toLowerCase() === p.device_type!.toLowerCase()),
    callerId: p.caller_id || undefined,
    password: randomSecret(12),
  });
  // firstDeviceItems takes no location: the same device, placed in the requested location (markers unchanged).
  const device = p.device_location_id ? { ...first.device, locationId: Number(p.device_location_id) } : first.device;
  const deviceItems = p.device_location_id ? createDeviceItems(device) : first.items;
  const userItems = createUserTransactItems(user);
  const emailItems = uniqueEmails(settings.admin)
    ? [{ Put: { TableName: TABLE_NAME, Item: { ...emailMarker(user.email), userId: user.id }, ConditionExpression: 'attribute_not_exists(PK)' } }]
    : [];
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [...userItems, ...emailItems, ...deviceItems] as never }));
  } catch (error) {
    // A concurrent registration took the username or email between the checks and the write: nothing was written.
    if (isConditionalCancel(error, 0)) throw new MorError('Such username is already taken');
    if (emailItems.length > 0 && isConditionalCancel(error, userItems.length)) throw new MorError('This email address is already in use.');
    if (isConditionalCancel(error)) throw new MorError(CONFIGURATION_ERROR);
    throw error;
  }
  return { user, device };
}

/** "API allow Registration" of the owner's API settings; off → MOR's first error. */
export function assertRegistrationAllowed(ownerSettings: Settings): void {
  if (!settingOn(ownerSettings, REGISTRATION_SETTING)) throw new MorError(REGISTRATION_DISABLED);
}

/** MOR's answer to a registration. */
export function registrationDocument({ user, device }: Registration, callerIdSent: boolean, adminSettings: Settings) {
  return {
    page: {
      status: { success: 'Registration successful' },
      user_device_settings: {
        user_id: user.id,
        device_type: device.deviceType,
        device_id: device.id,
        caller_id: callerIdSent ? device.callerIdNumber : undefined,
        username: device.username,
        password: device.secret,
        pin: device.pin,
        server_ip: setting(adminSettings, 'Asterisk_Server_IP', ''),
        registration_notice: REGISTRATION_NOTICE,
      },
    },
  };
}

export const REGISTRATION_NOTICE =
  '*ATTENTION! These settings are for you to configure your DEVICE. They are not for logging into the system.';
