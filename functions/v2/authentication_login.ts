import { defineRestRoute, RestError } from '../../lib/v2/define-route.js';
import { tokenPair, userOfBasic } from '../../lib/v2/auth.js';
import { startFamily } from '../../lib/v2/refresh-tokens.js';
import { tokenPairSchema } from '../../lib/v2/schemas.js';
import { checkSecondFactor, secondFactorOf, sendEmailCode, TWO_FACTOR_TEXT } from '../../lib/domain/two-factor.js';

export const handler = defineRestRoute({
  route: 'POST /billing/api/v2/authentication/login',
  summary: 'Log in with HTTP Basic (username:password); returns an access token (15 min) and a refresh token (7 days). ' +
    'With 2FA on, the first call answers 401 with `two_factor` ("email": a code was emailed, or "totp"); repeat it with header X-2FA-Code.',
  auth: 'basic',
  response: tokenPairSchema,
  async run({ header, adminSettings }) {
    const user = await userOfBasic(header('authorization'));
    if (!user) throw new RestError(401, 'Invalid username or password');
    const factor = await secondFactorOf(user, adminSettings);
    if (factor) {
      const code = header('x-2fa-code').trim();
      if (!code) {
        if (factor === 'email') await sendEmailCode(user, adminSettings);
        throw new RestError(401, TWO_FACTOR_TEXT.required, { two_factor: factor });
      }
      const check = await checkSecondFactor(user, factor, code, adminSettings);
      if (check !== 'ok') throw new RestError(401, TWO_FACTOR_TEXT[check], { two_factor: factor });
    }
    const { family, token } = await startFamily(user);
    return { body: await tokenPair(user, family, token) };
  },
});
