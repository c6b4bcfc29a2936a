import { integrityFindings } from '../../lib/domain/integrity.js';
import type { UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';

const userXml = (user: UserRecord) => ({ id: user.id, username: user.username, usertype: user.usertype, owner_id: user.ownerId });

/** The Integrity Check page as XML: each finding with the objects it concerns. */
export const handler = defineMethod({
  method: 'integrity_check_get',
  errorEnvelope: 'page-status',
  access: { admin: true },
  params: {},
  async run({ adminSettings }) {
    const findings = await integrityFindings(adminSettings);
    return {
      page: {
        integrity_check: {
          users_with_weak_password: { user: findings.weakPasswordUsers.map(userXml) },
          postpaid_users_with_loss_calls: { user: findings.postpaidLossCallUsers.map(userXml) },
          default_user_postpaid_with_loss_calls: findings.defaultUserPostpaidWithLossCalls ? 1 : 0,
          action_errors: {
            action: findings.errorActions.map((entry) => ({
              date: entry.at,
              user_id: entry.userId,
              data: entry.data ?? '',
              data2: entry.data2 ?? '',
              data3: entry.data3 ?? '',
            })),
          },
        },
      },
    };
  },
});
