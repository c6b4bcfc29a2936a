import { updatePermissionLevels } from '../../lib/domain/permission-groups.js';
import { findPermissionGroup, levelsOf, permissionGroupXml, SECURITY_TEXT } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

/** Sets the levels of the methods named in `permissions` (`method:level,…`); other methods keep theirs. */
export const handler = defineMethod({
  method: 'api_permission_group_update',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: { group_id: field.optional(), permissions: field.optional() },
  async run({ params }) {
    const group = await findPermissionGroup(params.group_id);
    const updated = await updatePermissionLevels(group, levelsOf(params.permissions));
    return { page: { status: { success: SECURITY_TEXT.groupUpdated }, api_permission_group: permissionGroupXml(updated) } };
  },
});
