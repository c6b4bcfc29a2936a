import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { attachState, type MorRequest } from '../context.js';
import { parseRequest } from '../params.js';

/** Step 1: merge query, body and path parameters into the request state. */
export const parseRequestMiddleware = (method: string): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: (request) => {
    const parsed = parseRequest(request.event);
    attachState(request as MorRequest, {
      method,
      request: parsed,
      raw: parsed.params,
      isTest: parsed.params.test === '1',
      requestId: request.context?.awsRequestId ?? request.event.requestContext?.requestId ?? randomUUID(),
    });
  },
});
