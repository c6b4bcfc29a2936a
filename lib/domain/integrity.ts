/**
 * Integrity Check (SETTINGS → Setup → Integrity Check): the findings of MOR's page that apply to the
 * data morless holds. Users come from the full user list (one Query on the admin's index), the
 * default user from the admin's settings, errors from the action log of today and yesterday.
 */
import { actionsOfDay } from './action-log.js';
import { setting, type Settings } from './settings.js';
import { collectUsers, type UserRecord } from './users.js';

/** How many of each day's newest actions are examined for errors. */
const ACTIONS_PER_DAY = 1000;

export interface IntegrityFindings {
  weakPasswordUsers: UserRecord[];
  postpaidLossCallUsers: UserRecord[];
  defaultUserPostpaidWithLossCalls: boolean;
  errorActions: Awaited<ReturnType<typeof actionsOfDay>>;
}

/** MOR's user column `allow_loss_calls`, wherever the user was given it. */
const allowsLossCalls = (user: UserRecord) =>
  user.allowLossCalls === true || user.allow_loss_calls === 1 || String(user.details?.allow_loss_calls ?? '') === '1';

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

export async function integrityFindings(adminSettings: Settings, now = new Date()): Promise<IntegrityFindings> {
  const yesterday = new Date(now.getTime() - 86_400_000);
  const [users, today, before] = await Promise.all([
    collectUsers('all'),
    actionsOfDay(dayOf(now), ACTIONS_PER_DAY),
    actionsOfDay(dayOf(yesterday), ACTIONS_PER_DAY),
  ]);
  const live = users.filter((user) => !user.deleted);
  return {
    weakPasswordUsers: live.filter((user) => user.weakPassword === true),
    postpaidLossCallUsers: live.filter((user) => user.postpaid && allowsLossCalls(user)),
    defaultUserPostpaidWithLossCalls:
      setting(adminSettings, 'default_user_postpaid') === '1' && setting(adminSettings, 'default_user_allow_loss_calls') === '1',
    errorActions: [...today, ...before].filter((entry) => entry.action === 'error'),
  };
}
