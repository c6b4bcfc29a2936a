import { assignPermissionGroup } from '../../lib/domain/permission-groups.js';
import { findPermissionGroup, SECURITY_TEXT } from '../../lib/domain/security.js';
import { getUser } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** "API restricted" for a user or accountant: `group_id` assigns a group, `group_id=0` lifts the restriction. */
export const handler = defineMethod({
  method: 'api_permission_group_assign',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: { user_id: field.optional(), group_id: field.optional() },
  async run({ params }) {
    const user = params.user_id && /^[0-9]+$/.test(params.user_id) ? await getUser(Number(params.user_id)) : undefined;
    if (!user || user.deleted) throw new MorError(SECURITY_TEXT.userNotFound);
    if (user.usertype !== 'user' && user.usertype !== 'accountant') throw new MorError(SECURITY_TEXT.notRestrictable);
    const lifting = params.group_id === '0';
    const groupId = lifting ? 0 : (await findPermissionGroup(params.group_id)).id;
    await assignPermissionGroup(user.id, groupId);
    return { page: { status: { success: lifting ? SECURITY_TEXT.groupUnassigned : SECURITY_TEXT.groupAssigned } } };
  },
});
