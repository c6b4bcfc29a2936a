/**
 * Warning balance (seed Warning_balance.wiki). Owned by the warning-balance work; this is the
 * contract balance changes call after every committed change of a user's balance.
 */
import type { UserRecord } from './users.js';

export async function onBalanceChanged(_user: UserRecord, _previousMicros: bigint, _currentMicros: bigint): Promise<void> {
  // Filled in by the warning-balance implementation.
}
