import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { verifyPassword } from '../../domain/passwords.js';
import { stateOf } from '../context.js';

/**
 * For methods that also identify the caller by password (users_get: `p` or `uniquehash`;
 * user_login: `p`): a caller whose credentials do not match is treated as unknown.
 */
export type PasswordRule = 'p' | 'p-or-uniquehash';

export const verifyPasswordMiddleware = (rule: PasswordRule): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    const caller = state.caller;
    if (!caller) return;
    const { p, uniquehash } = state.raw;
    const ok =
      (rule === 'p-or-uniquehash' && !p && !!uniquehash && uniquehash === caller.uniquehash) ||
      (!!p && (await verifyPassword(p, caller.passwordHash)));
    if (!ok) state.caller = undefined;
  },
});
