// @schedule rate(1 day)
/**
 * Frees the DIDs whose closed period ("Days for DID to close") has run out. Reads the `DID_CLOSED#<day>`
 * partitions of the last LOOKBACK_DAYS days up to today (a missed run is caught up), never scans.
 */
import { releaseClosedDids } from '../../lib/domain/dids.js';
import { log } from '../../lib/log.js';

export const handler = async (event?: { time?: string }) => {
  const now = event?.time ? new Date(event.time) : new Date();
  const released = await releaseClosedDids(now);
  log.info('Closed DIDs released', { job: 'did_release', released });
  return { released };
};
