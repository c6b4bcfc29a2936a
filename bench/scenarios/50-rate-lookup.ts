/**
 * rate_get: longest-prefix rate lookup on a wholesale tariff of BENCH_RATE_PREFIXES (default 100,000)
 * prefixes, seeded through the domain (createTariff, putWholesaleRates). Latency of the method and of
 * the domain lookup alone against the GetItem floor and against one raw BatchGet of the same keys;
 * DynamoDB round trips per lookup counted by a middleware on the shared client; every answer checked
 * against the longest prefix computed in memory.
 *
 * Knobs: BENCH_RATE_PREFIXES (100000), BENCH_RATE_SEED_PARALLEL (8 putWholesaleRates calls in flight),
 * BENCH_SCENARIO_ITERATIONS.
 */
import { randomBytes } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as rateGet } from '../../functions/rates/rate_get.js';
import { db, TABLE_NAME } from '../../lib/db/client.js';
import { updateSettings } from '../../lib/domain/settings.js';
import { createTariff, lookupRate, prefixesOf, putWholesaleRates, tariffKeys, type WholesaleRate } from '../../lib/domain/tariffs.js';
import { formatMicrosShort } from '../../lib/money.js';
import { callHandler, errorOf } from '../../test/support/api.js';
import { ADMIN, makeUser } from '../../test/support/world.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lib/db/keys.js';
import { check, envNumber, int, interleaved, invoke, ms, perCall, ratio, scenarioIterations, secs, timed, tripsText } from '../lib/support.js';

/** A small deterministic PRNG (mulberry32), so runs seed the same prefixes. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function run({ say }: { say: (line?: string) => void }) {
  const count = Math.max(10, envNumber('BENCH_RATE_PREFIXES', 100_000));
  const parallel = Math.max(1, envNumber('BENCH_RATE_SEED_PARALLEL', 8));
  const iterations = scenarioIterations();
  const random = prng(20_240_101);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

  // Prefixes like a carrier deck: ~300 country codes (1–3 digits), then nested area/operator prefixes of 4–9 digits.
  const prefixes = new Set<string>();
  const roots: string[] = [];
  while (roots.length < 300) {
    const root = String(1 + Math.floor(random() * 9)) + digits(Math.floor(random() * 3));
    if (!prefixes.has(root)) prefixes.add(root), roots.push(root);
  }
  const list = [...roots];
  while (prefixes.size < count) {
    const parent = list[Math.floor(random() * list.length)]!;
    if (parent.length >= 9) continue;
    const child = parent + digits(1 + Math.floor(random() * Math.min(3, 9 - parent.length)));
    if (!prefixes.has(child)) prefixes.add(child), list.push(child);
  }
  const priceOf = (prefix: string) => 1_000 + (Number(prefix.slice(-6)) % 500_000);
  const rates: WholesaleRate[] = list.map((prefix) => ({
    prefix, direction: `Dest ${prefix.slice(0, 3)}`, destination: 'Bench', code: 'XX', rateMicros: priceOf(prefix), conFeeMicros: 0,
    increment: 1, minTime: 0, startTime: '00:00:00', endTime: '23:59:59', daytype: '',
  }));

  await updateSettings(0, { Devices_Check_Rate: '1' });
  const tariff = await createTariff({ name: `bench_rates_${randomBytes(3).toString('hex')}`, purpose: 'user_wholesale', currency: 'USD', ownerId: 0 });
  const slice = Math.ceil(rates.length / parallel);
  const seeding = await timed(() => Promise.all(Array.from({ length: parallel }, (_, k) => putWholesaleRates(tariff.id, rates.slice(k * slice, (k + 1) * slice)))));
  const user = await makeUser('user', { tariffId: tariff.id });

  // Numbers: 12 digits, each extending a seeded prefix; the answer expected is the longest seeded prefix of the number.
  const numbers = Array.from({ length: 1_000 }, () => {
    const base = list[Math.floor(random() * list.length)]!;
    return base + digits(12 - base.length);
  });
  const expectedPrefix = (number: string) => prefixesOf(number).find((p) => prefixes.has(p))!;
  let n = 0;
  const next = () => numbers[n++ % numbers.length]!;
  const ask = (number: string) => callHandler(rateGet, { u: ADMIN.username, username: user.username, prefix: number }, { secret: ADMIN.secret });

  // Correctness over every prepared number (also warms the paths).
  let correct = 0;
  let firstWrong = '';
  for (const number of numbers.slice(0, Math.min(numbers.length, Math.max(100, iterations)))) {
    const answer = await ask(number);
    const want = expectedPrefix(number);
    const wanted = `${formatMicrosShort(priceOf(want))}#Dest ${want.slice(0, 3)}#${want}`;
    if (answer.xml.page?.rate === wanted) correct++;
    else firstWrong ||= `${number}: got ${answer.xml.page?.rate ?? errorOf(answer.xml)}, want ${wanted}`;
  }
  const checked = Math.min(numbers.length, Math.max(100, iterations));

  const keysOf = (number: string) => [...prefixesOf(number).map(tariffKeys.destination), ...prefixesOf(number).map((p) => tariffKeys.rate(tariff.id, p))];

  const timedAsk = () => invoke(rateGet, { u: ADMIN.username, username: user.username, prefix: next() }, ADMIN.secret);
  const { floor, batch, lookup, method } = await interleaved(iterations, {
    floor: () => db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.user(user.id) })),
    batch: () => db.send(new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: keysOf(next()) } } })),
    lookup: () => lookupRate(tariff, next()),
    method: timedAsk,
  });
  const methodTrips = await perCall(Math.min(50, iterations), timedAsk);
  const lookupTrips = await perCall(Math.min(50, iterations), () => lookupRate(tariff, next()));

  say(`## Rates: rate_get longest-prefix lookup on a tariff of ${int(count)} prefixes`);
  say();
  say(
    `A wholesale tariff (user_wholesale) of ${int(count)} nested prefixes (1–9 digits, ~300 roots) seeded through \`putWholesaleRates\` ` +
      `(${parallel} calls in flight: ${secs(seeding.millis)} s, ${int(count / (seeding.millis / 1000))} rates/s). rate_get is called by the admin ` +
      `for a user on that tariff with 12-digit numbers that extend a random seeded prefix, so the answer is the longest seeded prefix ` +
      `(checked for ${checked} numbers against the in-memory set: ${correct}/${checked} correct ${check(correct === checked)}${firstWrong ? `; first wrong: ${firstWrong}` : ''}). ` +
      `The lookup reads every prefix of the number as a key in one BatchGet (12 destination keys + 12 rate keys). ` +
      `${iterations} sequential rounds, the four paths interleaved; rate_get timed in-process without parsing the XML answer; ` +
      `ratio = p50 / floor p50 (GetItem measured in this scenario, same rounds).`,
  );
  say();
  say('| path | p50 ms | p99 ms | ratio to GetItem | ratio to raw BatchGet | DynamoDB round trips |');
  say('|---|---|---|---|---|---|');
  say(`| raw GetItem (floor) | ${ms(floor.p50)} | ${ms(floor.p99)} | 1.00 | ${ratio(floor.p50, batch.p50)} | 1 |`);
  say(`| raw BatchGet of the lookup's 24 keys | ${ms(batch.p50)} | ${ms(batch.p99)} | ${ratio(batch.p50, floor.p50)} | 1.00 | 1 |`);
  say(`| lookupRate (domain only) | ${ms(lookup.p50)} | ${ms(lookup.p99)} | ${ratio(lookup.p50, floor.p50)} | ${ratio(lookup.p50, batch.p50)} | ${tripsText(lookupTrips)} |`);
  say(`| rate_get (handler chain) | ${ms(method.p50)} | ${ms(method.p99)} | ${ratio(method.p50, floor.p50)} | ${ratio(method.p50, batch.p50)} | ${tripsText(methodTrips)} |`);
  say();
  say(
    `Round trips are averages over ${Math.min(50, iterations)} further sequential calls. rate_get: ${methodTrips.wallPerCall.toFixed(2)} ms per call over those calls, of which ${methodTrips.millis.toFixed(2)} ms inside DynamoDB requests ` +
      `(the rest is the handler chain in Node: parsing, hash check, access rules, XML).`,
  );
  say();
}
