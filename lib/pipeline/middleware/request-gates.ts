import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { settingOn } from '../../domain/settings.js';
import { stateOf } from '../context.js';
import { ERR, MorError } from '../errors.js';

/**
 * Step 3: the admin's master switches. "Allow API globally" gates every caller (a reseller's API only
 * works while the admin's is on); GET requests need "Allow GET API" unless the method is exempt.
 */
export const requestGatesMiddleware = (options: { allowGetAlways?: boolean }): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: (request) => {
    const state = stateOf(request);
    const admin = state.adminSettings!;
    if (!settingOn(admin, 'Allow_API')) throw new MorError(ERR.apiDisabled, 'status');
    if (state.request.httpMethod === 'GET' && !options.allowGetAlways && !settingOn(admin, 'Allow_GET_API')) {
      throw new MorError(ERR.getDisabled, 'status');
    }
  },
});
