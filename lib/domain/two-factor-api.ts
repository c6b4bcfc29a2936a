/**
 * The XML API that drives two-factor authentication (issue 9): who may switch a user's 2FA, the texts the
 * methods answer, and the shared checks. The rules of 2FA itself live in two-factor.ts.
 */
import { ERR, MorError } from '../pipeline/errors.js';
import { setting, type Settings } from './settings.js';
import { TWO_FACTOR_SETTINGS, TWO_FACTOR_TEXT, twoFactorActive, type SecondFactor } from './two-factor.js';
import { findManagedUser, type UserRecord } from './users.js';

export const TWO_FACTOR_API_TEXT = {
  userNotFound: 'User was not found',
  enabledInvalid: 'enabled must be 0 or 1',
  methodInvalid: 'method can only be email or totp',
  nothingToUpdate: 'Nothing to update',
  notAllowed: 'You do not have rights to edit this',
  notEnabled: '2FA is not enabled',
  appNotConfirmed: 'Authenticator app is not confirmed',
  updated: '2FA settings were updated',
  codeRequired: TWO_FACTOR_TEXT.required,
  notStarted: 'Authenticator app enrolment was not started',
  started: 'Authenticator app enrolment was started',
  confirmed: 'Authenticator app was confirmed',
} as const;

export const SECOND_FACTORS: readonly SecondFactor[] = ['email', 'totp'];

/** Who may change other users' 2FA (as user_details_update): admin, accountants with the right, resellers (their users). */
const MANAGES_OTHERS = new Set(['admin', 'accountant', 'reseller']);

/**
 * The user whose 2FA a request changes: `user_id` (absent or blank = the caller itself). Users outside the
 * caller's tenancy answer like missing ones; an accountant may not change the admin (MOR: Access Denied).
 */
export async function twoFactorTarget(caller: UserRecord, userIdText: string | undefined): Promise<UserRecord> {
  if (!userIdText || userIdText === String(caller.id)) return caller;
  const target = MANAGES_OTHERS.has(caller.usertype) ? await findManagedUser(caller, userIdText) : undefined;
  if (!target) throw new MorError(TWO_FACTOR_API_TEXT.userNotFound);
  if (caller.usertype === 'accountant' && target.usertype === 'admin') throw new MorError(ERR.accessDenied);
  return target;
}

/** Self-service (enrolling an app, choosing the method) needs 2FA switched on for the user, as in MOR's GUI. */
export function assertTwoFactorActive(user: UserRecord, adminSettings: Settings): void {
  if (!twoFactorActive(user, adminSettings)) throw new MorError(TWO_FACTOR_API_TEXT.notEnabled);
}

export const totpIssuer = (adminSettings: Settings) => setting(adminSettings, TWO_FACTOR_SETTINGS.issuer).trim() || 'MOR';

/** A user's 2FA state as XML, after a change. */
export const twoFactorXml = (user: UserRecord, change: { enabled?: boolean; method?: SecondFactor }) => ({
  id: user.id,
  two_factor_enabled: (change.enabled ?? user.twoFactorEnabled === true) ? 1 : 0,
  two_factor_method: change.method ?? (user.twoFactorMethod === 'totp' ? 'totp' : 'email'),
});
