import { emailSendingOn, findEmailTemplate, renderTemplate } from '../../lib/domain/messaging.js';
import { enqueueEmail } from '../../lib/domain/outbox.js';
import { setting } from '../../lib/domain/settings.js';
import { findManagedUser, managedOwnerId, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** The recipient: `email_to_user_id`, or the caller when blank; outside the caller's users answers like a missing one. */
async function recipientOf(caller: UserRecord, idText: string | undefined): Promise<UserRecord> {
  if (!idText) return caller;
  const user = await findManagedUser(caller, idText);
  if (!user) throw new MorError('User not found');
  return user;
}

const status = (text: string) => ({ page: { email_sending_status: text } });

export const handler = defineMethod({
  method: 'email_send',
  aliases: ['send_email'],
  errorEnvelope: 'page-status',
  unknownCaller: 'Bad login',
  access: { admin: true, accountant: true, reseller: true },
  params: { email_name: field.optional(), email_to_user_id: field.optional(), test_body: field.optional() },
  async run({ caller, params, raw, adminSettings, ownerSettings }) {
    const template = await findEmailTemplate(managedOwnerId(caller), params.email_name ?? '');
    if (!template) throw new MorError('Email not found');
    const recipient = await recipientOf(caller, params.email_to_user_id);
    // Every request parameter is a template variable; those the template uses but nobody sent render empty.
    const body = renderTemplate(template.body, raw);
    if (params.test_body === '1') return status(body);
    if (!recipient.email) throw new MorError('Your email not found');
    if (!emailSendingOn(adminSettings)) return status('E-mail has been disabled');
    await enqueueEmail({
      to: recipient.email,
      subject: renderTemplate(template.subject, raw),
      body,
      userId: recipient.id,
      from: setting(ownerSettings, 'Email_from', setting(adminSettings, 'Email_from')) || undefined,
    });
    return status('Email sent');
  },
});
