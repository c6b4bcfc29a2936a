import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as emailSend } from '../../../functions/messaging/email_send.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { emailTemplateKey } from '../../../lib/domain/messaging.js';
import { getOutboxItem } from '../../../lib/domain/outbox.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };

/** The newest pending outbox email (the pending index is sorted by time). */
async function lastQueuedEmail() {
  const result = await db.send(new QueryCommand({
    TableName: TABLE_NAME, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': 'OUTBOX_PENDING' }, ScanIndexForward: false, Limit: 1,
  }));
  return getOutboxItem(String(result.Items?.[0]?.id));
}

let recipient: TestUser;
beforeAll(async () => {
  recipient = await makeUser('user', { email: 'client@example.com' });
  await db.send(new PutCommand({
    TableName: TABLE_NAME,
    Item: { ...emailTemplateKey(0, 'hello'), subject: 'Hi <%= first_name %>', body: 'Login at <%= login_url %> as <%= login_username %>.<%= missing %>' },
  }));
});

describe('email_send', () => {
  it('renders the template with the sent variables and queues it for the recipient', async () => {
    const answer = await callHandler(emailSend, {
      u: 'admin', email_name: 'hello', email_to_user_id: String(recipient.id), login_url: 'www.kolmisoft.com', login_username: 'joe', first_name: 'Joe',
    }, asAdmin);
    expect(answer.xml).toEqual({ page: { email_sending_status: 'Email sent' } });
    const queued = await lastQueuedEmail();
    expect(queued?.email).toMatchObject({ to: 'client@example.com', subject: 'Hi Joe', body: 'Login at www.kolmisoft.com as joe.', userId: recipient.id });
  });

  it('the old name send_email routes to it; test_body=1 answers the body without sending', async () => {
    expect(emailSend.declaration.aliases).toEqual(['send_email']);
    const answer = await callHandler(emailSend, { u: 'admin', email_name: 'hello', test_body: '1', login_url: 'x' }, asAdmin);
    expect(answer.xml.page.email_sending_status).toBe('Login at x as .');
  });

  it('answers E-mail has been disabled in email_sending_status when sending is off', async () => {
    await setAdminSettings({ Email_Sending_Enabled: '0' });
    const answer = await callHandler(emailSend, { u: 'admin', email_name: 'hello', email_to_user_id: String(recipient.id) }, asAdmin);
    await setAdminSettings({ Email_Sending_Enabled: '1' });
    expect(answer.xml).toEqual({ page: { email_sending_status: 'E-mail has been disabled' } });
  });

  it('answers every documented error', async () => {
    const call = (u: string, params: Record<string, string>, secret: string = ADMIN.secret) => callHandler(emailSend, { u, ...params }, { secret });
    expect((await call('admin', { email_name: 'nope' })).xml).toEqual({ page: { status: { error: 'Email not found' } } });
    expect(errorOf((await call('admin', { email_name: 'hello', email_to_user_id: '99999' })).xml)).toBe('User not found');
    const silent = await makeUser('user', { email: '' });
    expect(errorOf((await call('admin', { email_name: 'hello', email_to_user_id: String(silent.id) })).xml)).toBe('Your email not found');
    const user = await makeUser('user');
    expect(errorOf((await call(user.username, { email_name: 'hello' })).xml)).toBe('Access Denied');
    expect(errorOf((await call('ghost', { email_name: 'hello' })).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(emailSend, { u: 'admin', email_name: 'hello', hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('a reseller uses its own templates and reaches only its own users', async () => {
    const { reseller, user, secret } = await makeReseller();
    const other = await makeReseller();
    expect(errorOf((await callHandler(emailSend, { u: reseller.username, email_name: 'hello' }, { secret })).xml)).toBe('Email not found');
    const builtIn = { email_name: 'registration_confirmation_for_user', test_body: '1' };
    expect(errorOf((await callHandler(emailSend, { u: reseller.username, ...builtIn, email_to_user_id: String(user.id) }, { secret })).xml)).toBeUndefined();
    expect(errorOf((await callHandler(emailSend, { u: reseller.username, ...builtIn, email_to_user_id: String(other.user.id) }, { secret })).xml)).toBe('User not found');
  });

  describe('with the wiki key 123456', () => {
    beforeAll(() => setAdminSettings({ API_Secret_Key: '123456' }));
    afterAll(() => setAdminSettings({ API_Secret_Key: ADMIN.secret }));
    it('accepts the VERIFIED example hash (server_ip, login_url, login_username, email_name, email_to_user_id)', async () => {
      const answer = await callHandler(emailSend, {
        u: 'admin', email_name: 'registration_confirmation_for_user', email_to_user_id: '142', login_username: 'new_first_name',
        login_url: 'www.kolmisoft.com', server_ip: '127.0.0.2', hash: '565582398d663e87b5fe3a523f8937fb693bf1e1',
      });
      expect(errorOf(answer.xml)).toBe('User not found');
    });
  });
});
