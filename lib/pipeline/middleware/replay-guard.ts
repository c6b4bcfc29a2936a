import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { recordApiError } from '../../domain/action-log.js';
import { claimNonce, REPLAY_SAFE_SETTING, replayProblem } from '../../domain/security.js';
import { ADMIN_ID, settingOn } from '../../domain/settings.js';
import { apiOwnerId } from '../../domain/users.js';
import { stateOf } from '../context.js';
import { ERR, MorError } from '../errors.js';
import { candidateKeys } from './verify-hash.js';

/**
 * Right after MOR's hash, for API owners that opted in to replay-safe signing: a fresh `ts`, an
 * unused `nonce` and a valid `signature` (see lib/domain/security.ts), else `Incorrect hash`.
 * The nonce is only claimed once everything else checks out, so refused requests cannot burn nonces.
 */
export const replayGuardMiddleware = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    if (!settingOn(state.ownerSettings!, REPLAY_SAFE_SETTING)) return;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const ownerId = state.caller ? apiOwnerId(state.caller) : ADMIN_ID;
    const problem = replayProblem(state.method, state.raw, candidateKeys(state), nowSeconds) ??
      (await claimNonce(ownerId, state.raw.nonce!, nowSeconds) ? undefined : 'nonce already used');
    if (problem) {
      await recordApiError(state, `API : Incorrect hash (replay-safe signing: ${problem})`);
      throw new MorError(ERR.incorrectHash, 'status');
    }
  },
});
