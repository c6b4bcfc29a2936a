/**
 * Money on one hot user under concurrency: BENCH_MONEY_CALLS (default 2,000) user_balance_update calls
 * and as many payment_create calls, BENCH_MONEY_CONCURRENCY (default 50) in flight, all on the same
 * user. Reports calls per second, per-call latency under load, failures, whether the final balance
 * is exact, and (payments) whether every payment record exists once. Floors at the same concurrency
 * on another user item: raw UpdateItem ADD, and raw TransactWrite of ADD + one new item (the shape
 * of a payment's write), retried on transaction conflicts.
 */
import { randomBytes } from 'node:crypto';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as balanceUpdate } from '../../functions/balance/user_balance_update.js';
import { handler as paymentCreate } from '../../functions/payments/payment_create.js';
import { db, TABLE_NAME } from '../../lib/db/client.js';
import { keys } from '../../lib/db/keys.js';
import { listPayments } from '../../lib/domain/payments.js';
import { updateSettings } from '../../lib/domain/settings.js';
import { getUser } from '../../lib/domain/users.js';
import { errorOf, parseXml } from '../../test/support/api.js';
import { ADMIN, makeUser } from '../../test/support/world.js';
import { percentiles, throughput, type Percentiles } from '../lib/timing.js';
import { check, envNumber, int, invoke, ms, perCall, ratio, tripsText } from '../lib/support.js';

/** undefined when `body` holds `success`, else the error text of the answer. */
const failureOf = (body: string, success: string) => (body.includes(success) ? undefined : (errorOf(parseXml(body)) ?? body.slice(0, 200)));

interface Run {
  perSecond: number;
  latency: Percentiles;
  failures: string[];
  retries: number;
}

async function load(total: number, concurrency: number, call: (i: number) => Promise<string | undefined>): Promise<Run> {
  const samples: number[] = [];
  const failures: string[] = [];
  const perSecond = await throughput(total, concurrency, async (i) => {
    const start = performance.now();
    const failure = await call(i).catch((error: Error) => `${error.name}: ${error.message}`);
    samples.push(performance.now() - start);
    if (failure) failures.push(failure);
  });
  return { perSecond, latency: percentiles(samples), failures, retries: 0 };
}

const isConflict = (error: unknown) => {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  return e.name === 'TransactionConflictException' || (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
};

export async function run({ say }: { say: (line?: string) => void }) {
  const total = Math.max(1, envNumber('BENCH_MONEY_CALLS', 2_000));
  const concurrency = Math.max(1, envNumber('BENCH_MONEY_CONCURRENCY', 50));
  const tag = randomBytes(3).toString('hex');
  await updateSettings(0, { API_Allow_payments_ower_API: '1' });

  // Floors on a user item nobody else touches.
  const floorUser = await makeUser('user');
  const rawUpdate = await load(total, concurrency, async () => {
    await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: keys.user(floorUser.id), UpdateExpression: 'ADD balanceMicros :d', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':d': 10_000 } }));
    return undefined;
  });
  let txRetries = 0;
  const rawTx = await load(total, concurrency, async (i) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await db.send(new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: TABLE_NAME, Key: keys.user(floorUser.id), UpdateExpression: 'ADD balanceMicros :d', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':d': 1_001_000 } } },
            { Put: { TableName: TABLE_NAME, Item: { PK: `BENCH_PAYMENT#${tag}#${i}`, SK: 'P', amountMicros: 1_001_000 }, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }));
        return undefined;
      } catch (error) {
        if (!isConflict(error) || attempt >= 20) throw error;
        txRetries++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)));
      }
    }
  });
  rawTx.retries = txRetries;
  const floorBalance = (await getUser(floorUser.id))!.balanceMicros;
  const floorExact = floorBalance === total * 10_000 + total * 1_001_000;

  // The API: one user, every call on it.
  const user = await makeUser('user');
  const id = String(user.id);
  // DynamoDB requests of one call of each, alone (on a user of their own, so the hot user's figures stay exact).
  const probe = String((await makeUser('user')).id);
  const updateTrips = await perCall(20, () => invoke(balanceUpdate, { u: ADMIN.username, user_id: probe, balance: '0.01' }, ADMIN.secret));
  const paymentTrips = await perCall(20, (i) =>
    invoke(paymentCreate, { u: ADMIN.username, user_id: probe, p_currency: 'USD', amount: '1.001', transaction: `probe-${tag}-${i}` }, ADMIN.secret));
  const updates = await load(total, concurrency, async () => {
    const answer = await invoke(balanceUpdate, { u: ADMIN.username, user_id: id, balance: '0.01' }, ADMIN.secret);
    return failureOf(answer.body, '<status>User balance updated</status>');
  });
  const afterUpdates = (await getUser(user.id))!.balanceMicros;
  const updatesExpected = (total - updates.failures.length) * 10_000;
  const payments = await load(total, concurrency, async (i) => {
    const answer = await invoke(
      paymentCreate,
      { u: ADMIN.username, user_id: id, p_currency: 'USD', amount: '1.001', transaction: `bench-${tag}-${i}` },
      ADMIN.secret,
    );
    return failureOf(answer.body, '<status>ok</status>');
  });
  const finalBalance = (await getUser(user.id))!.balanceMicros;
  const paymentsExpected = updatesExpected + (total - payments.failures.length) * 1_001_000;
  const records = await listPayments({ userId: user.id }, '0000', '9999');
  const distinctRecords = new Set(records.map((p) => p.id)).size;

  const money = (micros: number) => (micros / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  say(`## Money under concurrency: ${int(total)} calls on one user, ${concurrency} in flight`);
  say();
  say(
    `user_balance_update (balance +0.01 each) and then payment_create (USD 1.001 each, a distinct transaction id each; ` +
      `API_Allow_payments_ower_API=1) called in-process by the admin, ${concurrency} at a time, all on the same user. ` +
      `Floors at the same concurrency on another user item: raw UpdateItem ADD, and raw TransactWrite of an ADD plus a new ` +
      `item (a payment's write), retried on transaction conflicts. Latency = per call under that load. Ratio = floor rate / method rate.`,
  );
  say();
  say('| path | calls/s | p50 ms | p99 ms | failures | ratio to floor | check |');
  say('|---|---|---|---|---|---|---|');
  say(`| raw UpdateItem ADD (floor) | ${int(rawUpdate.perSecond)} | ${ms(rawUpdate.latency.p50)} | ${ms(rawUpdate.latency.p99)} | ${rawUpdate.failures.length} | 1.00 | |`);
  say(
    `| raw TransactWrite ADD + Put (floor) | ${int(rawTx.perSecond)} | ${ms(rawTx.latency.p50)} | ${ms(rawTx.latency.p99)} | ${rawTx.failures.length} | ` +
      `${ratio(rawUpdate.perSecond, rawTx.perSecond)} to UpdateItem | conflicts retried: ${rawTx.retries}; floor balance exact ${check(floorExact)} |`,
  );
  say(
    `| user_balance_update | ${int(updates.perSecond)} | ${ms(updates.latency.p50)} | ${ms(updates.latency.p99)} | ${updates.failures.length} | ` +
      `${ratio(rawUpdate.perSecond, updates.perSecond)} | balance ${money(afterUpdates)} = expected ${money(updatesExpected)} ${check(afterUpdates === updatesExpected)} |`,
  );
  say(
    `| payment_create | ${int(payments.perSecond)} | ${ms(payments.latency.p50)} | ${ms(payments.latency.p99)} | ${payments.failures.length} | ` +
      `${ratio(rawTx.perSecond, payments.perSecond)} (to TransactWrite) | balance ${money(finalBalance)} = expected ${money(paymentsExpected)} ${check(finalBalance === paymentsExpected)}; ` +
      `${int(records.length)} payment records, ${int(distinctRecords)} distinct ${check(records.length === total - payments.failures.length && distinctRecords === records.length)} |`,
  );
  say();
  const failed = [...updates.failures, ...payments.failures];
  if (failed.length > 0) {
    const kinds = new Map<string, number>();
    for (const text of failed) kinds.set(text, (kinds.get(text) ?? 0) + 1);
    say(`Failures: ${[...kinds].map(([text, n]) => `${n} × \`${text.replace(/\s+/g, ' ').slice(0, 120)}\``).join('; ')}.`);
    say();
  }
  say(`DynamoDB requests per call (average of 20 sequential calls on another user, no concurrency): user_balance_update ${tripsText(updateTrips)}; payment_create ${tripsText(paymentTrips)}.`);
  say();
}
