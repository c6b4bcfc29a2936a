/**
 * Warning balance (seed Warning_balance.wiki, User_Details.wiki): when a user's balance drops lower
 * than a threshold, its user, its owner (admin, or the reseller for a reseller's users) and its
 * responsible accountant are emailed, each at their own threshold, and the admin webhook is called
 * together with the user's warning.
 *
 * - Mode "only once" (`hour` = -1, MOR's warning_email_hour): one notification per downward crossing,
 *   sent from the balance change itself; re-armed when the balance is no longer lower than the
 *   threshold. The "already notified" flag is set by a conditional update in the same transaction
 *   as the outbox items, so concurrent crossings notify once.
 * - Mode "every day at HH" (`hour` 0–23, user's time zone): the hourly job
 *   functions/jobs/warning_balance_daily.ts notifies while the balance stays lower.
 *
 * The settings and flags live on the user item (`warningBalance`, `warningNotified*`,
 * `warningDailySentOn`); the daily job finds its users through a small item `WARNING#<userId>`
 * indexed in GSI1 under `WARNING_DAILY#<UTC hour>` (only while active in daily mode).
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition } from '../db/query.js';
import { formatMicros, toMicros } from '../money.js';
import { outboxPut, isWebhookUrl, type OutboxMessage } from './outbox.js';
import { ianaZoneOf, isTimeZoneName } from './time-zones.js';
import { getUser, usersById, type UserRecord } from './users.js';
import { log } from '../log.js';

export type WarningRecipient = 'user' | 'owner' | 'accountant';
export const WARNING_RECIPIENTS: readonly WarningRecipient[] = ['user', 'owner', 'accountant'];

export const ONLY_ONCE = -1;

export interface WarningBalanceSettings {
  active: boolean;
  /** Threshold in micros per recipient ("Send email when balance drops lower than"); absent = not notified. */
  thresholds: Partial<Record<WarningRecipient, number>>;
  /** -1: only once when the balance drops lower; 0–23: every day at that hour in the user's time zone. */
  hour: number;
  /** "Warning Balance Email": replaces the user's registration email for the warning. */
  email?: string;
  /** "Admin Webhook": http:// or https:// URL called with the user's warning. */
  webhookUrl?: string;
}

export class InvalidWebhookUrlError extends Error {
  constructor(readonly url: string) {
    super('Webhook URL: http:// or https:// required');
  }
}

const NOTIFIED_ATTRIBUTE: Record<WarningRecipient, string> = {
  user: 'warningNotifiedUser',
  owner: 'warningNotifiedOwner',
  accountant: 'warningNotifiedAccountant',
};

export const warningKeys = {
  item: (userId: number) => ({ PK: `WARNING#${userId}`, SK: 'WARNING' }),
  daily: (utcHour: number, userId: number) => ({ GSI1PK: `WARNING_DAILY#${pad(utcHour, 2)}`, GSI1SK: `USER#${pad(userId)}` }),
};

export function warningSettingsOf(user: UserRecord): WarningBalanceSettings | undefined {
  return user.warningBalance as WarningBalanceSettings | undefined;
}

// ---- time zones ---------------------------------------------------------------------------------------

/** The user's time zone (`timeZone`: a MOR name such as "Vilnius", or an IANA name) as an IANA zone; UTC when unset or unknown. */
export function timeZoneOf(user: UserRecord): string {
  const zone = typeof user.timeZone === 'string' ? user.timeZone : '';
  if (!zone) return 'UTC';
  if (isTimeZoneName(zone)) return ianaZoneOf(zone);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** Local date (YYYY-MM-DD) and hour at `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { date: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** The UTC hour at which it is `localHour` in `timeZone` on the day of `at` (the daily index partition). */
export function utcHourFor(localHour: number, timeZone: string, at = new Date()): number {
  const { hour } = localTime(at, timeZone);
  const offsetHours = hour - at.getUTCHours();
  return (((localHour - offsetHours) % 24) + 24) % 24;
}

// ---- settings ------------------------------------------------------------------------------------------

/** A transaction item that updates an existing user (and, with `condition`, only when it holds). */
const userUpdate = (userId: number, change: { update: string; condition?: string; values: Record<string, unknown> }) => ({
  Update: {
    TableName: TABLE_NAME,
    Key: keys.user(userId),
    UpdateExpression: change.update,
    ConditionExpression: change.condition ? `attribute_exists(PK) AND (${change.condition})` : 'attribute_exists(PK)',
    ExpressionAttributeValues: change.values,
  },
});

/**
 * Saves a user's warning-balance settings (user_details_update's warning_email_* parameters call
 * this), clears the "already notified" flags and maintains the daily index item, in one transaction.
 */
export async function setWarningBalance(userId: number, settings: WarningBalanceSettings, now = new Date()): Promise<void> {
  if (settings.webhookUrl && !isWebhookUrl(settings.webhookUrl)) throw new InvalidWebhookUrlError(settings.webhookUrl);
  const user = await getUser(userId);
  if (!user) throw new RangeError(`no user ${userId}`);
  const daily = settings.active && settings.hour >= 0;
  const indexItem = daily
    ? {
        Put: {
          TableName: TABLE_NAME,
          Item: {
            ...warningKeys.item(userId),
            ...warningKeys.daily(utcHourFor(settings.hour, timeZoneOf(user), now), userId),
            type: 'warning',
            userId,
          },
        },
      }
    : { Delete: { TableName: TABLE_NAME, Key: warningKeys.item(userId) } };
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        userUpdate(userId, {
          update: `SET warningBalance = :settings REMOVE ${Object.values(NOTIFIED_ATTRIBUTE).join(', ')}, warningDailySentOn`,
          values: { ':settings': settings },
        }),
        indexItem,
      ] as never,
    }),
  );
}

// ---- messages ------------------------------------------------------------------------------------------

async function recipientEmail(user: UserRecord, recipient: WarningRecipient, settings: WarningBalanceSettings) {
  if (recipient === 'user') return settings.email || user.email;
  const otherId = recipient === 'owner' ? user.ownerId : Number(user.responsibleAccountantId ?? -1);
  if (!(otherId >= 0) || otherId === user.id) return '';
  return (await getUser(otherId))?.email ?? '';
}

/** The outbox messages of one recipient's warning. */
async function warningMessages(
  user: UserRecord,
  recipient: WarningRecipient,
  settings: WarningBalanceSettings,
  balanceMicros: bigint,
  mode: 'once' | 'daily',
  at: Date,
): Promise<OutboxMessage[]> {
  const threshold = BigInt(settings.thresholds[recipient] ?? 0);
  const balance = formatMicros(balanceMicros, 4);
  const limit = formatMicros(threshold, 4);
  const messages: OutboxMessage[] = [];
  const to = await recipientEmail(user, recipient, settings);
  if (to) {
    messages.push({
      kind: 'email',
      email: {
        to,
        userId: user.id,
        subject: 'Warning balance',
        body:
          `User ${user.username} balance is ${balance} ${user.currency}, ` +
          `lower than the warning balance ${limit} ${user.currency}.`,
      },
    });
  }
  if (recipient === 'user' && settings.webhookUrl) {
    messages.push({
      kind: 'webhook',
      webhook: {
        url: settings.webhookUrl,
        userId: user.id,
        payload: {
          event: 'warning_balance',
          mode,
          user_id: user.id,
          username: user.username,
          balance,
          warning_balance: limit,
          currency: user.currency,
          at: at.toISOString(),
        },
      },
    });
  }
  return messages;
}

const isConditionFailure = (error: unknown) => {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  return e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
};
const isConflict = (error: unknown) => {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  return (
    e?.name === 'TransactionConflictException' ||
    (e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict'))
  );
};

/**
 * Writes the user update (whose condition decides whether this notification happens) and the
 * outbox items in one transaction. Returns false when the condition says it already happened.
 */
async function notifyIf(
  userId: number,
  guard: { update: string; condition: string; values: Record<string, unknown> },
  messages: OutboxMessage[],
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            userUpdate(userId, guard),
            ...messages.map((message) => outboxPut(message)),
          ] as never,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      if (!isConflict(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

// ---- "only once" mode: balance changes ----------------------------------------------------------------

/** Called by every committed balance change (balance.ts / payments.ts). Never throws. */
export async function onBalanceChanged(user: UserRecord, previousMicros: bigint, currentMicros: bigint): Promise<void> {
  const settings = warningSettingsOf(user);
  if (!settings?.active) return;
  try {
    await Promise.all(
      WARNING_RECIPIENTS.map(async (recipient) => {
        const stored = settings.thresholds[recipient];
        if (stored === undefined || stored === null) return;
        const threshold = toMicros(stored);
        const flag = NOTIFIED_ATTRIBUTE[recipient];
        if (currentMicros >= threshold) {
          if (user[flag] !== false) await rearm(user.id, flag);
        } else if (previousMicros >= threshold && settings.hour === ONLY_ONCE) {
          const at = new Date();
          const messages = await warningMessages(user, recipient, settings, currentMicros, 'once', at);
          await notifyIf(
            user.id,
            { update: `SET ${flag} = :yes`, condition: `attribute_not_exists(${flag}) OR ${flag} = :no`, values: { ':yes': true, ':no': false } },
            messages,
          );
        }
      }),
    );
  } catch (error) {
    // The balance change is committed; a failed warning must not fail it.
    log.error('Warning balance check failed', { where: 'onBalanceChanged', userId: user.id, error: { name: (error as Error)?.name, message: (error as Error)?.message } });
  }
}

async function rearm(userId: number, flag: string) {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keys.user(userId),
        UpdateExpression: `SET ${flag} = :no`,
        ConditionExpression: `${flag} = :yes`,
        ExpressionAttributeValues: { ':yes': true, ':no': false },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

// ---- "every day at HH" mode: the hourly job -----------------------------------------------------------

async function dailyCandidates(now: Date): Promise<{ userId: number; indexedHour: number }[]> {
  const hour = now.getUTCHours();
  // The neighbouring hours too: a daylight-saving change moves a user's local HH by one UTC hour.
  const hours = [hour, (hour + 23) % 24, (hour + 1) % 24];
  const pages = await Promise.all(
    hours.map((h) =>
      queryPartition({
        index: 'GSI1',
        partitionKey: ['GSI1PK', warningKeys.daily(h, 0).GSI1PK],
        map: (item) => ({ userId: Number(item.userId), indexedHour: h }),
      }),
    ),
  );
  return pages.flat();
}

/** One run of the hourly job: warns every daily-mode user whose local hour is now HH and whose balance is lower. */
export async function runDailyWarnings(now = new Date()): Promise<{ checked: number; notified: number }> {
  const candidates = await dailyCandidates(now);
  const indexedHour = new Map(candidates.map((c) => [c.userId, c.indexedHour]));
  const users = [...(await usersById(indexedHour.keys())).values()];
  let notified = 0;
  for (const user of users) {
    const settings = warningSettingsOf(user);
    if (!settings?.active || settings.hour < 0) continue;
    const zone = timeZoneOf(user);
    const local = localTime(now, zone);
    if (local.hour !== settings.hour) continue;
    const expectedHour = now.getUTCHours();
    if (indexedHour.get(user.id) !== expectedHour) await reindexDaily(user.id, expectedHour);

    const balance = toMicros(user.balanceMicros);
    const lowFor = WARNING_RECIPIENTS.filter((r) => {
      const threshold = settings.thresholds[r];
      return threshold !== undefined && threshold !== null && balance < toMicros(threshold);
    });
    if (lowFor.length === 0) continue;
    const messages = (await Promise.all(lowFor.map((r) => warningMessages(user, r, settings, balance, 'daily', now)))).flat();
    const sent = await notifyIf(
      user.id,
      {
        update: 'SET warningDailySentOn = :today',
        condition: 'attribute_not_exists(warningDailySentOn) OR warningDailySentOn <> :today',
        values: { ':today': local.date },
      },
      messages,
    );
    if (sent) notified++;
  }
  return { checked: users.length, notified };
}

async function reindexDaily(userId: number, utcHour: number) {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: warningKeys.item(userId),
      UpdateExpression: 'SET GSI1PK = :pk',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':pk': warningKeys.daily(utcHour, userId).GSI1PK },
    }),
  ).catch(() => undefined);
}
