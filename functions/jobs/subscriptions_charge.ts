// @schedule rate(1 hour)
/**
 * Periodic subscription charging: every due period of every subscription is debited once — the
 * charge record keyed by (subscription, period) is written in the same transaction as the debit, so a
 * repeated or overlapping run cannot charge twice.
 */
import { ADMIN_ID, getSettings } from '../../lib/domain/settings.js';
import { getService } from '../../lib/domain/services.js';
import { chargeSubscription, dueSubscriptions, type ChargeOutcome } from '../../lib/domain/subscriptions.js';
import { getUser } from '../../lib/domain/users.js';
import { log } from '../../lib/log.js';

export async function runSubscriptionCharges(now = Math.floor(Date.now() / 1000)): Promise<Record<ChargeOutcome, number>> {
  const adminSettings = await getSettings(ADMIN_ID);
  const totals: Record<ChargeOutcome, number> = { charged: 0, 'already-charged': 0, 'not-due': 0, insufficient: 0, finished: 0, conflict: 0 };
  const seen = new Set<number>();
  for (;;) {
    const due = (await dueSubscriptions(now)).filter((s) => !seen.has(s.id));
    if (due.length === 0) break;
    for (const subscription of due) {
      seen.add(subscription.id);
      const outcomes = await chargeSubscription(subscription.id, now, adminSettings, { service: getService, user: getUser });
      for (const outcome of outcomes) totals[outcome] += 1;
    }
  }
  log.info('Subscriptions charged', { job: 'subscriptions_charge', now, ...totals });
  return totals;
}

export const handler = async (event?: { time?: string }) => {
  const at = event?.time ? Math.floor(Date.parse(event.time) / 1000) : undefined;
  return runSubscriptionCharges(Number.isFinite(at) ? at : undefined);
};
