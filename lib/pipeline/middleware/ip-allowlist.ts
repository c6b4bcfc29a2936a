import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ipMatches, listAllowEntries } from '../../domain/ip-allowlist.js';
import { ADMIN_ID } from '../../domain/settings.js';
import { apiOwnerId } from '../../domain/users.js';
import { stateOf } from '../context.js';
import { ERR, MorError } from '../errors.js';

/**
 * After the gates, before the hash: when the caller's API owner (the admin for unknown callers) has
 * whitelisted IPs, requests from any other address answer `Access Denied`, known and unknown
 * usernames alike, and before the hash is even looked at.
 */
export const ipAllowlistMiddleware = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    const ownerId = state.caller ? apiOwnerId(state.caller) : ADMIN_ID;
    const entries = await listAllowEntries(ownerId);
    if (entries.length > 0 && !ipMatches(entries, state.request.sourceIp)) throw new MorError(ERR.accessDenied, 'status');
  },
});
