/**
 * user_calls_get at scale: the latency of one user's one-day search with a small table (10k CDRs) and
 * with a large one (BENCH_CDRS, default 1M), loaded through the domain ingest (ingestCdrs: validation,
 * day lists, markers, transactions) in parallel batches. The searched day holds the same calls in both
 * measurements; the rest of the table is spread over many users and days.
 *
 * Knobs: BENCH_CDRS (1000000), BENCH_CDRS_SMALL (10000), BENCH_CALL_USERS (500), BENCH_CALL_DAYS (365),
 * BENCH_TARGET_CALLS (50, calls in the searched day), BENCH_LOAD_BATCH (10000 CDRs per ingestCdrs call),
 * BENCH_LOAD_PARALLEL (2 batches in flight), BENCH_LOAD_BUDGET_S (480: the load stops there and the
 * large measurement is taken at whatever N was reached), BENCH_SCENARIO_ITERATIONS.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../../lib/db/client.js';
import { keys } from '../../lib/db/keys.js';
import { handler as userCallsGet } from '../../functions/calls/user_calls_get.js';
import { callKeys, ingestCdrs, mapLimit } from '../../lib/domain/calls.js';
import { isoSecond } from '../../lib/domain/calls-time.js';
import { callHandler, errorOf } from '../../test/support/api.js';
import { ADMIN, makeUser, type TestUser } from '../../test/support/world.js';
import type { Percentiles } from '../lib/timing.js';
import {
  check, envNumber, int, interleaved, invoke, ms, perCall, ratio, scenarioIterations, secs, tripsText, type RoundTrips,
} from '../lib/support.js';

const getItem = (userId: number) => db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.user(userId) }));

const DAY_SECONDS = 86_400;
const FIRST_DAY = Date.UTC(2024, 0, 1) / 1000;

interface Measured {
  cdrs: number;
  get: Percentiles;
  query: Percentiles;
  calls: Percentiles;
  trips: RoundTrips;
  found: number;
  wallPerCall: number;
  dbPerCall: number;
}

export async function run({ say }: { say: (line?: string) => void }) {
  const target = envNumber('BENCH_CDRS', 1_000_000);
  const small = Math.min(envNumber('BENCH_CDRS_SMALL', 10_000), target);
  const userCount = Math.max(2, envNumber('BENCH_CALL_USERS', 500));
  const dayCount = Math.max(2, envNumber('BENCH_CALL_DAYS', 365));
  const targetCalls = envNumber('BENCH_TARGET_CALLS', 50);
  const batchSize = Math.min(10_000, envNumber('BENCH_LOAD_BATCH', 10_000));
  const parallel = Math.max(1, envNumber('BENCH_LOAD_PARALLEL', 2));
  const budgetMs = envNumber('BENCH_LOAD_BUDGET_S', 480) * 1000;
  const iterations = scenarioIterations();
  const tag = randomBytes(3).toString('hex');

  // Users (postpaid: the load is not serialised per charged user; the searched user is one of them).
  const users: TestUser[] = await mapLimit(Array.from({ length: userCount }), 16, () => makeUser('user', { postpaid: true }));
  const searched = users[0]!;
  const searchedDay = Math.floor(dayCount / 2);
  const dayStart = FIRST_DAY + searchedDay * DAY_SECONDS;
  const dayText = isoSecond(dayStart * 1000).slice(0, 10);

  const cdr = (uniqueid: string, user: TestUser, at: number, i: number) => ({
    uniqueid, calldate: String(at), user_id: String(user.id), src: String(1000 + (i % 900)), dst: `3706${String(1_000_000 + (i % 8_999_999))}`,
    clid: `"bench" <${1000 + (i % 900)}>`, billsec: String(i % 600), duration: String((i % 600) + 5), disposition: 'ANSWERED', hangupcause: '16',
    src_device_id: String(100_000 + user.id), provider_id: '1', provider_name: 'Bench Provider', prefix: '3706', destination: 'Lithuania mobile',
    user_price: '0.0123', user_rate: '0.05', provider_price: '0.006', provider_rate: '0.02', server_id: '1',
    originator_codec: 'ulaw', terminator_codec: 'ulaw', terminated_by: 'originator',
  });

  // The searched day: fixed calls of the searched user, present before the first measurement.
  const seeded = await ingestCdrs(Array.from({ length: targetCalls }, (_, k) => cdr(`t${tag}-${k}`, searched, dayStart + 60 + k * 97, k)));
  if (seeded.imported !== targetCalls) throw new Error(`target calls not stored: ${JSON.stringify(seeded).slice(0, 300)}`);

  // Bulk row i: users round-robin, days advancing every `userCount` rows (so a cut-short load is still
  // spread), never on the searched user's searched day.
  const bulkRow = (i: number) => {
    const user = users[i % userCount]!;
    let day = Math.floor(i / userCount) % dayCount;
    if (user === searched && day === searchedDay) day = (day + 1) % dayCount;
    return cdr(`b${tag}-${i}`, user, FIRST_DAY + day * DAY_SECONDS + ((i * 7919) % DAY_SECONDS), i);
  };

  let loaded = 0; // bulk CDRs stored
  let handedOut = 0;
  let loadMillis = 0;
  const load = async (upTo: number, deadline: number) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (handedOut < upTo && performance.now() < deadline) {
          const from = handedOut;
          const count = Math.min(batchSize, upTo - from);
          handedOut += count;
          const report = await ingestCdrs(Array.from({ length: count }, (_, k) => bulkRow(from + k)));
          if (report.imported !== count) throw new Error(`ingest stored ${report.imported}/${count}: ${JSON.stringify(report.errors.slice(0, 3))}`);
          loaded += count;
        }
      }),
    );
    const millis = performance.now() - start;
    loadMillis += millis;
    return millis;
  };

  const window = { period_start: String(dayStart), period_end: String(dayStart + DAY_SECONDS - 1) };
  const params = { u: ADMIN.username, s_user: String(searched.id), ...window };
  const rawQuery = () =>
    db.send(new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
      ExpressionAttributeValues: { ':pk': callKeys.user(searched.id, dayText), ':from': isoSecond(dayStart * 1000), ':to': `${isoSecond((dayStart + DAY_SECONDS - 1) * 1000)}#\uffff` },
    }));

  const measure = async (): Promise<Measured> => {
    const first = await callHandler(userCallsGet, params, { secret: ADMIN.secret });
    if (errorOf(first.xml)) throw new Error(`user_calls_get: ${errorOf(first.xml)}`);
    const found = Number(first.xml.page?.total_calls);
    const ask = () => invoke(userCallsGet, params, ADMIN.secret);
    const timings = await interleaved(iterations, { get: () => getItem(searched.id), query: rawQuery, calls: ask });
    const trips = await perCall(Math.min(50, iterations), ask);
    return { cdrs: loaded + targetCalls, ...timings, trips, found, wallPerCall: trips.wallPerCall, dbPerCall: trips.millis };
  };

  const smallLoad = await load(small - targetCalls, Number.POSITIVE_INFINITY);
  const atSmall = await measure();
  const smallLoaded = loaded;
  const bigLoad = await load(target - targetCalls, performance.now() + budgetMs);
  const atBig = await measure();
  const reached = atBig.cdrs;
  const bigRate = (loaded - smallLoaded) / (bigLoad / 1000);

  say(`## Calls at scale: user_calls_get for one user's day, ${int(atSmall.cdrs)} vs ${int(reached)} CDRs in the table`);
  say();
  say(
    `The table is filled through the domain ingest (\`ingestCdrs\`: validation, day lists, uniqueness markers, ` +
      `transactions of ≤ 99 items, ${parallel} batches of ≤ ${int(batchSize)} CDRs in flight) with CDRs of ${int(userCount)} postpaid users over ` +
      `${int(dayCount)} days (2 items per CDR: call + marker; GSI1 by device and GSI3 all-calls shards). The searched user's day ` +
      `(${dayText}) holds the same ${targetCalls} calls in both measurements. user_calls_get is called by the admin with ` +
      `\`s_user\` and that day as the window (timed in-process without parsing the XML answer); floors measured at the same ` +
      `table size, interleaved with it: raw GetItem of the user item and one raw Query of the user's day partition (the product's ` +
      `key condition). ${iterations} sequential rounds. Round trips and wall / DynamoDB ms per call are averages over ${Math.min(50, iterations)} further sequential calls (DynamoDB ms = time inside DynamoDB requests).`,
  );
  say();
  if (reached < target) {
    say(
      `**Only ${int(reached)} of the ${int(target)} CDRs asked for (BENCH_CDRS) were loaded: the load starts no new batch ` +
        `after its ${secs(budgetMs)} s budget (BENCH_LOAD_BUDGET_S). The large-table figures below are at ${int(reached)} CDRs.**`,
    );
    say();
  }
  say('| CDRs in table | load time s | load rate CDR/s | GetItem p50 ms | day Query p50 / p99 ms | user_calls_get p50 / p99 ms | ratio to Query | ratio to GetItem | calls found | DynamoDB round trips per call | wall / DynamoDB ms per call |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  const line = (m: Measured, millis: number, rate: number) =>
    say(
      `| ${int(m.cdrs)} | ${secs(millis)} | ${int(rate)} | ${ms(m.get.p50)} | ${ms(m.query.p50)} / ${ms(m.query.p99)} | ` +
        `${ms(m.calls.p50)} / ${ms(m.calls.p99)} | ${ratio(m.calls.p50, m.query.p50)} | ${ratio(m.calls.p50, m.get.p50)} | ` +
        `${m.found} ${check(m.found === targetCalls)} | ${tripsText(m.trips)} | ${m.wallPerCall.toFixed(1)} / ${m.dbPerCall.toFixed(1)} |`,
    );
  line(atSmall, smallLoad, (smallLoaded) / (smallLoad / 1000));
  line(atBig, bigLoad, bigRate);
  say();
  const scale = atBig.calls.p50 / atSmall.calls.p50;
  const normalized = atBig.calls.p50 / atBig.query.p50 / (atSmall.calls.p50 / atSmall.query.p50);
  say(
    `Scale ratio: user_calls_get p50 at ${int(reached)} / at ${int(atSmall.cdrs)} CDRs = **${scale.toFixed(2)}** (goal ≤ 1.2) ${check(scale <= 1.2)}; ` +
      `the same ratio with each p50 taken relative to its own day-Query floor (cancels drift of the shared machine) = ${normalized.toFixed(2)}. ` +
      `Whole load: ${int(loaded + targetCalls)} CDRs in ${secs(loadMillis)} s (${int(loaded / (loadMillis / 1000))} CDR/s, ` +
      `${int((2 * loaded) / (loadMillis / 1000))} items/s).`,
  );
  say();
}
