import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ACL_EXEMPT_METHODS, getPermissionGroup, grants, restrictedGroupId } from '../../domain/permission-groups.js';
import { stateOf } from '../context.js';
import { ERR, MorError } from '../errors.js';

/**
 * After the role check: a user or accountant with "API restricted" (a permission group assigned)
 * needs its group to grant the method's level (Read for read-only methods, else Write). A group
 * that no longer exists grants nothing.
 */
export const permissionGroupMiddleware = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  before: async (request) => {
    const state = stateOf(request);
    const groupId = state.caller ? restrictedGroupId(state.caller) : undefined;
    if (groupId === undefined || ACL_EXEMPT_METHODS.has(state.method)) return;
    if (!grants(await getPermissionGroup(groupId), state.method)) throw new MorError(ERR.notAuthorized);
  },
});
