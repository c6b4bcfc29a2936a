import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ADMIN_ID, getSettings } from '../../domain/settings.js';
import { apiOwnerId, findUserByUniquehash, findUserByUsername, type UserRecord } from '../../domain/users.js';
import { stateOf } from '../context.js';

/** How a method finds its caller: `u` (most), `username` (user_balance_get), or the owner's uniquehash in `id`. */
export type CallerLookup =
  | 'u'
  | 'username'
  | 'uniquehash'
  /** A method's own lookup (e.g. the user of the device named in the path: user_balance_get_by_username). */
  | ((params: Record<string, string>) => Promise<UserRecord | undefined>);

function lookup(by: CallerLookup, params: Record<string, string>): Promise<UserRecord | undefined> {
  if (typeof by === 'function') return by(params);
  switch (by) {
    case 'u':
      return findUserByUsername(params.u ?? '');
    case 'username':
      return findUserByUsername(params.username ?? '');
    case 'uniquehash':
      return findUserByUniquehash(params.id ?? '');
  }
}

/**
 * Step 2: find the caller and load the settings that govern its request (the admin's, and its API
 * owner's). The user and the admin settings are read in parallel: one round trip for most callers.
 * An unknown caller is not an error yet: the gates and the hash check run first (with the admin's
 * settings), so unknown and known usernames with a wrong hash answer alike.
 * A method's `prefetch` (a read whose key the raw parameters already name) starts in the same round trip;
 * its result reaches the method only after every check has passed.
 */
export const identifyCallerMiddleware = (
  by: CallerLookup,
  prefetch?: (params: Record<string, string>) => Promise<unknown>,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    if (prefetch) {
      state.prefetched = prefetch(state.raw);
      state.prefetched.catch(() => undefined); // awaited (and its error surfaced) by the method, if it gets that far
    }
    const [caller, adminSettings] = await Promise.all([lookup(by, state.raw), getSettings(ADMIN_ID)]);
    const ownerId = caller ? apiOwnerId(caller) : ADMIN_ID;
    state.caller = caller && !caller.deleted ? caller : undefined;
    state.adminSettings = adminSettings;
    state.ownerSettings = ownerId === ADMIN_ID ? adminSettings : await getSettings(ownerId);
  },
});
