import { listPermissionGroups } from '../../lib/domain/permission-groups.js';
import { permissionGroupXml } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

export const handler = defineMethod({
  method: 'api_permission_groups_get',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: {},
  async run() {
    const groups = await listPermissionGroups();
    return { page: { api_permission_groups: { api_permission_group: groups.map(permissionGroupXml) } } };
  },
});
