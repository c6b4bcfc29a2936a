import { emailSendingOn } from '../../lib/domain/messaging.js';
import { blockUser, monitoredUsers, monitoringsOf } from '../../lib/domain/monitoring.js';
import { enqueueEmail } from '../../lib/domain/outbox.js';
import { getUser, niceUserName, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const MISSING_PARAMS = 'You must supply these params: monitoring_id, users, block, email, mtype';
const required = () => field.required(MISSING_PARAMS);
const isTrue = (flag: string) => flag.includes('true');

/** Emails the admin about one user; false when the admin has no address or sending is off. */
async function emailAdmin(user: UserRecord, blocked: boolean, sendingOn: boolean): Promise<boolean> {
  const admin = await getUser(0);
  if (!sendingOn || !admin?.email) return false;
  await enqueueEmail({
    to: admin.email,
    subject: `Monitoring: ${niceUserName(user)}`,
    body: `Monitoring was activated for user ${niceUserName(user)} (id ${user.id})${blocked ? '; the user was blocked' : ''}.`,
    userId: user.id,
  });
  return true;
}

export const handler = defineMethod({
  method: 'ma_activate',
  aliases: ['monitoring_addon_activate'],
  errorEnvelope: 'bare',
  access: { admin: true },
  params: { monitoring_id: required(), users: required(), block: required(), email: required(), mtype: required() },
  async run({ caller, params, adminSettings }) {
    const monitorings = /^\d+$/.test(params.mtype) ? await monitoringsOf(params.monitoring_id, Number(params.mtype)) : undefined;
    if (!monitorings) throw new MorError('Such monitoring was not found. Verify master-slave database integrity.');
    const block = isTrue(params.block);
    const email = isTrue(params.email);
    const sendingOn = emailSendingOn(adminSettings);
    const results = [];
    for (const user of await monitoredUsers(params.users)) {
      // MOR's status texts start with a space: " blocked", " email sent".
      let status = '';
      if (block) {
        await blockUser(user, caller.id);
        status += ' blocked';
      }
      if (email) status += (await emailAdmin(user, block, sendingOn)) ? ' email sent' : ' email not sent';
      results.push({ id: user.id, status });
    }
    return { status: { monitoring_found: 'success', users: { user: results } } };
  },
});
