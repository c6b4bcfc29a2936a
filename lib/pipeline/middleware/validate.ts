import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { stateOf } from '../context.js';
import { validateParams, type ParamShape } from '../validate.js';

/** Step 6: the method's parameter schema; failures answer with the method's own error text. */
export const validateMiddleware = (shape: ParamShape): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: (request) => {
    const state = stateOf(request);
    state.params = validateParams(shape, state.raw);
  },
});
