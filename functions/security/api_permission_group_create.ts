import { createPermissionGroup, GroupNameTakenError } from '../../lib/domain/permission-groups.js';
import { levelsOf, permissionGroupXml, SECURITY_TEXT } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** A new API permission group: `name`, and `permissions` as `method:level,…` (unlisted methods: Disabled). */
export const handler = defineMethod({
  method: 'api_permission_group_create',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: { name: field.required(SECURITY_TEXT.groupNameBlank), permissions: field.optional() },
  async run({ params }) {
    const name = params.name.trim();
    if (!name) throw new MorError(SECURITY_TEXT.groupNameBlank);
    const levels = levelsOf(params.permissions);
    try {
      const group = await createPermissionGroup(name, levels);
      return { page: { status: { success: SECURITY_TEXT.groupCreated }, api_permission_group: permissionGroupXml(group) } };
    } catch (error) {
      if (error instanceof GroupNameTakenError) throw new MorError(SECURITY_TEXT.groupNameTaken);
      throw error;
    }
  },
});
