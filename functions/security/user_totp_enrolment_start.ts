import { assertTwoFactorActive, TWO_FACTOR_API_TEXT, totpIssuer } from '../../lib/domain/two-factor-api.js';
import { startTotpEnrolment } from '../../lib/domain/two-factor.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

/**
 * The caller (u + its password p) starts enrolling an authenticator app: a new secret, as the key to type
 * and the `otpauth://` URI of the QR code. Its 2FA keeps its method until user_totp_enrolment_confirm.
 */
export const handler = defineMethod({
  method: 'user_totp_enrolment_start',
  password: 'p',
  errorEnvelope: 'page-status',
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: {},
  async run({ caller, adminSettings }) {
    assertTwoFactorActive(caller, adminSettings);
    const { secret, uri } = await startTotpEnrolment(caller, totpIssuer(adminSettings));
    return { page: { status: { success: TWO_FACTOR_API_TEXT.started }, secret, otpauth_uri: uri } };
  },
});
