import { getUser } from '../../lib/domain/users.js';
import { tokenPair, usable } from '../../lib/v2/auth.js';
import { defineRestRoute, RestError } from '../../lib/v2/define-route.js';
import { passwordFingerprint } from '../../lib/v2/jwt.js';
import { familyActive, findRefreshToken, rotate } from '../../lib/v2/refresh-tokens.js';
import { refreshBodySchema, tokenPairSchema } from '../../lib/v2/schemas.js';

const INVALID = 'Refresh token is invalid or expired';

export const handler = defineRestRoute({
  route: 'POST /billing/api/v2/authentication/refresh',
  summary: 'Exchange a refresh token for a new token pair. Each refresh token works once; reusing one revokes its session.',
  auth: 'none',
  body: refreshBodySchema,
  response: tokenPairSchema,
  async run({ body }) {
    const stored = await findRefreshToken(body.refresh_token);
    if (!stored) throw new RestError(401, INVALID);
    const [user, active] = await Promise.all([getUser(stored.userId), familyActive(stored.family)]);
    if (!usable(user) || !active || passwordFingerprint(user) !== stored.pwd) throw new RestError(401, INVALID);
    const next = await rotate(body.refresh_token, user, stored.family);
    if (next === 'reused') throw new RestError(401, INVALID);
    return { body: await tokenPair(user, stored.family, next.token) };
  },
});
