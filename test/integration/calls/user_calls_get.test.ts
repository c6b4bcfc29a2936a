import { beforeAll, describe, expect, it } from 'vitest';
import { handler as userCallsGet } from '../../../functions/calls/user_calls_get.js';
import { ingestCdrs } from '../../../lib/domain/calls.js';
import { getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const DAY = Date.UTC(2024, 2, 10) / 1000; // 2024-03-10 00:00:00 UTC (system zone = UTC in tests)
const window = { period_start: String(DAY), period_end: String(DAY + 86_399) };
const at = (seconds: number) => String(DAY + seconds);

let prepaid: TestUser;
let postpaid: TestUser;
let a: Awaited<ReturnType<typeof makeReseller>>;
let b: Awaited<ReturnType<typeof makeReseller>>;

const calls = (xml: Record<string, any>) => [xml.page?.calls_stat?.calls?.call ?? []].flat();
const ids = (xml: Record<string, any>) => calls(xml).map((c: any) => c.uniqueid);

const asAdmin = (params: Record<string, string>) => callHandler(userCallsGet, { u: ADMIN.username, ...params }, { secret: ADMIN.secret });

beforeAll(async () => {
  prepaid = await makeUser('user', { firstName: 'Pre', lastName: 'Paid', balanceMicros: 10_000_000 });
  postpaid = await makeUser('user', { postpaid: true });
  a = await makeReseller();
  b = await makeReseller();
  const base = { disposition: 'ANSWERED', hangupcause: '16', server_id: '1' };
  const report = await ingestCdrs([
    { ...base, uniqueid: 'c1', calldate: at(3600), src: '101', dst: '37060000001', clid: '"x" <101>', billsec: '20', user_id: String(prepaid.id), src_device_id: '7', provider_id: '4', provider_name: 'Test Provider', user_price: '2.0', user_rate: '0.5', provider_price: '1', provider_rate: '0.2', prefix: '3706', destination: 'Lithuania mobile', did_id: '1', did: '37063042438', did_price: '1', did_inc_price: '1', did_prov_price: '1' },
    { ...base, uniqueid: 'c2', calldate: at(7200), src: '102', dst: '4420000000', billsec: '5', disposition: 'BUSY', hangupcause: '17', user_id: String(prepaid.id), src_device_id: '8', provider_id: '5', user_price: '0.1', prefix: '44' },
    { ...base, uniqueid: 'c3', calldate: at(10800), src: '103', dst: '37069999999', billsec: '60', user_id: String(postpaid.id), user_price: '3', prefix: '3706', disposition: 'NO ANSWER', hangupcause: '19' },
    { ...base, uniqueid: 'c4', calldate: at(14400), src: '104', dst: '123', billsec: '1', user_id: String(a.user.id), reseller_id: String(a.reseller.id), user_price: '0.5', reseller_price: '0.3', disposition: 'FAILED', hangupcause: '21' },
    { ...base, uniqueid: 'c5', calldate: at(18000), src: '105', dst: '124', billsec: '2', user_id: String(b.user.id), reseller_id: String(b.reseller.id), user_price: '0.7' },
    { ...base, uniqueid: 'c6', calldate: at(86_400 + 60), src: '106', dst: '125', billsec: '3', user_id: String(prepaid.id), user_price: '0' },
    { ...base, uniqueid: 'cb1', callback_uniqueid: 'cbx', calldate: at(20000), src: '107', dst: '126', user_id: String(postpaid.id) },
  ]);
  expect(report).toEqual({ imported: 7, duplicates: 0, errors: [] });
});

describe('ingest', () => {
  it('charges a prepaid user once per uniqueid, never a postpaid one', async () => {
    expect((await getUser(prepaid.id))!.balanceMicros).toBe(10_000_000 - 2_100_000);
    const again = await ingestCdrs([{ uniqueid: 'c1', calldate: at(3600), user_id: String(prepaid.id), user_price: '2.0' }]);
    expect(again).toEqual({ imported: 0, duplicates: 1, errors: [] });
    expect((await getUser(prepaid.id))!.balanceMicros).toBe(7_900_000);
    expect((await getUser(postpaid.id))!.balanceMicros).toBe(0);
  });

  it('reports invalid rows and unknown users, and stores the rest', async () => {
    const report = await ingestCdrs([
      { uniqueid: 'bad1', calldate: 'yesterday', user_id: '1' },
      { uniqueid: 'bad2', calldate: at(1), user_id: '999999' },
      { uniqueid: 'bad3', calldate: at(1), user_id: String(postpaid.id), user_price: 'abc' },
    ]);
    expect(report.imported).toBe(0);
    expect(report.errors.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(report.errors[1]!.error).toBe('user_id: User was not found');
  });
});

describe('user_calls_get', () => {
  it('verifies a MOR conformance vector (user_calls alias, s_user=0)', async () => {
    const answer = await callHandler(userCallsGet, {
      u: 'admin', p: 'admin1', s_user: '0', period_start: '1136073600', period_end: '1266537599',
      hash: '31b1c56a63668aee98bbf5c9b52b8f43eaacf5a2', test: '1',
    });
    expect(errorOf(answer.xml)).toBeUndefined();
    expect(answer.xml.page.total_calls).toBe('0');
    expect(answer.xml.page.calls_stat.period).toEqual({ period_start: '2006-01-01 00:00:00', period_end: '2010-02-18 23:59:59' });
  });

  it('answers the seed shape for one user', async () => {
    const answer = await asAdmin({ s_user: String(prepaid.id), ...window });
    const page = answer.xml.page;
    expect(page).toMatchObject({ pagename: 'Calls', language: 'en', userid: '0', username: 'admin', total_calls: '2', currency: 'USD' });
    expect(page.calls_stat).toMatchObject({
      period: { period_start: '2024-03-10 00:00:00', period_end: '2024-03-10 23:59:59' },
      show_user: String(prepaid.id), show_device: 'all', show_status: 'all', show_provider: 'all', show_hgc: 'all', show_did: 'all',
    });
    expect(calls(answer.xml)[0]).toEqual({
      calldate2: '2024-03-10 01:00:00', timezone: 'GMT +00:00', clid: '"x" <101>', destination: 'Lithuania mobile',
      did: '37063042438', did_inc_price: '1.0', did_price: '1.0', did_prov_price: '1.0', dispod: 'ANSWERED(16)',
      dst: '37060000001', nice_billsec: '20', nice_reseller: '', prefix: '3706', profit: '3.0000',
      provider_name: 'Test Provider', provider_price: '1.0', provider_rate: '0.2', reseller_price: '0.0', reseller_rate: '0.0',
      server_id: '1', src: '101', user: 'Pre Paid', user_currency: 'USD', user_exchange_rate: '1.000000000000000',
      user_id: String(prepaid.id), user_price: '2.0', user_rate: '0.5', dst_user_id: '0', userfield: '', uniqueid: 'c1',
    });
  });

  it('filters by call type, device, provider, hgc, did, destination, only_did', async () => {
    const user = { s_user: String(prepaid.id), ...window };
    expect(ids((await asAdmin({ ...user, s_call_type: 'busy' })).xml)).toEqual(['c2']);
    expect(ids((await asAdmin({ ...user, s_call_type: 'answered' })).xml)).toEqual(['c1']);
    expect(ids((await asAdmin({ ...window, s_call_type: 'no answer' })).xml)).toEqual(['c3']);
    expect(ids((await asAdmin({ ...window, s_call_type: 'failed' })).xml)).toEqual(['c4']);
    expect(ids((await asAdmin({ ...user, s_device: '8' })).xml)).toEqual(['c2']);
    expect(ids((await asAdmin({ ...window, s_device: '7' })).xml)).toEqual(['c1']);
    expect(ids((await asAdmin({ ...user, s_provider: '4' })).xml)).toEqual(['c1']);
    expect(ids((await asAdmin({ ...user, s_hgc: '17' })).xml)).toEqual(['c2']);
    expect(ids((await asAdmin({ ...window, s_did: '1' })).xml)).toEqual(['c1']);
    expect(ids((await asAdmin({ ...window, s_destination: '3706' })).xml)).toEqual(['c1', 'c3']);
    expect(ids((await asAdmin({ ...window, only_did: '1' })).xml)).toEqual(['c1']);
    expect(ids((await asAdmin({ s_uniqueid: 'c6' })).xml)).toEqual(['c6']);
    expect(ids((await asAdmin({ s_callback_uniqueid: 'cbx' })).xml)).toEqual(['cb1']);
  });

  it('orders by every key, both directions, and pages', async () => {
    const all = await asAdmin(window);
    expect(ids(all.xml)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'cb1']);
    expect(ids((await asAdmin({ ...window, order_desc: '1' })).xml)).toEqual(['cb1', 'c5', 'c4', 'c3', 'c2', 'c1']);
    expect(ids((await asAdmin({ ...window, order_by: 'nice_billsec', order_desc: '1' })).xml).slice(0, 3)).toEqual(['c3', 'c1', 'c2']);
    expect(ids((await asAdmin({ ...window, order_by: 'u_price', order_desc: '1' })).xml).slice(0, 2)).toEqual(['c3', 'c1']);
    expect(ids((await asAdmin({ ...window, order_by: 'hgc', order_desc: '1' })).xml)[0]).toBe('c4');
    expect(ids((await asAdmin({ ...window, order_by: 'dst' })).xml)[0]).toBe('c4');
    for (const order_by of ['time', 'src', 'dst', 'prefix', 'nice_billsec', 'hgc', 'server', 'p_name', 'p_rate', 'p_price', 'reseller', 'r_rate', 'r_price', 'user', 'u_rate', 'u_price', 'number', 'd_provider', 'd_inc', 'd_owner']) {
      const answer = await asAdmin({ ...window, order_by });
      expect(answer.xml.page.total_calls).toBe('6');
      expect(ids(answer.xml).sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'cb1']);
    }
    const paged = await asAdmin({ ...window, from: '2', max_results: '2' });
    expect(ids(paged.xml)).toEqual(['c2', 'c3']);
    expect(paged.xml.page.total_calls).toBe('6');
  });

  it('spans day buckets in one window', async () => {
    const twoDays = { s_user: String(prepaid.id), period_start: window.period_start, period_end: String(DAY + 2 * 86_400) };
    expect(ids((await asAdmin(twoDays)).xml)).toEqual(['c1', 'c2', 'c6']);
    expect(ids((await asAdmin({ ...twoDays, order_desc: '1' })).xml)).toEqual(['c6', 'c2', 'c1']);
  });

  it('lets a reseller see its users only, and a user itself only', async () => {
    const asA = (params: Record<string, string>) =>
      callHandler(userCallsGet, { u: a.reseller.username, ...window, ...params }, { secret: a.secret });
    expect(ids((await asA({})).xml)).toEqual(['c4']);
    expect(ids((await asA({ s_user: String(a.user.id) })).xml)).toEqual(['c4']);
    expect(errorOf((await asA({ s_user: String(b.user.id) })).xml)).toBe('User was not found');
    expect(ids((await asA({ s_uniqueid: 'c5' })).xml)).toEqual([]);
    const reseller = calls((await asA({})).xml)[0];
    expect(reseller.provider_name).toBeUndefined();
    expect(reseller.profit).toBe('0.2000');

    const asUser = (params: Record<string, string>) =>
      callHandler(userCallsGet, { u: postpaid.username, ...window, ...params }, { secret: ADMIN.secret });
    expect(ids((await asUser({})).xml)).toEqual(['c3', 'cb1']);
    expect(errorOf((await asUser({ s_user: String(prepaid.id) })).xml)).toBe('User was not found');
    expect(calls((await asUser({})).xml)[0].dispod).toBe('NO ANSWER');
  });

  it('answers the documented errors', async () => {
    expect(errorOf((await asAdmin({ s_user: '999999' })).xml)).toBe('User was not found');
    expect(errorOf((await asAdmin({ s_user: 'abc' })).xml)).toBe('User was not found');
    expect(errorOf((await callHandler(userCallsGet, { u: 'nobody' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(userCallsGet, { u: 'admin', hash: 'bad' })).xml)).toBe('Incorrect hash');
    await setAdminSettings({ Allow_API: '0' });
    try {
      expect(errorOf((await asAdmin({})).xml)).toBe('API Requests are disabled');
    } finally {
      await setAdminSettings({ Allow_API: '1' });
    }
  });
});
