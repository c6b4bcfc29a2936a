/**
 * Two-factor authentication of the v2 login (MOR's "2FA Enabled"): on when the admin setting `2FA_Enabled`
 * and the user's `twoFactorEnabled` flag are both on. The second factor is an emailed code (default) or,
 * once the user has confirmed an authenticator app, a TOTP code (totp.ts).
 *
 * Items: `TWOFA#<userId>` / `EMAIL_CODE` (the pending email code: salted hash, failed attempts, DynamoDB TTL
 * `expiresAt`) and `TWOFA#<userId>` / `TOTP` (the confirmed secret, a secret being enrolled, the last step
 * used so a code works once, and the failure count of the current lock-out window).
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { enqueueEmail } from './outbox.js';
import { setting, settingOn, type Settings } from './settings.js';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.js';
import type { UserRecord } from './users.js';

export type SecondFactor = 'email' | 'totp';

/** The outcome of checking a code: accepted, wrong, no live code (email), or too many wrong codes. */
export type CodeCheck = 'ok' | 'invalid' | 'expired' | 'locked';

export const TWO_FACTOR_TEXT = {
  required: '2FA code required',
  invalid: 'Invalid 2FA code',
  expired: '2FA code expired',
  locked: 'Too many invalid 2FA codes',
} as const;

/** Admin settings (MOR: Security → 2FA Enabled, Code length, Code Enter Attempts Allowed, Code Enter Time Allowed). */
export const TWO_FACTOR_SETTINGS = {
  enabled: '2FA_Enabled',
  codeLength: '2FA_Code_Length',
  attempts: '2FA_Code_Enter_Attempts_Allowed',
  minutes: '2FA_Code_Enter_Time_Allowed',
  /** Ours: the issuer an authenticator app shows for the account (default `MOR`). */
  issuer: '2FA_Issuer',
} as const;

const DEFAULTS = { codeLength: 6, attempts: 3, minutes: 5 };

const boundedInteger = (text: string, fallback: number, min: number, max: number) => {
  const value = /^[0-9]+$/.test(text) ? Number(text) : fallback;
  return Math.min(Math.max(value, min), max);
};

export function twoFactorPolicy(adminSettings: Settings) {
  return {
    codeLength: boundedInteger(setting(adminSettings, TWO_FACTOR_SETTINGS.codeLength), DEFAULTS.codeLength, 4, 10),
    attempts: boundedInteger(setting(adminSettings, TWO_FACTOR_SETTINGS.attempts), DEFAULTS.attempts, 1, 100),
    validMillis: boundedInteger(setting(adminSettings, TWO_FACTOR_SETTINGS.minutes), DEFAULTS.minutes, 1, 24 * 60) * 60_000,
  };
}

const twoFactorKeys = {
  emailCode: (userId: number) => ({ PK: `TWOFA#${userId}`, SK: 'EMAIL_CODE' }),
  totp: (userId: number) => ({ PK: `TWOFA#${userId}`, SK: 'TOTP' }),
};

interface TotpItem {
  secret?: string;
  pendingSecret?: string;
  /** Wrong codes sent to confirm the secret being enrolled. */
  pendingFailures?: number;
  lastStep?: number;
  failures?: number;
  failureWindowEnds?: number;
}

const getItem = async <T>(key: { PK: string; SK: string }) =>
  (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }))).Item as T | undefined;

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** 2FA is on for a user when the admin setting `2FA_Enabled` and the user's own flag are both on. */
export const twoFactorActive = (user: UserRecord, adminSettings: Settings) =>
  settingOn(adminSettings, TWO_FACTOR_SETTINGS.enabled) && user.twoFactorEnabled === true;

/** The second factor a login of `user` needs, or undefined when 2FA is off for it. */
export async function secondFactorOf(user: UserRecord, adminSettings: Settings): Promise<SecondFactor | undefined> {
  if (!twoFactorActive(user, adminSettings)) return undefined;
  if (user.twoFactorMethod !== 'totp') return 'email';
  // An app that was never confirmed falls back to email (as MOR does).
  return (await hasConfirmedTotp(user.id)) ? 'totp' : 'email';
}

/** Admin side: turn 2FA on/off for a user, and (user side) choose the method. */
export async function setUserTwoFactor(userId: number, change: { enabled?: boolean; method?: SecondFactor }): Promise<void> {
  const names = Object.entries({ twoFactorEnabled: change.enabled, twoFactorMethod: change.method }).filter(([, v]) => v !== undefined);
  if (names.length === 0) return;
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME,
    Key: keys.user(userId),
    UpdateExpression: 'SET ' + names.map(([name]) => `${name} = :${name}`).join(', '),
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeValues: Object.fromEntries(names.map(([name, value]) => [`:${name}`, value])),
  }));
}

// ---- email codes ------------------------------------------------------------------------------------

const codeHash = (salt: string, userId: number, code: string) =>
  createHmac('sha256', salt).update(`${userId}:${code}`).digest('hex');

/** A new email code for the user (replacing any earlier one and its failed attempts), sent through the outbox. */
export async function sendEmailCode(user: UserRecord, adminSettings: Settings, now = new Date()): Promise<void> {
  const policy = twoFactorPolicy(adminSettings);
  const code = String(randomInt(0, 10 ** policy.codeLength)).padStart(policy.codeLength, '0');
  const salt = randomBytes(16).toString('hex');
  const minutes = policy.validMillis / 60_000;
  await db.send(new PutCommand({
    TableName: TABLE_NAME,
    Item: {
      ...twoFactorKeys.emailCode(user.id),
      type: 'two_factor_code',
      salt,
      codeHash: codeHash(salt, user.id, code),
      failures: 0,
      expiresAt: Math.floor((now.getTime() + policy.validMillis) / 1000),
    },
  }));
  await enqueueEmail({
    to: user.email,
    userId: user.id,
    subject: 'Login code',
    body: `Your login code is ${code}. It is valid for ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  });
}

async function checkEmailCode(user: UserRecord, code: string, adminSettings: Settings, now: Date): Promise<CodeCheck> {
  const { attempts } = twoFactorPolicy(adminSettings);
  const key = twoFactorKeys.emailCode(user.id);
  const item = await getItem<{ salt: string; codeHash: string; failures: number; expiresAt: number }>(key);
  if (!item || item.expiresAt * 1000 <= now.getTime()) return 'expired';
  if (item.failures >= attempts) return 'locked';
  const expected = Buffer.from(item.codeHash, 'hex');
  const given = Buffer.from(codeHash(item.salt, user.id, code), 'hex');
  const sameCode = { ':hash': item.codeHash, ':max': attempts };
  try {
    if (timingSafeEqual(expected, given)) {
      // Single use; a wrong code counted meanwhile by a parallel request may have used up the attempts.
      await db.send(new DeleteCommand({
        TableName: TABLE_NAME, Key: key,
        ConditionExpression: 'codeHash = :hash AND failures < :max',
        ExpressionAttributeValues: sameCode,
      }));
      return 'ok';
    }
    const counted = await db.send(new UpdateCommand({
      TableName: TABLE_NAME, Key: key,
      UpdateExpression: 'ADD failures :one',
      ConditionExpression: 'codeHash = :hash AND failures < :max',
      ExpressionAttributeValues: { ...sameCode, ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }));
    return Number(counted.Attributes?.failures) >= attempts ? 'locked' : 'invalid';
  } catch (error) {
    if (isConditionFailure(error)) return 'locked';
    throw error;
  }
}

// ---- authenticator apps (TOTP) ----------------------------------------------------------------------

/** Whether the user has a confirmed authenticator app. */
export async function hasConfirmedTotp(userId: number): Promise<boolean> {
  return !!(await getItem<TotpItem>(twoFactorKeys.totp(userId)))?.secret;
}

/** Starts enrolling an authenticator app: a new secret to show (key and QR URI), used only once confirmed. */
export async function startTotpEnrolment(user: UserRecord, issuer = 'MOR') {
  const secret = newTotpSecret();
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME,
    Key: twoFactorKeys.totp(user.id),
    UpdateExpression: 'SET pendingSecret = :secret, pendingFailures = :zero, #type = :type',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':secret': secret, ':zero': 0, ':type': 'two_factor_totp' },
  }));
  return { secret, uri: otpauthUri(issuer, user.username, secret) };
}

/**
 * Confirms enrolment with a code from the app; on success the app becomes the user's second factor.
 * Wrong codes count against the enrolment: after `2FA_Code_Enter_Attempts_Allowed` of them every code is
 * refused until the enrolment is started again (as an email code expires after that many wrong entries).
 */
export async function checkTotpEnrolment(
  user: UserRecord, code: string, adminSettings: Settings, now = new Date(),
): Promise<CodeCheck | 'not_started'> {
  const { attempts } = twoFactorPolicy(adminSettings);
  const key = twoFactorKeys.totp(user.id);
  const item = await getItem<TotpItem>(key);
  if (!item?.pendingSecret) return 'not_started';
  if ((item.pendingFailures ?? 0) >= attempts) return 'locked';
  const sameEnrolment = {
    ConditionExpression: 'pendingSecret = :secret AND (attribute_not_exists(pendingFailures) OR pendingFailures < :max)',
    ExpressionAttributeValues: { ':secret': item.pendingSecret, ':max': attempts },
  };
  const step = matchTotp(item.pendingSecret, code, now);
  try {
    if (step === undefined) {
      const counted = await db.send(new UpdateCommand({
        TableName: TABLE_NAME, Key: key,
        UpdateExpression: 'ADD pendingFailures :one',
        ...sameEnrolment,
        ExpressionAttributeValues: { ...sameEnrolment.ExpressionAttributeValues, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }));
      return Number(counted.Attributes?.pendingFailures) >= attempts ? 'locked' : 'invalid';
    }
    await db.send(new UpdateCommand({
      TableName: TABLE_NAME, Key: key,
      UpdateExpression: 'SET secret = pendingSecret, lastStep = :step, failures = :zero REMOVE pendingSecret, pendingFailures',
      ...sameEnrolment,
      ExpressionAttributeValues: { ...sameEnrolment.ExpressionAttributeValues, ':step': step, ':zero': 0 },
    }));
  } catch (error) {
    // A parallel request used up the attempts, confirmed, or restarted the enrolment meanwhile.
    if (isConditionFailure(error)) return 'locked';
    throw error;
  }
  await setUserTwoFactor(user.id, { method: 'totp' });
  return 'ok';
}

/** `checkTotpEnrolment` with the default attempt limit, as a yes/no. */
export async function confirmTotpEnrolment(user: UserRecord, code: string, now = new Date()): Promise<boolean> {
  return (await checkTotpEnrolment(user, code, {}, now)) === 'ok';
}

async function checkTotpCode(user: UserRecord, code: string, adminSettings: Settings, now: Date): Promise<CodeCheck> {
  const { attempts, validMillis } = twoFactorPolicy(adminSettings);
  const key = twoFactorKeys.totp(user.id);
  const item = await getItem<TotpItem>(key);
  if (!item?.secret) return 'invalid';
  const windowOpen = (item.failureWindowEnds ?? 0) > now.getTime();
  if (windowOpen && (item.failures ?? 0) >= attempts) return 'locked';
  const step = matchTotp(item.secret, code, now);
  if (step !== undefined) {
    try {
      // A code works once: its step must be later than the last one used.
      await db.send(new UpdateCommand({
        TableName: TABLE_NAME, Key: key,
        UpdateExpression: 'SET lastStep = :step, failures = :zero',
        ConditionExpression: 'attribute_not_exists(lastStep) OR lastStep < :step',
        ExpressionAttributeValues: { ':step': step, ':zero': 0 },
      }));
      return 'ok';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  // Wrong or replayed: counted in a lock-out window as long as an email code's validity.
  const counted = await db.send(new UpdateCommand({
    TableName: TABLE_NAME, Key: key,
    ...(windowOpen
      ? { UpdateExpression: 'ADD failures :one', ExpressionAttributeValues: { ':one': 1 } }
      : {
          UpdateExpression: 'SET failures = :one, failureWindowEnds = :ends',
          ExpressionAttributeValues: { ':one': 1, ':ends': now.getTime() + validMillis },
        }),
    ReturnValues: 'UPDATED_NEW',
  }));
  return Number(counted.Attributes?.failures) >= attempts ? 'locked' : 'invalid';
}

/** Checks a second-factor code of the given kind. */
export function checkSecondFactor(
  user: UserRecord, factor: SecondFactor, code: string, adminSettings: Settings, now = new Date(),
): Promise<CodeCheck> {
  return factor === 'totp' ? checkTotpCode(user, code, adminSettings, now) : checkEmailCode(user, code, adminSettings, now);
}
