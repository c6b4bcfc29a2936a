import { assertTwoFactorActive, TWO_FACTOR_API_TEXT } from '../../lib/domain/two-factor-api.js';
import { checkTotpEnrolment, TWO_FACTOR_TEXT } from '../../lib/domain/two-factor.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/**
 * The caller (u + its password p) confirms the app being enrolled with a `code` it shows; the app then
 * becomes the caller's second factor. Wrong codes are limited as email codes are (2FA_Code_Enter_Attempts_Allowed).
 */
export const handler = defineMethod({
  method: 'user_totp_enrolment_confirm',
  password: 'p',
  errorEnvelope: 'page-status',
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: { code: field.required(TWO_FACTOR_API_TEXT.codeRequired) },
  async run({ caller, params, adminSettings }) {
    assertTwoFactorActive(caller, adminSettings);
    const check = await checkTotpEnrolment(caller, params.code.trim(), adminSettings);
    if (check === 'not_started') throw new MorError(TWO_FACTOR_API_TEXT.notStarted);
    if (check !== 'ok') throw new MorError(TWO_FACTOR_TEXT[check]);
    return { page: { status: { success: TWO_FACTOR_API_TEXT.confirmed }, user: { id: caller.id, two_factor_method: 'totp' } } };
  },
});
