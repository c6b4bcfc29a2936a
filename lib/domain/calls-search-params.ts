/** The filter parameters user_calls_get and GET /api/v2/calls share, and how they run for a caller. */
import { setting, settingOn, type Settings } from './settings.js';
import { searchCalls, type CallFilters } from './calls-query.js';
import type { UserRecord } from './users.js';

export const CALL_FILTER_NAMES = [
  'period_start', 'period_end', 's_user', 's_reseller', 's_call_type', 's_device', 's_provider', 's_hgc', 's_did',
  's_destination', 'order_by', 'order_desc', 'only_did', 's_uniqueid', 's_callback_uniqueid',
] as const satisfies readonly (keyof CallFilters)[];

/** Runs a search with the admin's settings deciding what a reseller may filter by. */
export const searchCallsFor = (caller: UserRecord, filters: CallFilters, adminSettings: Settings) =>
  searchCalls(caller, filters, {
    resellerMayFilterProvider: Boolean(caller.ownProviders),
    resellerMayFilterHgc: settingOn(adminSettings, 'Show_HGC_for_Resellers'),
  });

export { systemCurrency } from './balance.js';
