import { defineRestRoute } from '../../lib/v2/define-route.js';
import { openApiDocument } from '../../lib/v2/openapi.js';
import { handler as login } from './authentication_login.js';
import { handler as logout } from './authentication_logout.js';
import { handler as refresh } from './authentication_refresh.js';
import { handler as calls } from './calls.js';
import { handler as callsImport } from './calls_import.js';

let document: unknown;

export const handler = defineRestRoute({
  route: 'GET /billing/api/v2/api-docs',
  summary: 'This OpenAPI document.',
  auth: 'none',
  async run() {
    document ??= openApiDocument([login, refresh, logout, calls, callsImport]);
    return { body: document };
  },
});
