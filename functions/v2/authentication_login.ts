import { defineRestRoute, RestError } from '../../lib/v2/define-route.js';
import { tokenPair, userOfBasic } from '../../lib/v2/auth.js';
import { startFamily } from '../../lib/v2/refresh-tokens.js';
import { tokenPairSchema } from '../../lib/v2/schemas.js';

export const handler = defineRestRoute({
  route: 'POST /billing/api/v2/authentication/login',
  summary: 'Log in with HTTP Basic (username:password); returns an access token (15 min) and a refresh token (7 days).',
  auth: 'basic',
  response: tokenPairSchema,
  async run({ header }) {
    const user = await userOfBasic(header('authorization'));
    if (!user) throw new RestError(401, 'Invalid username or password');
    const { family, token } = await startFamily(user);
    return { body: await tokenPair(user, family, token) };
  },
});
