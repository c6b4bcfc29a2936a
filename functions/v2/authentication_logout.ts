import { defineRestRoute } from '../../lib/v2/define-route.js';
import { verifyAccessToken } from '../../lib/v2/jwt.js';
import { revokeFamily } from '../../lib/v2/refresh-tokens.js';
import { okSchema } from '../../lib/v2/schemas.js';

export const handler = defineRestRoute({
  route: 'POST /billing/api/v2/authentication/logout',
  summary: 'Log out: revokes the refresh token and every access token of this login session.',
  auth: 'bearer',
  response: okSchema,
  async run({ header }) {
    const claims = await verifyAccessToken(header('authorization').replace(/^Bearer\s+/i, '').trim());
    await revokeFamily(claims.fam);
    return { body: { status: 'ok' } };
  },
});
