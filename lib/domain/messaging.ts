/**
 * Messaging: MOR's email templates (email_send) and the SMS addon (sms_send,
 * user_sms_service_subscribe).
 *
 * Keys:
 * - email template `EMAIL_TEMPLATE#<ownerId>` / `NAME#<name>` (a stored template overrides the built-in one);
 * - SMS LCR `SMS_LCR#<id>` / `SMS_LCR` ({ ownerId, name });
 * - SMS tariff `SMS_TARIFF#<id>` / `SMS_TARIFF` ({ ownerId, tariffType: 'user' | 'provider', name }),
 *   its rates `SMS_TARIFF#<id>` / `RATE#<prefix>` ({ priceMicros } per SMS part, system currency);
 * - a user's SMS subscription `SMS_SUBSCRIPTION#<userId>` / `SMS_SUBSCRIPTION`;
 * - a sent SMS `SMS#<id>` / `SMS`, GSI1 `SMS_USER#<userId>` by time.
 * SMS leave through an `SmsProvider`; the local one appends JSON lines to SMS_SINK_FILE.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { MICROS_PER_UNIT, toMicros } from '../money.js';
import { setting, settingOn, type Settings } from './settings.js';
import type { UserRecord } from './users.js';

// ---- Email templates ---------------------------------------------------------------------------

export interface EmailTemplate {
  name: string;
  subject: string;
  body: string;
}

/** The templates every owner has (MOR installs them for the admin and copies them to each reseller). */
const BUILT_IN_TEMPLATES: Record<string, EmailTemplate> = {
  registration_confirmation_for_user: {
    name: 'registration_confirmation_for_user',
    subject: 'Thank you for registering!',
    body:
      'Your device information:\n\nServer IP: <%= server_ip %>\nDevice type: <%= device_type %>\n' +
      'Username: <%= device_username %>\nPassword: <%= device_password %>\n\n' +
      'Login URL: <%= login_url %>\nUsername: <%= login_username %>\nPassword: <%= login_password %>\n',
  },
  registration_confirmation_for_admin: {
    name: 'registration_confirmation_for_admin',
    subject: 'New user registered',
    body: 'New user registered: <%= login_username %> (<%= first_name %> <%= last_name %>), email <%= user_email %>.\n',
  },
  warning_balance_email: {
    name: 'warning_balance_email',
    subject: 'Warning: balance is low',
    body: 'Dear <%= full_name %>, your balance is <%= nice_balance %> <%= currency %>.\n',
  },
};

/** Longer names cannot exist (MOR's column is 255 characters; DynamoDB sort keys hold 1 KB). */
const MAX_TEMPLATE_NAME = 255;

export const emailTemplateKey = (ownerId: number, name: string) => ({ PK: `EMAIL_TEMPLATE#${ownerId}`, SK: `NAME#${name}` });

export async function findEmailTemplate(ownerId: number, name: string): Promise<EmailTemplate | undefined> {
  if (!name || name.length > MAX_TEMPLATE_NAME) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: emailTemplateKey(ownerId, name) }));
  if (result.Item) return { name, subject: String(result.Item.subject ?? ''), body: String(result.Item.body ?? '') };
  return Object.hasOwn(BUILT_IN_TEMPLATES, name) ? BUILT_IN_TEMPLATES[name] : undefined;
}

/** Fills `<%= variable %>` placeholders; variables not given render as empty text (MOR's rule). */
export const renderTemplate = (text: string, variables: Record<string, string | undefined>) =>
  text.replace(/<%=\s*([a-z_0-9]+)\s*%>/g, (_, name: string) => (Object.hasOwn(variables, name) ? (variables[name] ?? '') : ''));

/** MOR's "Email sending enabled" switch (admin settings); on unless turned off. */
export const emailSendingOn = (adminSettings: Settings) => settingOn(adminSettings, 'Email_Sending_Enabled', '1');

// ---- SMS ---------------------------------------------------------------------------------------

/** The SMS addon switch (admin settings); on unless turned off. */
export const smsAddonOn = (adminSettings: Settings) => setting(adminSettings, 'SMS_Addon_Active', '1') === '1';

export interface SmsLcr {
  id: number;
  ownerId: number;
  name: string;
}

export interface SmsTariff {
  id: number;
  ownerId: number;
  name: string;
  tariffType: 'user' | 'provider';
}

export interface SmsSubscription {
  userId: number;
  smsTariffId: number;
  smsLcrId: number;
  subscribedAt: string;
}

export const smsKeys = {
  lcr: (id: number) => ({ PK: `SMS_LCR#${id}`, SK: 'SMS_LCR' }),
  tariff: (id: number) => ({ PK: `SMS_TARIFF#${id}`, SK: 'SMS_TARIFF' }),
  rate: (tariffId: number, prefix: string) => ({ PK: `SMS_TARIFF#${tariffId}`, SK: `RATE#${prefix}` }),
  subscription: (userId: number) => ({ PK: `SMS_SUBSCRIPTION#${userId}`, SK: 'SMS_SUBSCRIPTION' }),
  message: (id: number) => ({ PK: `SMS#${id}`, SK: 'SMS' }),
  messageOfUser: (userId: number, at: string, id: number) => ({ GSI1PK: `SMS_USER#${userId}`, GSI1SK: `${at}#${id}` }),
};

async function getItem<T>(key: { PK: string; SK: string }): Promise<T | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }));
  return result.Item as T | undefined;
}

const positiveId = (text: string | undefined) => (text && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : 0);

export const getSmsLcr = (idText: string | undefined) => {
  const id = positiveId(idText);
  return id ? getItem<SmsLcr>(smsKeys.lcr(id)) : Promise.resolve(undefined);
};

export const getSmsTariff = (idText: string | undefined) => {
  const id = positiveId(idText);
  return id ? getItem<SmsTariff>(smsKeys.tariff(id)) : Promise.resolve(undefined);
};

export const getSmsSubscription = (userId: number) => getItem<SmsSubscription>(smsKeys.subscription(userId));

/** The Put of a new subscription; fails its condition when the user is already subscribed. */
export const subscriptionPut = (subscription: SmsSubscription) => ({
  Put: {
    TableName: TABLE_NAME,
    Item: { ...smsKeys.subscription(subscription.userId), type: 'sms_subscription', ...subscription },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

export async function subscribeToSms(subscription: SmsSubscription): Promise<boolean> {
  try {
    await db.send(new PutCommand(subscriptionPut(subscription).Put));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Rate prefixes are at most this long (E.164 numbers have 15 digits). */
const MAX_RATE_PREFIX = 30;

/** Price of one SMS part to `destination` by the longest rate prefix (one BatchGet of every prefix). */
export async function smsPartPriceMicros(tariffId: number, destination: string): Promise<bigint | undefined> {
  const head = destination.slice(0, MAX_RATE_PREFIX);
  const prefixes = Array.from({ length: head.length }, (_, i) => head.slice(0, i + 1));
  if (prefixes.length === 0) return undefined;
  const result = await db.send(
    new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: prefixes.map((p) => smsKeys.rate(tariffId, p)) } } }),
  );
  const rates = result.Responses?.[TABLE_NAME] ?? [];
  const longest = rates.sort((a, b) => String(b.SK).length - String(a.SK).length)[0];
  return longest ? toMicros(longest.priceMicros) : undefined;
}

/** MOR counts one part per started 160 characters. */
export const smsParts = (message: string) => Math.max(1, Math.ceil([...message].length / 160));

/** Converts system-currency micros into a currency with `rateMicros` units per system unit. */
export const toCurrencyMicros = (micros: bigint, rateMicros: bigint) => (micros * rateMicros) / MICROS_PER_UNIT;

export interface SmsRecord {
  id: number;
  userId: number;
  resellerId: number;
  lcrId: number;
  src: string;
  dst: string;
  message: string;
  parts: number;
  priceMicros: number;
  statusCode: number;
  statusTip: string;
  sentAt: string;
}

export const smsRecordPut = (record: SmsRecord) => ({
  Put: {
    TableName: TABLE_NAME,
    Item: { ...smsKeys.message(record.id), ...smsKeys.messageOfUser(record.userId, record.sentAt, record.id), type: 'sms', ...record },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

export const newSmsId = () => nextId('sms');

/** What leaves the system: one SMS through the LCR's provider. */
export interface OutgoingSms {
  id: number;
  lcrId: number;
  from: string;
  to: string;
  text: string;
  parts: number;
  user: Pick<UserRecord, 'id' | 'username'>;
}

/** An SMS gateway. `statusCode` 0 = accepted (MOR's SMS status codes). */
export interface SmsProvider {
  send(sms: OutgoingSms): Promise<{ statusCode: number; tip: string }>;
}

export const smsSinkFile = () => process.env.SMS_SINK_FILE ?? '.data/sms-sink.jsonl';

/** The local provider: writes one JSON line per SMS to the sink file and accepts it. */
export const localSmsSink: SmsProvider = {
  async send(sms) {
    const file = smsSinkFile();
    await mkdir(dirname(file), { recursive: true });
    await appendFile(file, JSON.stringify({ at: new Date().toISOString(), ...sms }) + '\n', 'utf8');
    return { statusCode: 0, tip: 'SMS is sent' };
  },
};

let provider: SmsProvider = localSmsSink;
export const smsProvider = () => provider;
/** Swaps the gateway (a deployment's real provider, or a test's failing one). */
export const useSmsProvider = (next: SmsProvider) => {
  provider = next;
};

// ---- Sending -----------------------------------------------------------------------------------

export type SmsOutcome =
  | { sent: true; record: SmsRecord }
  | { sent: false; record: SmsRecord };

/** MOR's tip when the owner's tariff has no rate for the destination (status code 1). */
export const NO_RATE_TIP = 'System owner does not have rate for this destination';

/** How an SMS is paid: `charge` takes the price together with the record's write; `refund` gives it back. */
export interface SmsPayment {
  charge: (priceMicros: bigint, recordPut: ReturnType<typeof smsRecordPut>) => Promise<void>;
  refund: (priceMicros: bigint) => Promise<void>;
}

const saveSmsRecord = (record: SmsRecord) => db.send(new PutCommand({ ...smsRecordPut(record).Put, ConditionExpression: undefined }));

/**
 * Prices, pays, sends and records one SMS for a subscribed user. The charge and the record are one
 * transaction written before the provider is asked (so a balance floor stops the SMS); a refused
 * SMS is refunded and recorded with the provider's status.
 */
export async function sendSms(
  input: { user: UserRecord; lcrId: number; src: string; dst: string; message: string; tariffId: number },
  payment: SmsPayment,
): Promise<SmsOutcome> {
  const parts = smsParts(input.message);
  const partPrice = await smsPartPriceMicros(input.tariffId, input.dst);
  const record: SmsRecord = {
    id: await newSmsId(),
    userId: input.user.id,
    resellerId: input.user.ownerId,
    lcrId: input.lcrId,
    src: input.src,
    dst: input.dst,
    message: input.message,
    parts,
    priceMicros: 0,
    statusCode: 1,
    statusTip: NO_RATE_TIP,
    sentAt: new Date().toISOString(),
  };
  if (partPrice === undefined) {
    await saveSmsRecord(record);
    return { sent: false, record };
  }
  const price = partPrice * BigInt(parts);
  const sending: SmsRecord = { ...record, priceMicros: Number(price), statusCode: -1, statusTip: 'Sending' };
  await payment.charge(price, smsRecordPut(sending));
  const result = await smsProvider().send({
    id: record.id, lcrId: input.lcrId, from: input.src, to: input.dst, text: input.message, parts, user: input.user,
  });
  if (result.statusCode !== 0) {
    await payment.refund(price);
    const refused: SmsRecord = { ...sending, priceMicros: 0, statusCode: result.statusCode, statusTip: result.tip };
    await saveSmsRecord(refused);
    return { sent: false, record: refused };
  }
  const sent: SmsRecord = { ...sending, statusCode: 0, statusTip: result.tip };
  await saveSmsRecord(sent);
  return { sent: true, record: sent };
}
