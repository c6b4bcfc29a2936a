import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { assertRoleAllowed, type AccessRules } from '../access.js';
import { stateOf } from '../context.js';
import { ERR, MorError } from '../errors.js';

/** Step 5: an identified caller whose user type (and accountant right) the method allows. */
export const authorizeMiddleware = (
  rules: AccessRules,
  unknownCaller: { message: string; envelope?: import('../errors.js').ErrorEnvelope },
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: (request) => {
    const state = stateOf(request);
    if (!state.caller) throw new MorError(unknownCaller.message || ERR.accessDenied, unknownCaller.envelope);
    assertRoleAllowed(state.caller, rules);
  },
});
