import {
  assertTwoFactorActive, SECOND_FACTORS, TWO_FACTOR_API_TEXT, twoFactorTarget, twoFactorXml,
} from '../../lib/domain/two-factor-api.js';
import { hasConfirmedTotp, setUserTwoFactor, type SecondFactor } from '../../lib/domain/two-factor.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/**
 * Switches a user's 2FA on/off (`enabled`) and chooses its second factor (`method`). The admin, accountants
 * with the user right and resellers (for their users) switch it; a user (any role) may only choose the method
 * of its own 2FA once it is on, as in MOR's Personal details page.
 */
export const handler = defineMethod({
  method: 'user_two_factor_update',
  errorEnvelope: 'page-status',
  access: {
    admin: true,
    accountant: { permission: 'user_manage', level: 2 },
    reseller: true,
    partner: true,
    user: true,
    notAuthorized: TWO_FACTOR_API_TEXT.notAllowed,
  },
  params: {
    user_id: field.optional(),
    enabled: field.optionalFlag(TWO_FACTOR_API_TEXT.enabledInvalid),
    method: field.optionalOneOf(SECOND_FACTORS, TWO_FACTOR_API_TEXT.methodInvalid),
  },
  async run({ caller, params, adminSettings }) {
    const change = {
      enabled: params.enabled === undefined ? undefined : params.enabled === '1',
      method: params.method as SecondFactor | undefined,
    };
    if (change.enabled === undefined && change.method === undefined) throw new MorError(TWO_FACTOR_API_TEXT.nothingToUpdate);
    const target = await twoFactorTarget(caller, params.user_id);
    if (target.id === caller.id && caller.usertype !== 'admin') {
      if (change.enabled !== undefined) throw new MorError(TWO_FACTOR_API_TEXT.notAllowed);
      assertTwoFactorActive(target, adminSettings);
    }
    // An app that was never confirmed cannot be chosen: user_totp_enrolment_confirm chooses it.
    if (change.method === 'totp' && !(await hasConfirmedTotp(target.id))) throw new MorError(TWO_FACTOR_API_TEXT.appNotConfirmed);
    await setUserTwoFactor(target.id, change);
    return { page: { status: { success: TWO_FACTOR_API_TEXT.updated }, user: twoFactorXml(target, change) } };
  },
});
