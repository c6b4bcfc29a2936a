/**
 * Devices (MOR "devices": Asterisk SIP/IAX2/... peers owned by a user). One item per device, plus
 * uniqueness markers for what MOR keeps unique: extension, PIN, and, by setting, the device username
 * and the IP+port pair of IP-authenticated devices.
 *
 * Keys: PK `DEVICE#<id>`; GSI1 `DEVICE_USERNAME#<username>` (device_u look-ups);
 * GSI2 `DEVICE_USER#<userId>` (a user's devices); GSI3 `DEVICE_OWNER#<ownerId>` (a reseller's or the
 * admin's users' devices); GSI4 `DEVICES` (every device, admin listing).
 * Secret look-up items PK `DEVICE_SECRET#<sha256 of the secret>` / SK `DEVICE#<pad id>` (non-unique: many devices
 * may share a password) are written, moved and deleted in the same transactions as the device.
 */
import { ConcurrentChangeError } from '../pipeline/errors.js';
import { createHash, randomInt } from 'node:crypto';
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { nextId } from '../db/counters.js';
import { canManageUser } from '../pipeline/access.js';
import { MorError } from '../pipeline/errors.js';
import { getSettings, setting, settingOn, type Settings } from './settings.js';
import { getUser, type UserRecord } from './users.js';

export const DEVICE_TYPES = ['SIP', 'IAX2', 'FAX', 'Virtual', 'H323', 'ZAP', 'Skype'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export interface DeviceRecord {
  id: number;
  userId: number;
  /** The device owner's owner (0 = admin, else the reseller): tenancy without reading the user. */
  ownerId: number;
  partnerId?: number;
  /** Asterisk peer name (MOR `name`). */
  name: string;
  username: string;
  secret: string;
  deviceType: DeviceType;
  extension: string;
  /** '' = pinless. */
  pin: string;
  callerIdName: string;
  callerIdNumber: string;
  description: string;
  comment: string;
  /** 'dynamic' for username/password authentication, else the IP (IP authentication). */
  host: string;
  ipaddr: string;
  port: number;
  devicegroupId: number | null;
  hidden: boolean;
  primary: boolean;
  callLimit: number;
  inboundCallLimit: number;
  totalCallLimit: number;
  /** Max call duration in seconds (MOR `timeout`/`call_timeout`). */
  callTimeout: number;
  ringingTimeout: number;
  trunk: number;
  fromuser: string;
  language: string;
  locationId: number;
  transport: string;
  encryption: boolean;
  allowEmptyCallerId: boolean;
  callerIdControlByDids: boolean;
  voicemailEmail: string;
  faxEmails: string[];
  progressinband: string;
  sendrpid: string;
  t38Support: string;
  copyLegANameToLegBNumber: boolean;
  emergencyCallerId: string;
  emergencyCallerIdPoolId: number;
  deviceBalanceEnabled: boolean;
  /** Device balance in micros, as decimal text (exact). */
  balanceMicros: string;
  /** Call flow per state (MOR device call flow: before_call, no_answer, busy, failed). */
  callflows: Record<string, CallflowRecord>;
  createdAt: string;
  updatedAt: string;
  /** Written with a username marker ("Do not allow duplicate device user names" was on). */
  uniqueUsername?: boolean;
  /** Written with an IP+port marker ("Allow same IP and Port" was off). */
  uniqueIpPort?: boolean;
  [more: string]: unknown;
}

export interface CallflowRecord {
  action: string;
  /** Forward target (device id or external number) or fax device. */
  data: string;
  /** Caller ID rule: `device`, `src`, `did:<id>`, `custom:<value>` or ''. */
  data2: string;
  /** The device this flow points at (forward/fax detect), for reference counting. */
  deviceId?: number;
}

/** Setting names (conflines) read for devices, and their defaults when unset. */
export const DEVICE_SETTINGS = {
  pinLength: ['Device_PIN_Length', '6'],
  rangeMin: ['Device_Range_MIN', '1000'],
  rangeMax: ['Device_Range_MAX', '9999'],
  randomExtension: ['Random_Device_Extension', '0'],
  noDuplicateUsernames: ['Disallow_Duplicate_Device_Usernames', '0'],
  allowSameIpPort: ['Allow_Same_IP_And_Port_For_Devices', '0'],
  hidePasswords: ['Hide_Device_Passwords_For_Users', '0'],
  hideUsernames: ['Hide_Device_Username_For_Users', '0'],
  defaultType: ['Default_device_type', 'SIP'],
} as const;

export const deviceSetting = (settings: Settings, name: keyof typeof DEVICE_SETTINGS) =>
  setting(settings, DEVICE_SETTINGS[name][0], DEVICE_SETTINGS[name][1]);
export const deviceSettingOn = (settings: Settings, name: keyof typeof DEVICE_SETTINGS) =>
  settingOn(settings, DEVICE_SETTINGS[name][0], DEVICE_SETTINGS[name][1]);

/** The secret look-up partition: a SHA-256 digest of the password, so no key ever holds a password. */
const secretLookupPartition = (secret: string) => `DEVICE_SECRET#${createHash('sha256').update(secret, 'utf8').digest('hex')}`;

export const deviceKeys = {
  device: (id: number) => ({ PK: `DEVICE#${id}`, SK: 'DEVICE' }),
  byUsername: (username: string, id: number) => ({ GSI1PK: `DEVICE_USERNAME#${username}`, GSI1SK: `DEVICE#${pad(id)}` }),
  byUser: (userId: number, id: number) => ({ GSI2PK: `DEVICE_USER#${userId}`, GSI2SK: `DEVICE#${pad(id)}` }),
  byOwner: (ownerId: number, id: number) => ({ GSI3PK: `DEVICE_OWNER#${ownerId}`, GSI3SK: `DEVICE#${pad(id)}` }),
  inAll: (id: number) => ({ GSI4PK: 'DEVICES', GSI4SK: `DEVICE#${pad(id)}` }),
  /** Look-up item: a device by its password (non-unique). */
  bySecret: (secret: string, id: number) => ({ PK: secretLookupPartition(secret), SK: `DEVICE#${pad(id)}` }),
};

/** Uniqueness markers: value → device. */
export const deviceMarkers = {
  extension: (extension: string) => keys.unique('DEVICE_EXTENSION', extension),
  pin: (pin: string) => keys.unique('DEVICE_PIN', pin),
  username: (username: string) => keys.unique('DEVICE_USERNAME', username),
  ipPort: (ip: string, port: number) => keys.unique('DEVICE_IPPORT', `${ip}:${port}`),
};

/** The markers a device holds (the flags record the settings in force when it was written). */
export function markersOf(device: DeviceRecord): { PK: string; SK: string }[] {
  const markers = [deviceMarkers.extension(device.extension)];
  if (device.pin) markers.push(deviceMarkers.pin(device.pin));
  if (device.uniqueUsername) markers.push(deviceMarkers.username(device.username));
  if (isIpAuth(device) && device.uniqueIpPort) markers.push(deviceMarkers.ipPort(device.host, device.port));
  return markers;
}

export const isIpAuth = (device: Pick<DeviceRecord, 'host'>) => device.host !== 'dynamic';

export function deviceItem(device: DeviceRecord): Record<string, unknown> {
  return {
    ...deviceKeys.device(device.id),
    ...deviceKeys.byUsername(device.username, device.id),
    ...deviceKeys.byUser(device.userId, device.id),
    ...deviceKeys.byOwner(device.ownerId, device.id),
    ...deviceKeys.inAll(device.id),
    type: 'device',
    ...device,
  };
}

const toDevice = (item: StoredItem) => withoutKeys<DeviceRecord>(item, 'type');

export async function getDevice(id: number): Promise<DeviceRecord | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: deviceKeys.device(id) }));
  return result.Item && toDevice(result.Item);
}

export async function getDevices(ids: number[]): Promise<DeviceRecord[]> {
  const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
  const out: DeviceRecord[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    const result = await db.send(
      new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: unique.slice(i, i + 100).map(deviceKeys.device) } } }),
    );
    out.push(...(result.Responses?.[TABLE_NAME] ?? []).map(toDevice));
  }
  return out.sort((a, b) => a.id - b.id);
}

const queryDevices = (index: string, pkName: string, pkValue: string, limit?: number) =>
  queryPartition({ index, partitionKey: [pkName, pkValue], limit, map: toDevice });

/**
 * Devices whose password is `secret`, lowest id first: one strongly consistent Query on the look-up
 * items, then the devices themselves (re-checked, so a look-up item can never answer for another password).
 */
export async function findDevicesBySecret(secret: string): Promise<DeviceRecord[]> {
  if (!secret) return [];
  const ids = await queryPartition({
    partitionKey: ['PK', secretLookupPartition(secret)],
    sortKeyBeginsWith: ['SK', 'DEVICE#'],
    projection: ['deviceId'],
    consistentRead: true,
    map: (item) => Number(item.deviceId),
  });
  return (await getDevices(ids)).filter((device) => device.secret === secret);
}

export const findDevicesByUsername = (username: string) =>
  username ? queryDevices('GSI1', 'GSI1PK', `DEVICE_USERNAME#${username}`) : Promise.resolve([]);

export const devicesOfUser = (userId: number, limit?: number) => queryDevices('GSI2', 'GSI2PK', `DEVICE_USER#${userId}`, limit);

export const devicesOfOwner = (ownerId: number, limit?: number) =>
  queryDevices('GSI3', 'GSI3PK', `DEVICE_OWNER#${ownerId}`, limit);

export const allDevices = (limit?: number) => queryDevices('GSI4', 'GSI4PK', 'DEVICES', limit);

async function markerTaken(marker: { PK: string; SK: string }): Promise<boolean> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: marker, ProjectionExpression: 'PK' }));
  return result.Item !== undefined;
}

export const extensionTaken = (extension: string) => markerTaken(deviceMarkers.extension(extension));
export const pinTaken = (pin: string) => markerTaken(deviceMarkers.pin(pin));

/** A free extension from the device range: the next one in order, or a random one when "Random Device Extension" is on. */
export async function pickExtension(settings: Settings): Promise<string> {
  const min = Number(deviceSetting(settings, 'rangeMin')) || 1000;
  const max = Math.max(Number(deviceSetting(settings, 'rangeMax')) || 9999, min);
  const size = max - min + 1;
  const random = deviceSettingOn(settings, 'randomExtension');
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = random ? min + randomInt(size) : min + (((await nextId('device_extension')) - 1) % size);
    if (!(await extensionTaken(String(candidate)))) return String(candidate);
  }
  throw new Error('No free extension in the device range');
}

/** A random unused PIN of "Device PIN length" digits. */
export async function pickPin(settings: Settings): Promise<string> {
  const length = Math.min(Math.max(Number(deviceSetting(settings, 'pinLength')) || 6, 1), 15);
  for (let attempt = 0; attempt < 20; attempt++) {
    const pin = Array.from({ length }, () => randomInt(10)).join('');
    if (!(await pinTaken(pin))) return pin;
  }
  throw new Error('No free PIN');
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const randomSecret = (length = 8) => Array.from({ length }, () => LETTERS[randomInt(LETTERS.length)]).join('');

export interface NewDevice {
  deviceType?: string;
  username?: string;
  password?: string;
  callerId?: string;
  /** undefined = random PIN; '' = pinless. */
  pin?: string;
  description?: string;
  devicegroupId?: number | null;
  primary?: boolean;
}

export function resolveDeviceType(settings: Settings, requested: string | undefined): DeviceType | undefined {
  const wanted = requested || deviceSetting(settings, 'defaultType') || 'SIP';
  return DEVICE_TYPES.find((t) => t.toLowerCase() === wanted.toLowerCase());
}

/** Builds a new device record (id, extension, PIN and secret generated as MOR does). */
export async function buildDevice(user: UserRecord, settings: Settings, input: NewDevice): Promise<DeviceRecord> {
  const deviceType = resolveDeviceType(settings, input.deviceType) ?? 'SIP';
  const extension = await pickExtension(settings);
  const username = input.username || extension;
  const now = new Date().toISOString();
  return {
    id: await nextId('device'),
    userId: user.id,
    ownerId: user.ownerId,
    ...(user.partnerId !== undefined ? { partnerId: user.partnerId } : {}),
    name: username,
    username,
    secret: input.password || randomSecret(),
    deviceType,
    extension,
    pin: input.pin === undefined ? await pickPin(settings) : input.pin,
    callerIdName: '',
    callerIdNumber: input.callerId ?? '',
    description: input.description ?? '',
    comment: '',
    host: 'dynamic',
    ipaddr: '0.0.0.0',
    port: 0,
    devicegroupId: input.devicegroupId ?? null,
    hidden: false,
    primary: input.primary ?? false,
    uniqueUsername: deviceSettingOn(settings, 'noDuplicateUsernames'),
    callLimit: 0,
    inboundCallLimit: 0,
    totalCallLimit: 0,
    callTimeout: 7200,
    ringingTimeout: 60,
    trunk: 0,
    fromuser: '',
    language: 'en',
    locationId: 1,
    transport: 'udp',
    encryption: false,
    allowEmptyCallerId: false,
    callerIdControlByDids: false,
    voicemailEmail: '',
    faxEmails: [],
    progressinband: 'never',
    sendrpid: 'no',
    t38Support: 'no',
    copyLegANameToLegBNumber: false,
    emergencyCallerId: '',
    emergencyCallerIdPoolId: 0,
    deviceBalanceEnabled: false,
    balanceMicros: '0',
    nat: 'yes',
    callflows: {},
    createdAt: now,
    updatedAt: now,
  };
}

const putNew = (item: Record<string, unknown>) => ({
  Put: { TableName: TABLE_NAME, Item: item, ConditionExpression: 'attribute_not_exists(PK)' },
});

const secretLookupItem = (device: DeviceRecord) => ({
  ...deviceKeys.bySecret(device.secret, device.id),
  type: 'device_secret',
  deviceId: device.id,
});

/** The secret look-up item's write for a device (none for a device without a password). */
const putSecretLookup = (device: DeviceRecord) =>
  device.secret ? [{ Put: { TableName: TABLE_NAME, Item: secretLookupItem(device) } }] : [];
const deleteSecretLookup = (device: DeviceRecord) =>
  device.secret ? [{ Delete: { TableName: TABLE_NAME, Key: deviceKeys.bySecret(device.secret, device.id) } }] : [];

/**
 * TransactWrite items that create a device: the device and its markers (each conditional on not existing),
 * then its secret look-up item.
 */
export function createDeviceItems(device: DeviceRecord): object[] {
  return [
    putNew(deviceItem(device)),
    ...markersOf(device).map((marker) => putNew({ ...marker, deviceId: device.id })),
    ...putSecretLookup(device),
  ];
}

/**
 * The items that create a user's first device (its primary device) inside the user's own registration
 * transaction. Signature kept stable for user_register.
 */
export async function firstDeviceItems(
  user: UserRecord,
  ownerSettings: Settings,
  input: { deviceType?: string; username?: string; password?: string; callerId?: string; pin?: string },
): Promise<{ device: DeviceRecord; items: object[] }> {
  const device = await buildDevice(user, ownerSettings, { ...input, primary: true });
  return { device, items: createDeviceItems(device) };
}

/** Whether `caller` may see and change `device` (tenancy of the device's user). */
export const canManageDevice = (caller: UserRecord, device: DeviceRecord) =>
  canManageUser(caller, { id: device.userId, ownerId: device.ownerId, partnerId: device.partnerId });

/** The device when the caller may manage it; otherwise the method's not-found error, as for a missing one. */
export async function deviceForCaller(caller: UserRecord, id: number | undefined, notFound = 'Device was not found'): Promise<DeviceRecord> {
  const device = id === undefined ? undefined : await getDevice(id);
  if (!device || !canManageDevice(caller, device)) throw new MorError(notFound);
  return device;
}

/** Which marker a failed device write tripped, for MOR's error text. */
export type DeviceConflict = 'extension' | 'pin' | 'username' | 'ipPort';
export class DeviceConflictError extends Error {
  constructor(readonly conflict: DeviceConflict) {
    super(`device ${conflict} taken`);
  }
}

const conflictOfMarker = (pk: string): DeviceConflict =>
  pk.startsWith('UNIQUE#DEVICE_PIN#') ? 'pin'
    : pk.startsWith('UNIQUE#DEVICE_USERNAME#') ? 'username'
      : pk.startsWith('UNIQUE#DEVICE_IPPORT#') ? 'ipPort'
        : 'extension';

/** Runs a device transaction, turning a failed marker condition into DeviceConflictError. */
export async function writeDeviceTransaction(items: object[]): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
    if (e.name !== 'TransactionCanceledException') throw error;
    const failed = (e.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed');
    const pk = (items[failed] as { Put?: { Item: { PK: string } } } | undefined)?.Put?.Item.PK ?? '';
    if (!pk.startsWith('UNIQUE#')) throw new ConcurrentChangeError('Device changed meanwhile');
    throw new DeviceConflictError(conflictOfMarker(pk));
  }
}

/** Before writing a device: the checks a transaction marker cannot make alone (existing duplicates). */
export async function assertUsernameFree(settings: Settings, username: string, exceptId?: number): Promise<void> {
  if (!deviceSettingOn(settings, 'noDuplicateUsernames')) return;
  const same = await findDevicesByUsername(username);
  if (same.some((d) => d.id !== exceptId)) throw new DeviceConflictError('username');
}

/**
 * Replaces a device and swaps the markers whose values changed, all or nothing. The secret look-up item is
 * always (re)written, so a device stored without one gets it; the old one is removed when the password changed.
 */
export function updateDeviceItems(before: DeviceRecord, after: DeviceRecord): object[] {
  const oldMarkers = markersOf(before).map((m) => m.PK);
  const newMarkers = markersOf(after);
  const added = newMarkers.filter((m) => !oldMarkers.includes(m.PK));
  const removed = oldMarkers.filter((pk) => !newMarkers.some((m) => m.PK === pk));
  return [
    {
      Put: {
        TableName: TABLE_NAME,
        Item: deviceItem(after),
        ConditionExpression: 'attribute_exists(PK) AND updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': before.updatedAt ?? before.createdAt },
      },
    },
    ...added.map((marker) => putNew({ ...marker, deviceId: after.id })),
    ...removed.map((pk) => ({ Delete: { TableName: TABLE_NAME, Key: { PK: pk, SK: 'UNIQUE' } } })),
    ...(before.secret !== after.secret ? deleteSecretLookup(before) : []),
    ...putSecretLookup(after),
  ];
}

export function deleteDeviceItems(device: DeviceRecord): object[] {
  return [
    { Delete: { TableName: TABLE_NAME, Key: deviceKeys.device(device.id) } },
    ...markersOf(device).map((marker) => ({ Delete: { TableName: TABLE_NAME, Key: marker } })),
    ...deleteSecretLookup(device),
  ];
}

/** Device settings of a user's owner: the reseller's own values over the admin's. */
export async function deviceSettingsFor(ownerId: number): Promise<Settings> {
  const admin = await getSettings(0);
  return ownerId === 0 ? admin : { ...admin, ...(await getSettings(ownerId)) };
}

/** What a caller may see of a device's credentials ("Hide device passwords/usernames for users"). */
export function visibleCredentials(caller: UserRecord, device: DeviceRecord, settings: Settings) {
  const simpleUser = caller.usertype === 'user';
  return {
    username: simpleUser && deviceSettingOn(settings, 'hideUsernames') ? undefined : device.username,
    secret: simpleUser && deviceSettingOn(settings, 'hidePasswords') ? undefined : device.secret,
  };
}

export const deviceCallerId = (device: Pick<DeviceRecord, 'callerIdName' | 'callerIdNumber'>) =>
  device.callerIdName || device.callerIdNumber ? `"${device.callerIdName}" <${device.callerIdNumber}>` : '';

/** The accountant right that covers devices and CLIs (MOR "Device management"). */
export const DEVICE_MANAGE = 'device_manage';

/** A user the caller manages, or the method's not-found error. */
export async function userForCaller(caller: UserRecord, id: number, notFound: string): Promise<UserRecord> {
  const user = await getUser(id);
  if (!user || !canManageUser(caller, user)) throw new MorError(notFound);
  return user;
}

/** `Device was not created` with MOR's following `<message>` detail (rendered by the handler). */
export class DeviceNotCreatedError extends Error {}
const notCreated = (message: string) => new DeviceNotCreatedError(message);

/** device_create: validates MOR's device parameters, then writes the device and its markers in one transaction. */
export async function createUserDevice(
  user: UserRecord,
  input: { deviceType?: string; pin?: string; description?: string; devicegroupId?: string; callerId?: string },
): Promise<DeviceRecord> {
  const settings = await deviceSettingsFor(user.ownerId);
  if (input.deviceType && !resolveDeviceType(settings, input.deviceType)) throw new MorError('Device_type_invalid');
  if (input.devicegroupId && !(await devicegroupExists(input.devicegroupId))) throw new MorError('Device_group_invalid');
  if (input.pin) {
    if (!/^[0-9]+$/.test(input.pin)) throw new MorError('Pin_must_be_numeric');
    if (await pinTaken(input.pin)) throw new MorError('Pin_is_already_used');
  }
  const existing = await devicesOfUser(user.id, 1);
  const device = await buildDevice(user, settings, {
    deviceType: input.deviceType,
    pin: input.pin,
    description: input.description,
    callerId: input.callerId,
    devicegroupId: input.devicegroupId ? Number(input.devicegroupId) : null,
    primary: existing.length === 0,
  });
  try {
    await assertUsernameFree(settings, device.username);
    await writeDeviceTransaction(createDeviceItems(device));
  } catch (error) {
    if (!(error instanceof DeviceConflictError)) throw error;
    if (error.conflict === 'pin') throw new MorError('Pin_is_already_used');
    throw notCreated(CONFLICT_MESSAGES[error.conflict]);
  }
  return device;
}

export const CONFLICT_MESSAGES: Record<DeviceConflict, string> = {
  extension: 'Extension is used',
  pin: 'Pin_is_already_used',
  username: 'Device with such username already exists',
  ipPort: 'Device with such IP and port already exists',
};

const devicegroupExists = async (id: string) =>
  !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `DEVICEGROUP#${id}`, SK: 'DEVICEGROUP' }, ProjectionExpression: 'PK' }))).Item;

/** device_update's parameters, already validated for format by the handler. */
export type DeviceChanges = Partial<Record<string, string>>;

const flag = (v: string) => v === '1';

/** Plain field updates: parameter → how it lands on the record. */
const SIMPLE_UPDATES: Record<string, (device: DeviceRecord, value: string) => void> = {
  trunk: (d, v) => (d.trunk = Number(v)),
  call_limit: (d, v) => (d.callLimit = Number(v)),
  inbound_call_limit: (d, v) => (d.inboundCallLimit = Number(v)),
  total_call_limit: (d, v) => (d.totalCallLimit = Number(v)),
  fromuser: (d, v) => (d.fromuser = v),
  call_timeout: (d, v) => (d.callTimeout = Number(v)),
  hidden: (d, v) => (d.hidden = flag(v)),
  language: (d, v) => (d.language = v),
  comment: (d, v) => (d.comment = v),
  encryption: (d, v) => (d.encryption = flag(v)),
  transport: (d, v) => (d.transport = v),
  device_balance_enabled: (d, v) => (d.deviceBalanceEnabled = flag(v)),
  ringing_timeout: (d, v) => (d.ringingTimeout = Number(v)),
  callerid_control_by_dids: (d, v) => (d.callerIdControlByDids = flag(v)),
  voicemail_email: (d, v) => (d.voicemailEmail = v),
  description: (d, v) => (d.description = v),
  progressinband: (d, v) => (d.progressinband = v.toLowerCase()),
  emergency_callerid: (d, v) => (d.emergencyCallerId = v),
  emergency_callerid_pool_id: (d, v) => (d.emergencyCallerIdPoolId = Number(v)),
  sendrpid: (d, v) => (d.sendrpid = v),
  t38_support: (d, v) => (d.t38Support = v),
  copy_legA_name_to_LegB_number: (d, v) => (d.copyLegANameToLegBNumber = flag(v)),
  allow_empty_callerid: (d, v) => (d.allowEmptyCallerId = flag(v)),
};

/** device_update: applies MOR's parameters to a device and rewrites it with its changed markers. */
export async function updateDevice(device: DeviceRecord, changes: DeviceChanges, parseBalance: (v: string) => string): Promise<DeviceRecord> {
  const settings = await deviceSettingsFor(device.ownerId);
  const next: DeviceRecord = { ...device, faxEmails: [...(device.faxEmails ?? [])], updatedAt: new Date().toISOString() };
  for (const [param, apply] of Object.entries(SIMPLE_UPDATES)) {
    const value = changes[param];
    if (value !== undefined && value !== '') apply(next, value);
  }
  const allowEmpty = changes.allow_empty_callerid === '1';
  if (changes.callerid_number !== undefined && (changes.callerid_number !== '' || allowEmpty)) next.callerIdNumber = changes.callerid_number;
  if (changes.callerid_name !== undefined && (changes.callerid_name !== '' || allowEmpty)) next.callerIdName = changes.callerid_name;
  if (changes.fax_email_add && !next.faxEmails.includes(changes.fax_email_add)) next.faxEmails.push(changes.fax_email_add);
  if (changes.fax_email_delete) next.faxEmails = next.faxEmails.filter((e) => e !== changes.fax_email_delete);
  if (changes.balance) next.balanceMicros = parseBalance(changes.balance);
  if (changes.new_location_id) next.locationId = Number(changes.new_location_id);
  if (changes.extension) next.extension = changes.extension;
  if (changes.pin !== undefined) next.pin = changes.pin;
  if (changes.password) next.secret = changes.password;
  if (changes.authentication === '1') {
    next.host = changes.host || (isIpAuth(device) ? device.host : '');
    next.ipaddr = next.host;
    if (changes.port) next.port = Number(changes.port);
    if (changes.hostname) next.hostname = changes.hostname;
  } else if (changes.authentication === '0') {
    next.host = 'dynamic';
    next.ipaddr = '0.0.0.0';
    next.port = 0;
  } else if (isIpAuth(device)) {
    if (changes.host) next.host = next.ipaddr = changes.host;
    if (changes.port) next.port = Number(changes.port);
  }
  if (changes.username && changes.username !== device.username) {
    next.username = next.name = changes.username;
    next.uniqueUsername = deviceSettingOn(settings, 'noDuplicateUsernames');
    await assertUsernameFree(settings, next.username, device.id);
  }
  if (isIpAuth(next)) {
    if (!next.host) throw new MorError('Host cannot be empty');
    next.uniqueIpPort = !deviceSettingOn(settings, 'allowSameIpPort');
  } else delete next.uniqueIpPort;
  if (next.pin !== device.pin && next.pin && (await pinTaken(next.pin))) throw new DeviceConflictError('pin');
  if (next.extension !== device.extension && (await extensionTaken(next.extension))) throw new DeviceConflictError('extension');
  await writeDeviceTransaction(updateDeviceItems(device, next));
  return next;
}

export const locationExists = async (id: string) =>
  id === '1' || !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `LOCATION#${id}`, SK: 'LOCATION' }, ProjectionExpression: 'PK' }))).Item;

/** A device the caller may manage, found by id or else by username (device_details_get's device_u). */
export async function deviceByIdOrUsername(caller: UserRecord, id: string | undefined, username: string | undefined): Promise<DeviceRecord> {
  if (id) return deviceForCaller(caller, /^[0-9]+$/.test(id) ? Number(id) : undefined);
  const found = username ? (await findDevicesByUsername(username)).find((d) => canManageDevice(caller, d)) : undefined;
  if (!found) throw new MorError('Device was not found');
  return found;
}

/** Why a device may not be deleted (MOR's texts), or undefined. */
export function deleteRefusal(device: DeviceRecord): string | undefined {
  if (Number(device.callCount ?? 0) > 0) {
    return 'Cannot delete device - it has calls. You can only hide device\'s user. Why is that and how to do that - please read in manual.';
  }
  if (Number(device.forwardRefs ?? 0) > 0) return 'Device has forwarded calls - we cannot delete it';
  if (Number(device.faxDetectRefs ?? 0) > 0) return 'Unable to delete this device - it is used in Call Flow for Fax Detect';
  if (Number(device.dialplanRefs ?? 0) > 0) return 'Device has Dial Plans - we cannot delete it';
  if (Number(device.locationRuleRefs ?? 0) > 0) return 'One or more Location rules are using this Device';
  if (Number(device.queueRefs ?? 0) > 0) return 'Cannot delete device - it is assigned to Queue';
  return undefined;
}

/** A reference counter change on another device (forwards and fax-detect call flows point at devices). */
export const deviceRefDelta = (deviceId: number, counter: 'forwardRefs' | 'faxDetectRefs', delta: number) => ({
  Update: {
    TableName: TABLE_NAME,
    Key: deviceKeys.device(deviceId),
    // updatedAt moves too, so a concurrent full rewrite of that device (device_update) cannot undo the count.
    UpdateExpression: 'ADD #c :d SET updatedAt = :now',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#c': counter },
    ExpressionAttributeValues: { ':d': delta, ':now': new Date().toISOString() },
  },
});

/** Call flow states in MOR's order, with their display names. */
export const CALLFLOW_STATES = [
  ['before_call', 'Before call'],
  ['call', 'Call'],
  ['answered', 'Answered'],
  ['no_answer', 'No answer'],
  ['busy', 'Busy'],
  ['failed', 'Failed'],
] as const;
export const EDITABLE_STATES = ['before_call', 'no_answer', 'busy', 'failed'];
export const CALLFLOW_ACTIONS = ['empty', 'forward', 'fax_detect', 'voicemail'];
const ACTION_NAMES: Record<string, string> = { empty: '', forward: 'Forward', fax_detect: 'Fax_detect', voicemail: 'Voicemail' };

/** The call flow of a device as device_callflow_get lists it. */
export function callflowRows(device: DeviceRecord) {
  return CALLFLOW_STATES.map(([state, title]) => {
    const stored = device.callflows?.[state];
    const action = state === 'call' ? 'Dial' : state === 'answered' ? 'Hangup' : ACTION_NAMES[stored?.action ?? 'empty'] ?? '';
    const data = state === 'call' ? `${device.deviceType}/${device.name}|${device.ringingTimeout ?? 60}` : stored?.data ?? '';
    return { state: title, priority: 1, action, data, data2: stored?.data2 ?? '', data3: 1, data4: '', data5: '' };
  });
}

/** Replaces a device's call flow for one state, moving the reference counters of the devices it points at. */
export async function setCallflow(device: DeviceRecord, state: string, flow: CallflowRecord): Promise<void> {
  const previous = device.callflows?.[state];
  const refOf = (f: CallflowRecord | undefined) =>
    f?.action === 'forward' && f.deviceId ? { id: f.deviceId, counter: 'forwardRefs' as const }
      : f?.action === 'fax_detect' && f.deviceId ? { id: f.deviceId, counter: 'faxDetectRefs' as const } : undefined;
  const before = refOf(previous);
  const after = refOf(flow);
  const refItems = [
    ...(before ? [deviceRefDelta(before.id, before.counter, -1)] : []),
    ...(after ? [deviceRefDelta(after.id, after.counter, 1)] : []),
  ];
  const sameRef = before && after && before.id === after.id && before.counter === after.counter;
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: TABLE_NAME,
            Key: deviceKeys.device(device.id),
            UpdateExpression: 'SET callflows.#s = :f, updatedAt = :now',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#s': state },
            ExpressionAttributeValues: { ':f': flow, ':now': new Date().toISOString() },
          },
        },
        ...(sameRef ? [] : refItems.filter((item) => item.Update.Key.PK !== deviceKeys.device(device.id).PK)),
      ] as never,
    }),
  );
}
