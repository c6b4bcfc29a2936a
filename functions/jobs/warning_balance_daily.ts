// @schedule rate(1 hour)
/**
 * Warning balance, mode "every day at HH": every hour, warns the users whose local hour is their
 * chosen HH and whose balance is lower than a threshold (at most once per local day). The emails
 * and webhooks go through the outbox.
 */
import { runDailyWarnings } from '../../lib/domain/warning-balance.js';

export { runDailyWarnings };

export async function handler(event?: { time?: string }) {
  // EventBridge gives the scheduled time; use it so a late start still serves the right hour.
  const at = event?.time ? new Date(event.time) : new Date();
  return runDailyWarnings(Number.isNaN(at.getTime()) ? new Date() : at);
}
