import { readFile, rm } from 'node:fs/promises';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as smsSend } from '../../../functions/messaging/sms_send.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { localSmsSink, smsKeys, smsSinkFile, subscribeToSms, useSmsProvider } from '../../../lib/domain/messaging.js';
import { getUser } from '../../../lib/domain/users.js';
import { parseMicros } from '../../../lib/money.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };
const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
const TARIFF = 7;

async function subscribedUser(balance = '10') {
  const user = await makeUser('user', { balanceMicros: Number(parseMicros(balance)) });
  await subscribeToSms({ userId: user.id, smsTariffId: TARIFF, smsLcrId: 1, subscribedAt: new Date().toISOString() });
  return user;
}

const sms = { lcr_id: '1', dst: '937567337911', src: '9375783123767', message: 'labas' };
let user: TestUser;
beforeAll(async () => {
  process.env.SMS_SINK_FILE = `.data/sms-sink-test-${process.pid}.jsonl`;
  await put({ ...smsKeys.lcr(1), id: 1, ownerId: 0, name: 'SMS LCR' });
  await put({ ...smsKeys.tariff(TARIFF), id: TARIFF, ownerId: 0, name: 'SMS users', tariffType: 'user' });
  await put({ ...smsKeys.rate(TARIFF, '93'), priceMicros: Number(parseMicros('0.1')) });
  await put({ ...smsKeys.rate(TARIFF, '9375'), priceMicros: Number(parseMicros('0.5')) });
  user = await subscribedUser();
});
afterAll(() => rm(smsSinkFile(), { force: true }));

describe('sms_send', () => {
  it('sends through the provider, charges the longest-prefix price and records the message', async () => {
    const answer = await callHandler(smsSend, { u: user.username, ...sms }, asAdmin);
    expect(answer.xml).toEqual({
      page: { response: { status: 'ok', message: { message_id: expect.stringMatching(/^\d+$/), sms_status_code_tip: 'SMS is sent', price: '0.5000', currency: 'USD' } } },
    });
    expect((await getUser(user.id))?.balanceMicros).toBe(Number(parseMicros('9.5')));
    const lines = (await readFile(smsSinkFile(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ from: sms.src, to: sms.dst, text: 'labas', parts: 1 });
    const id = Number(answer.xml.page.response.message.message_id);
    const stored = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: smsKeys.message(id) }));
    expect(stored.Item).toMatchObject({ userId: user.id, priceMicros: Number(parseMicros('0.5')), statusCode: 0 });
  });

  it('charges one part per started 160 characters', async () => {
    const long = await subscribedUser();
    const answer = await callHandler(smsSend, { u: long.username, ...sms, dst: '931', message: 'x'.repeat(161) }, asAdmin);
    expect(answer.xml.page.response.message.price).toBe('0.2000');
  });

  it('answers the rate failure with its status tip, unpaid', async () => {
    const answer = await callHandler(smsSend, { u: user.username, ...sms, dst: '44123' }, asAdmin);
    expect(answer.xml.page.error.message.sms_status_code_tip).toBe('System owner does not have rate for this destination');
  });

  it('answers a provider refusal with its tip', async () => {
    const before = (await getUser(user.id))?.balanceMicros;
    useSmsProvider({ send: async () => ({ statusCode: 5, tip: 'Provider refused' }) });
    const answer = await callHandler(smsSend, { u: user.username, ...sms }, asAdmin);
    useSmsProvider(localSmsSink);
    expect(answer.xml.page.error.message.sms_status_code_tip).toBe('Provider refused');
    expect((await getUser(user.id))?.balanceMicros).toBe(before);
  });

  it('answers every documented error', async () => {
    const send = (u: string, params: Record<string, string>) => callHandler(smsSend, { u, ...sms, ...params }, asAdmin);
    expect((await send(user.username, { message: '' })).xml).toEqual({ page: { error: 'There is no message or it is empty' } });
    expect(errorOf((await send(user.username, { src: '' })).xml)).toBe('Wrong source');
    expect(errorOf((await send(user.username, { dst: '' })).xml)).toBe('Wrong destination');
    expect(errorOf((await send(user.username, { lcr_id: '999' })).xml)).toBe('There is no such LCR');
    const unsubscribed = await makeUser('user');
    expect(errorOf((await send(unsubscribed.username, {})).xml)).toBe('User is not subscribed to sms service');
    expect(errorOf((await send('admin', {})).xml)).toBe('Access Denied');
    expect(errorOf((await send('ghost', {})).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(smsSend, { u: user.username, ...sms, hash: 'x' })).xml)).toBe('Incorrect hash');
    const { user: resellersUser, secret } = await makeReseller();
    expect(errorOf((await callHandler(smsSend, { u: resellersUser.username, ...sms }, { secret })).xml)).toBe('There is no such LCR');
  });

  it('answers Access Denied in <status> when the SMS addon is off', async () => {
    await setAdminSettings({ SMS_Addon_Active: '0' });
    const answer = await callHandler(smsSend, { u: user.username, ...sms }, asAdmin);
    await setAdminSettings({ SMS_Addon_Active: '1' });
    expect(answer.xml).toEqual({ status: { error: 'Access Denied' } });
  });

  it('does not take a prepaid user below zero when the floor is on', async () => {
    const poor = await subscribedUser('0.1');
    await setAdminSettings({ Prepaid_Balance_Can_Not_Drop_Below_Zero: '1' });
    const answer = await callHandler(smsSend, { u: poor.username, ...sms }, asAdmin);
    await setAdminSettings({ Prepaid_Balance_Can_Not_Drop_Below_Zero: '0' });
    expect(errorOf(answer.xml)).toBe('Insufficient balance');
    expect((await getUser(poor.id))?.balanceMicros).toBe(Number(parseMicros('0.1')));
  });

  describe('with the wiki key 123456', () => {
    beforeAll(() => setAdminSettings({ API_Secret_Key: '123456' }));
    afterAll(() => setAdminSettings({ API_Secret_Key: ADMIN.secret }));
    it('accepts the VERIFIED example hash (lcr_id, dst, src, message)', async () => {
      const answer = await callHandler(smsSend, { u: user.username, ...sms, hash: '19d0b40223fa7e68415d484a9d7d8819cd21a0be' });
      expect(answer.xml.page.response.status).toBe('ok');
    });
  });
});
