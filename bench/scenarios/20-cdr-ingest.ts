/**
 * CDR ingest through the REST v2 import handler (POST /billing/api/v2/calls/import, bearer token of the
 * admin): one request of BENCH_IMPORT_CDRS (default 10,000, the endpoint's maximum) CDRs for postpaid
 * users, and one for prepaid users (charged per CDR, so their transactions run one lane per user).
 * Floors: raw BatchWrite of the same items the import writes (call item + uniqueness marker per CDR),
 * and raw TransactWrite of them in transactions of 99 items (the import's own unit of write).
 *
 * A third request puts every CDR on one prepaid user: the worst case of the per-user lanes.
 *
 * Knobs: BENCH_IMPORT_CDRS (10000), BENCH_IMPORT_USERS (100 per kind), BENCH_IMPORT_ONE_USER (1: the
 * one-user request; 0 skips it), BENCH_IMPORT_TX_FLOOR (1: also the raw TransactWrite floor; 0 skips it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { callItems, callKeys, mapLimit } from '../../lib/domain/calls.js';
import { usersById } from '../../lib/domain/users.js';
import { parseCdr } from '../../lib/domain/calls-cdr.js';
import type { RestHandler } from '../../lib/v2/define-route.js';
import { ADMIN, makeUser, type TestUser } from '../../test/support/world.js';
import { check, envNumber, int, pool, ratio, rawBatchWrite, rawTransactWrite, secs, timed } from '../lib/support.js';

// A fixed signing key, so the run does not generate the local development key file.
process.env.JWT_SIGNING_KEY ??= `bench-${randomBytes(16).toString('hex')}`;

async function send(handler: RestHandler, body: string | undefined, headers: Record<string, string>) {
  const [method, path] = handler.declaration.route.split(' ') as [string, string];
  const event = {
    version: '2.0', routeKey: handler.declaration.route, rawPath: path, rawQueryString: '', headers, body, isBase64Encoded: false,
    requestContext: { http: { method, path, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', userAgent: 'bench' }, requestId: randomUUID() },
  } as unknown as APIGatewayProxyEventV2;
  const result = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 200, json: JSON.parse(String(result.body)) as Record<string, any> };
}

export async function run({ say }: { say: (line?: string) => void }) {
  const count = Math.min(10_000, envNumber('BENCH_IMPORT_CDRS', 10_000));
  const userCount = Math.max(1, envNumber('BENCH_IMPORT_USERS', 100));
  const txFloor = envNumber('BENCH_IMPORT_TX_FLOOR', 1) === 1;
  const oneUser = envNumber('BENCH_IMPORT_ONE_USER', 1) === 1;
  const tag = randomBytes(3).toString('hex');
  const { handler: login } = await import('../../functions/v2/authentication_login.js');
  const { handler: callsImport } = await import('../../functions/v2/calls_import.js');

  const loggedIn = await send(login, undefined, { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` });
  if (loggedIn.status !== 200) throw new Error(`v2 login: ${JSON.stringify(loggedIn.json)}`);
  const headers = { authorization: `Bearer ${loggedIn.json.access_token}`, 'content-type': 'application/json' };

  const START_BALANCE = 1_000_000_000; // 1000.00
  const postpaid = await mapLimit(Array.from({ length: userCount }), 16, () => makeUser('user', { postpaid: true }));
  const prepaid = await mapLimit(Array.from({ length: userCount }), 16, () => makeUser('user', { balanceMicros: START_BALANCE }));
  const day = Date.UTC(2025, 2, 3) / 1000;
  const cdr = (prefix: string, i: number, user: TestUser) => ({
    uniqueid: `${prefix}${tag}-${i}`, calldate: String(day + ((i * 13) % 86_400)), user_id: String(user.id), src: String(1000 + (i % 900)),
    dst: `4420${String(7_000_000 + i)}`, clid: `"bench" <${1000 + (i % 900)}>`, billsec: String(1 + (i % 600)), disposition: 'ANSWERED',
    hangupcause: '16', src_device_id: String(200_000 + user.id), provider_id: '2', provider_name: 'Bench Provider', prefix: '4420',
    destination: 'United Kingdom', user_price: '0.0123', user_rate: '0.05', provider_price: '0.006', provider_rate: '0.02', server_id: '1',
    originator_codec: 'ulaw', terminator_codec: 'ulaw', terminated_by: 'originator',
  });
  const rows = (prefix: string, users: TestUser[]) => Array.from({ length: count }, (_, i) => cdr(prefix, i, users[i % users.length]!));

  const importRows = async (list: ReturnType<typeof rows>) => {
    const body = JSON.stringify(list);
    const { result, millis } = await timed(() => send(callsImport, body, headers));
    if (result.status !== 200) throw new Error(`v2 calls import: ${result.status} ${JSON.stringify(result.json).slice(0, 300)}`);
    return { report: result.json as { imported: number; duplicates: number; errors: unknown[] }, millis, bytes: body.length };
  };

  const free = await importRows(rows('ip', postpaid));
  const charged = await importRows(rows('ic', prepaid));
  const after = await usersById(prepaid.map((u) => u.id));
  const perUser = (n: number) => Math.floor(count / userCount) + (n < count % userCount ? 1 : 0);
  const balancesExact = prepaid.every((u, n) => after.get(u.id)?.balanceMicros === START_BALANCE - perUser(n) * 12_300);
  // Worst case of the per-user lanes: every CDR charges the same prepaid user, so its transactions run one after another.
  let single: Awaited<ReturnType<typeof importRows>> | undefined;
  let singleExact = false;
  if (oneUser) {
    const whale = await makeUser('user', { balanceMicros: START_BALANCE });
    single = await importRows(rows('i1', [whale]));
    singleExact = (await usersById([whale.id])).get(whale.id)?.balanceMicros === START_BALANCE - count * 12_300;
  }

  // Floors: the very items an import writes, for fresh CDRs of the same shape.
  const itemsOf = (list: ReturnType<typeof rows>) =>
    list.flatMap((row) => {
      const parsed = parseCdr(row);
      if (!('call' in parsed)) throw new Error(parsed.error);
      const { call } = parsed;
      const marker = { ...callKeys.marker(call.uniqueid), callPK: callKeys.user(call.userId, call.calldate.slice(0, 10)), callSK: callKeys.sortKey(call) };
      return [...callItems(call), marker];
    });
  const batchItems = itemsOf(rows('rb', postpaid));
  const batchMillis = await rawBatchWrite(batchItems, 16);
  let txMillis: number | undefined;
  if (txFloor) {
    txMillis = await rawTransactWrite(itemsOf(rows('rt', postpaid)), 16);
  }

  const perSecond = (n: number, millis: number) => int(n / (millis / 1000));
  say(`## CDR ingest: v2 calls import of ${int(count)} CDRs in one request`);
  say();
  say(
    `\`POST /billing/api/v2/calls/import\` called in-process with the admin's bearer token and a JSON body of ${int(count)} CDRs ` +
      `(about ${int(free.bytes / 1024)} KiB) spread over ${userCount} users, all on one day. The import validates every row, reads ` +
      `the users and the existing uniqueness markers, records day lists, then writes each CDR's call item and marker in ` +
      `transactions of ≤ 99 items, 16 in flight; for prepaid users also the balance charge, with one user's transactions ` +
      `running one after another (one lane per user)${oneUser ? '; the third request charges a single prepaid user (one lane)' : ''}. Floors, ` +
      `measured right after at the same table size: raw BatchWrite (25 items a request, 16 in flight) of the same ` +
      `${int(batchItems.length)} items an import writes, and${txFloor ? '' : ' (skipped)'} raw TransactWrite of them in transactions of 99 items, 16 in flight.`,
  );
  say();
  say('| write | wall s | CDRs/s | items/s | ratio to raw BatchWrite | ratio to raw TransactWrite | check |');
  say('|---|---|---|---|---|---|---|');
  const items = batchItems.length;
  const tx = (millis: number) => (txMillis === undefined ? 'n/a' : ratio(millis, txMillis));
  say(
    `| import, postpaid users | ${secs(free.millis)} | ${perSecond(count, free.millis)} | ${perSecond(items, free.millis)} | ` +
      `${ratio(free.millis, batchMillis)} | ${tx(free.millis)} | imported ${int(free.report.imported)} ${check(free.report.imported === count && free.report.errors.length === 0)} |`,
  );
  say(
    `| import, prepaid users (charged) | ${secs(charged.millis)} | ${perSecond(count, charged.millis)} | ${perSecond(items, charged.millis)} | ` +
      `${ratio(charged.millis, batchMillis)} | ${tx(charged.millis)} | imported ${int(charged.report.imported)} ${check(charged.report.imported === count && charged.report.errors.length === 0)}, balances exact ${check(balancesExact)} |`,
  );
  if (single) {
    say(
      `| import, one prepaid user (one lane) | ${secs(single.millis)} | ${perSecond(count, single.millis)} | ${perSecond(items, single.millis)} | ` +
        `${ratio(single.millis, batchMillis)} | ${tx(single.millis)} | imported ${int(single.report.imported)} ${check(single.report.imported === count && single.report.errors.length === 0)}, balance exact ${check(singleExact)}, within 29 s ${check(single.millis < 29_000)} |`,
    );
  }
  say(`| raw BatchWrite (floor) | ${secs(batchMillis)} | ${perSecond(count, batchMillis)} | ${perSecond(items, batchMillis)} | 1.00 | ${tx(batchMillis)} | |`);
  if (txMillis !== undefined) {
    say(`| raw TransactWrite, 99 items (floor) | ${secs(txMillis)} | ${perSecond(count, txMillis)} | ${perSecond(items, txMillis)} | ${ratio(txMillis, batchMillis)} | 1.00 | |`);
  }
  say();
  say('Ratios are wall-time ratios (import time / floor time for the same number of items). DynamoDB Local executes transactions far slower per item than batch writes; on DynamoDB a transactional write costs 2 WCU per item instead.');
  say();
}
