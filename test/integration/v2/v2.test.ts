import { deflateSync, gzipSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as apiDocs } from '../../../functions/v2/api_docs.js';
import { handler as login } from '../../../functions/v2/authentication_login.js';
import { handler as logout } from '../../../functions/v2/authentication_logout.js';
import { handler as refresh } from '../../../functions/v2/authentication_refresh.js';
import { handler as calls } from '../../../functions/v2/calls.js';
import { handler as callsImport } from '../../../functions/v2/calls_import.js';
import { getUser } from '../../../lib/domain/users.js';
import { hashPassword } from '../../../lib/domain/passwords.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { signAccessToken } from '../../../lib/v2/jwt.js';
import { callRest } from '../../support/rest.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

process.env.JWT_SIGNING_KEY = 'test-signing-key-0123456789abcdef';

const DAY = Date.UTC(2025, 0, 15) / 1000;
const window = { period_start: String(DAY), period_end: String(DAY + 86_399) };

const send = callRest;

const basic = (username: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function loginAs(user: { username: string; password: string }) {
  const answer = await send(login, { headers: basic(user.username, user.password) });
  expect(answer.status).toBe(200);
  return answer.json as { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number };
}

let admin: Awaited<ReturnType<typeof loginAs>>;
let a: Awaited<ReturnType<typeof makeReseller>>;
let b: Awaited<ReturnType<typeof makeReseller>>;
let prepaid: TestUser;

const cdr = (uniqueid: string, userId: number, seconds: number, extra: Record<string, string> = {}) => ({
  uniqueid, calldate: String(DAY + seconds), user_id: String(userId), src: '100', dst: '37060000001', billsec: '16',
  disposition: 'ANSWERED', hangupcause: '16', server_id: '1', originator_codec: 'ulaw', terminator_codec: 'ulaw',
  terminated_by: 'originator', ...extra,
});

beforeAll(async () => {
  a = await makeReseller();
  b = await makeReseller();
  prepaid = await makeUser('user', { balanceMicros: 5_000_000 });
  admin = await loginAs(ADMIN);
  const imported = await send(callsImport, {
    headers: { ...bearer(admin.access_token), 'content-type': 'application/json' },
    body: JSON.stringify([
      cdr('v1', prepaid.id, 100, { user_price: '1.25', user_rate: '0.1', clid: '"test" <101>', destination: 'Lithuania - Special Services', prefix: '3706', did: '37060000001', did_id: '3' }),
      cdr('v2', prepaid.id, 200, { user_price: '0.5', src: '999' }),
      cdr('v3', a.user.id, 300, { reseller_id: String(a.reseller.id), user_price: '0.2' }),
      cdr('v4', b.user.id, 400, { reseller_id: String(b.reseller.id), user_price: '0.3' }),
    ]),
  });
  expect(imported).toEqual({ status: 200, json: { imported: 4, duplicates: 0, errors: [] } });
});

describe('v2 authentication', () => {
  it('logs in with Basic and refuses bad credentials', async () => {
    expect(admin.expires_in).toBe(900);
    expect(admin.refresh_expires_in).toBe(604_800);
    const [header, payload] = admin.access_token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe('admin');
    expect(payload.exp - payload.iat).toBe(900);
    expect(payload.jti).toBeTruthy();
    expect(await send(login, { headers: basic('admin', 'wrong') })).toEqual({ status: 401, json: { errors: 'Invalid username or password' } });
    expect((await send(login)).status).toBe(401);
  });

  it('answers 401 without a token, with an expired, forged or alg-none token', async () => {
    expect(await send(calls)).toEqual({ status: 401, json: { errors: 'Authorization token is missing' } });
    const user = (await getUser(0))!;
    const expired = await signAccessToken(user, 'x', Math.floor(Date.now() / 1000) - 3600);
    expect((await send(calls, { headers: bearer(expired) })).status).toBe(401);
    const forged = await new SignJWT({ uid: 0, fam: 'x', pwd: 'x' }).setProtectedHeader({ alg: 'HS256' }).setSubject('admin')
      .setIssuedAt().setExpirationTime('5m').setJti('j').setIssuer('morless').sign(new TextEncoder().encode('other-key'));
    expect((await send(calls, { headers: bearer(forged) })).status).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${admin.access_token.split('.')[1]}.`;
    expect((await send(calls, { headers: bearer(none) })).status).toBe(401);
  });

  it('rotates refresh tokens: a used one fails and revokes the session', async () => {
    const session = await loginAs(a.reseller);
    const first = await send(refresh, { body: JSON.stringify({ refresh_token: session.refresh_token }) });
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).not.toBe(session.refresh_token);
    expect((await send(calls, { headers: bearer(first.json.access_token), query: window })).status).toBe(200);
    const reused = await send(refresh, { body: JSON.stringify({ refresh_token: session.refresh_token }) });
    expect(reused).toEqual({ status: 401, json: { errors: 'Refresh token is invalid or expired' } });
    // reuse revoked the whole family: the newest tokens stop working too
    expect((await send(refresh, { body: JSON.stringify({ refresh_token: first.json.refresh_token }) })).status).toBe(401);
    expect((await send(calls, { headers: bearer(first.json.access_token), query: window })).status).toBe(401);
    expect((await send(refresh, { body: '{}' })).status).toBe(400);
  });

  it('logout and a password change revoke tokens', async () => {
    const session = await loginAs(a.reseller);
    expect((await send(logout, { headers: bearer(session.access_token) })).json).toEqual({ status: 'ok' });
    expect((await send(calls, { headers: bearer(session.access_token) })).status).toBe(401);
    expect((await send(refresh, { body: JSON.stringify({ refresh_token: session.refresh_token }) })).status).toBe(401);

    const user = await makeUser('user');
    const other = await loginAs(user);
    await db.send(new UpdateCommand({
      TableName: TABLE_NAME, Key: { PK: `USER#${user.id}`, SK: 'USER' },
      UpdateExpression: 'SET passwordHash = :h', ExpressionAttributeValues: { ':h': await hashPassword('changed!') },
    }));
    expect((await send(calls, { headers: bearer(other.access_token) })).status).toBe(401);
    expect((await send(refresh, { body: JSON.stringify({ refresh_token: other.refresh_token }) })).status).toBe(401);
  });

  it('answers 403 when the API is off', async () => {
    await setAdminSettings({ Allow_API: '0' });
    try {
      expect(await send(calls, { headers: bearer(admin.access_token) })).toEqual({ status: 403, json: { errors: 'API Requests are disabled' } });
    } finally {
      await setAdminSettings({ Allow_API: '1' });
    }
  });
});

describe('GET /billing/api/v2/calls', () => {
  it('answers the seed shape', async () => {
    const answer = await send(calls, { headers: bearer(admin.access_token), query: { ...window, s_user: String(prepaid.id), limit: '1' } });
    expect(answer.status).toBe(200);
    const body = answer.json.calls;
    expect(body).toMatchObject({
      pagename: 'Calls', language: 'en', error_msg: '', userid: 0, username: 'admin', total_calls: 2, limit: 1, max_limit: 500,
      page: '1/2', currency: 'USD',
    });
    expect(body.calls_stat).toMatchObject({
      period: { period_start: '2025-01-15 00:00:00', period_end: '2025-01-15 23:59:59' },
      show_user: String(prepaid.id), show_device: 'all', show_status: 'all', show_provider: 'all', show_hgc: 'all',
      show_reseller: 'all', show_did: 'all', show_destination: '',
    });
    expect(body.calls_stat.calls).toEqual([{
      calldate2: '2025-01-15 00:01:40', timezone: 'GMT +00:00', clid: '"test" <101>', destination: 'Lithuania - Special Services',
      did: '37060000001', did_inc_price: '0.0', did_price: '0.0', did_prov_price: '0.0', dispod: 'ANSWERED(16)',
      dst: '37060000001', dst_user_id: 0, lega_call_id: '', legb_call_id: '', nice_billsec: 16, nice_reseller: ' ',
      originator_codec: 'ulaw', prefix: '3706', privacy: 0, profit: '1.2500', provider_name: '', provider_price: '0.0',
      provider_rate: '0.0', reseller_price: '0.0', reseller_rate: '0.0', server_id: 1, src: '100', terminated_by: 'originator',
      terminator_codec: 'ulaw', tp_src: '', user: prepaid.username, user_currency: 'USD', user_exchange_rate: '1.000000000000000',
      user_id: prepaid.id, user_price: '1.25', user_rate: '0.1', uniqueid: 'v1', originator_codec_name: 'G.711 u-law',
      terminator_codec_name: 'G.711 u-law',
    }]);
    const second = await send(calls, { headers: bearer(admin.access_token), query: { ...window, s_user: String(prepaid.id), limit: '1', page: '2' } });
    expect(second.json.calls.page).toBe('2/2');
    expect(second.json.calls.calls_stat.calls.map((c: any) => c.uniqueid)).toEqual(['v2']);
    const capped = await send(calls, { headers: bearer(admin.access_token), query: { ...window, limit: '9999' } });
    expect(capped.json.calls.limit).toBe(500);
    expect(capped.json.calls.total_calls).toBe(4);
  });

  it('filters and orders like user_calls_get', async () => {
    const get = async (query: Record<string, string>) =>
      (await send(calls, { headers: bearer(admin.access_token), query: { ...window, ...query } })).json.calls.calls_stat.calls.map((c: any) => c.uniqueid);
    expect(await get({ order_by: 'src', order_desc: '1' })).toEqual(['v2', 'v4', 'v3', 'v1']);
    expect(await get({ s_reseller: String(a.reseller.id) })).toEqual(['v3']);
    expect(await get({ s_destination: '3706', only_did: '1' })).toEqual(['v1']);
    expect((await send(calls, { headers: bearer(admin.access_token), query: { order_by: 'nope' } })).status).toBe(400);
  });

  it('keeps resellers and users inside their tenancy (403 otherwise)', async () => {
    const ra = await loginAs(a.reseller);
    const mine = await send(calls, { headers: bearer(ra.access_token), query: window });
    expect(mine.json.calls.calls_stat.calls.map((c: any) => c.uniqueid)).toEqual(['v3']);
    expect(await send(calls, { headers: bearer(ra.access_token), query: { ...window, s_user: String(b.user.id) } }))
      .toEqual({ status: 403, json: { errors: 'Access Denied' } });
    const user = await loginAs(prepaid);
    expect((await send(calls, { headers: bearer(user.access_token), query: { ...window, s_user: String(a.user.id) } })).status).toBe(403);
    expect((await send(calls, { headers: bearer(user.access_token), query: window })).json.calls.total_calls).toBe(2);
  });
});

describe('POST /billing/api/v2/calls/import', () => {
  it('is idempotent by uniqueid and charges prepaid balances once', async () => {
    expect((await getUser(prepaid.id))!.balanceMicros).toBe(5_000_000 - 1_750_000);
    const again = await send(callsImport, {
      headers: { ...bearer(admin.access_token), 'content-type': 'text/csv' },
      body: `uniqueid,calldate,user_id,user_price\nv1,${DAY + 100},${prepaid.id},1.25\nv9,2025-01-15 10:00:00,${prepaid.id},0.25\n`,
    });
    expect(again.json).toEqual({ imported: 1, duplicates: 1, errors: [] });
    expect((await getUser(prepaid.id))!.balanceMicros).toBe(3_000_000);
  });

  it('is for the admin only', async () => {
    const ra = await loginAs(a.reseller);
    expect(await send(callsImport, { headers: bearer(ra.access_token), body: '[]' })).toEqual({ status: 403, json: { errors: 'Access Denied' } });
    expect((await send(callsImport, { headers: bearer(admin.access_token), body: '{"x":1}' })).status).toBe(400);
  });

  it('takes a gzip or deflate body (JSON, or CSV as application/gzip), and refuses a broken or unknown encoding', async () => {
    const rows = [cdr('gz-1', a.user.id, 500, { user_price: '0' })];
    const gzipped = { headers: { ...bearer(admin.access_token), 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(rows)).toString('base64'), isBase64Encoded: true };
    expect((await send(callsImport, gzipped)).json).toEqual({ imported: 1, duplicates: 0, errors: [] });
    const deflated = { headers: { ...bearer(admin.access_token), 'content-encoding': 'deflate' }, body: deflateSync(JSON.stringify(rows)).toString('base64'), isBase64Encoded: true };
    expect((await send(callsImport, deflated)).json).toEqual({ imported: 0, duplicates: 1, errors: [] });
    expect(await send(callsImport, { ...gzipped, body: Buffer.from('not gzip').toString('base64') }))
      .toEqual({ status: 400, json: { errors: 'Body is not valid gzip data' } });
    expect((await send(callsImport, { ...gzipped, headers: { ...gzipped.headers, 'content-encoding': 'br' } })).status).toBe(415);
    const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x20)).toString('base64');
    expect(await send(callsImport, { ...gzipped, body: bomb })).toEqual({ status: 413, json: { errors: 'Body is too large once decompressed' } });
    const csv = `uniqueid,calldate,user_id,user_price\ngz-2,${DAY + 600},${a.user.id},0\n`;
    const binaryCsv = { headers: { ...bearer(admin.access_token), 'content-type': 'application/gzip' }, body: gzipSync(csv).toString('base64'), isBase64Encoded: true };
    expect((await send(callsImport, binaryCsv)).json).toEqual({ imported: 1, duplicates: 0, errors: [] });
    const anonymous = await send(callsImport, { ...gzipped, headers: { 'content-encoding': 'gzip' }, body: bomb });
    expect(anonymous.status).toBe(401);
  });

  it('takes 10,000 CDRs in one request, gzipped far below Lambda\'s 6 MB request limit', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => cdr(`bulk-${i}`, a.user.id, 1000 + (i % 80_000), { reseller_id: String(a.reseller.id), user_price: '0.01' }));
    const body = gzipSync(JSON.stringify(rows)).toString('base64');
    expect(body.length).toBeLessThan(1024 * 1024);
    const answer = await send(callsImport, { headers: { ...bearer(admin.access_token), 'content-encoding': 'gzip' }, body, isBase64Encoded: true });
    expect(answer.json).toEqual({ imported: 10_000, duplicates: 0, errors: [] });
    expect((await getUser(a.user.id))!.balanceMicros).toBe(-(200_000 + 100_000_000));
  }, 600_000);
});

describe('GET /billing/api/v2/api-docs', () => {
  it('is an OpenAPI 3 document of every v2 route, generated from the handlers\' schemas', async () => {
    const { status, json: doc } = await send(apiDocs);
    expect(status).toBe(200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/billing/api/v2/authentication/login', '/billing/api/v2/authentication/logout', '/billing/api/v2/authentication/refresh',
      '/billing/api/v2/calls', '/billing/api/v2/calls/import',
    ]);
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        expect(['get', 'post']).toContain(method);
        expect(op.responses['200'], `${method} ${path}`).toBeTruthy();
        for (const ref of JSON.stringify(op).match(/"\$ref":"([^"]+)"/g) ?? []) {
          expect(ref).toContain('#/components/schemas/Error');
        }
      }
    }
    const params = doc.paths['/billing/api/v2/calls'].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(['limit', 'page', 'period_start', 's_user', 's_reseller', 'order_by', 's_callback_uniqueid']));
    expect(doc.paths['/billing/api/v2/calls'].get.parameters.find((p: any) => p.name === 'order_by').schema.enum).toHaveLength(20);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
