import { setting } from '../../lib/domain/settings.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

/** The MOR version setting without its "MOR " prefix (`MOR X19` → `X19`). */
export const handler = defineMethod({
  method: 'system_version_get',
  aliases: ['get_version'],
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: {},
  run: ({ adminSettings }) => ({ page: { version: setting(adminSettings, 'Version').replace(/^MOR /, '') } }),
});
