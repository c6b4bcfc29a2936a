import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { recordApiError } from '../../domain/action-log.js';
import { setting, settingOn } from '../../domain/settings.js';
import { hashMatches, morHash } from '../../mor/hash.js';
import { stateOf, type MorState } from '../context.js';
import { ERR, MorError } from '../errors.js';

/**
 * The secret keys a request may be signed with: its API owner's, and for a reseller's tree also the
 * admin's (MOR accepts a reseller request hashed with the admin key). A reseller whose own
 * "Allow API" is off can only use the admin's key.
 */
export function candidateKeys(state: MorState): string[] {
  const admin = state.adminSettings!;
  const owner = state.ownerSettings!;
  const adminKey = setting(admin, 'API_Secret_Key');
  if (owner === admin) return adminKey ? [adminKey] : [];
  const ownerKey = settingOn(owner, 'Allow_API', '1') ? setting(owner, 'API_Secret_Key') : '';
  return [ownerKey, adminKey].filter(Boolean);
}

function hashCheckingDisabled(state: MorState): boolean {
  if (settingOn(state.ownerSettings!, 'API_Disable_hash_checking')) return true;
  return state.ownerSettings !== state.adminSettings && settingOn(state.adminSettings!, 'API_Disable_hash_checking');
}

/** Step 4: MOR's SHA1 request hash, compared in constant time; failures are written to the action log. */
export const verifyHashMiddleware = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    if (hashCheckingDisabled(state)) return;
    const keys = candidateKeys(state);
    if (keys.length === 0) {
      await recordApiError(state, 'API : API must have Secret key');
      throw new MorError(ERR.noSecretKey, 'status');
    }
    const received = state.raw.hash;
    if (!keys.some((key) => hashMatches(received, morHash(state.method, state.raw, key)))) {
      await recordApiError(state, 'API : Incorrect hash');
      throw new MorError(ERR.incorrectHash, 'status');
    }
  },
});
