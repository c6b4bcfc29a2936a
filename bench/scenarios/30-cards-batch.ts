/**
 * calling_cards_create of one range of BENCH_CARDS (default 10,000) cards in one request: wall time
 * against API Gateway's 29 s integration timeout, and against raw writes of the same items (card +
 * number marker + PIN marker per card) as BatchWrite and as TransactWrite of 99 items.
 *
 * Knobs: BENCH_CARDS (10000), BENCH_CARDS_TX_FLOOR (1: also the raw TransactWrite floor; 0 skips it).
 */
import { randomInt } from 'node:crypto';
import { handler as callingCardsCreate } from '../../functions/cards/calling_cards_create.js';
import { cardItem, cardKeys, countCards, type Card } from '../../lib/domain/cards.js';
import { callHandler, errorOf } from '../../test/support/api.js';
import { ADMIN } from '../../test/support/world.js';
import { ADMIN_CALLER, createGroup } from '../../test/integration/cards/helpers.js';
import { check, countRoundTrips, envNumber, int, pool, ratio, rawBatchWrite, rawTransactWrite, secs, timed, tripsText } from '../lib/support.js';

const API_GATEWAY_TIMEOUT_MS = 29_000;

export async function run({ say }: { say: (line?: string) => void }) {
  const count = Math.max(1, Math.min(100_000, envNumber('BENCH_CARDS', 10_000)));
  const txFloor = envNumber('BENCH_CARDS_TX_FLOOR', 1) === 1;
  // Group: MOR's defaults (10-digit numbers, 6-digit PINs).
  const groupId = await createGroup(ADMIN_CALLER, { number_length: '10', pin_length: '6' });
  const base = 1_000_000_000 + randomInt(0, 8_000_000_000 - 2 * count);
  const numberAt = (i: number) => String(base + i).padStart(10, '0');

  const params = { u: ADMIN.username, card_group_id: String(groupId), cards_from: numberAt(0), cards_till: numberAt(count - 1), batch_number: 'bench' };
  const { result: timedCall, trips } = await countRoundTrips(() => timed(() => callHandler(callingCardsCreate, params, { secret: ADMIN.secret })));
  const answer = timedCall.result;
  const success = answer.xml.page?.status?.success as string | undefined;
  if (!success) throw new Error(`calling_cards_create: ${errorOf(answer.xml) ?? answer.body.slice(0, 300)}`);
  const stored = await countCards(groupId);
  const wall = timedCall.millis;

  // Floors: the same items for the next `count` numbers (fresh keys, same shape).
  const createdAt = new Date().toISOString();
  const itemsFor = (offset: number, firstId: number) =>
    Array.from({ length: count }, (_, i) => {
      const card: Card = {
        id: firstId + i, groupId, ownerId: 0, number: numberAt(offset + i), pin: String(10_000_000 + ((offset + i) * 7_919) % 89_999_999),
        name: '', batchNumber: 'bench', callerid: '', balanceMicros: 5_000_000, minBalanceMicros: 0, language: 'en', distributorId: -1, sold: 0, createdAt,
      };
      return [cardItem(card), { ...cardKeys.numberMarker(card.number), cardId: card.id }, { ...cardKeys.pinMarker(`B${card.pin}`), cardId: card.id }];
    }).flat();
  const batchItems = itemsFor(count, 900_000_000);
  const batchMillis = await rawBatchWrite(batchItems, 16);
  let txMillis: number | undefined;
  if (txFloor) {
    txMillis = await rawTransactWrite(itemsFor(2 * count, 950_000_000), 16);
  }

  const items = batchItems.length;
  const tx = (millis: number) => (txMillis === undefined ? 'n/a' : ratio(millis, txMillis));
  say(`## Calling cards: calling_cards_create of ${int(count)} cards in one request`);
  say();
  say(
    `One request (admin, signed, in-process) creating cards ${numberAt(0)}–${numberAt(count - 1)} in a new group (10-digit numbers, 6-digit PINs). ` +
      `The method checks the number markers (BatchGet), allocates ids, draws PINs and checks their markers, then writes each ` +
      `card with its number and PIN markers (${int(items)} items) in transactions of 99 items, 16 in flight. Floors, measured ` +
      `right after: raw BatchWrite (25 a request, 16 in flight) and${txFloor ? '' : ' (skipped)'} raw TransactWrite (99 items, 16 in flight) of ${int(items)} items of the same shape. ` +
      `API Gateway ends an integration after 29 s.`,
  );
  say();
  say('| write | wall s | cards/s | items/s | ratio to raw BatchWrite | ratio to raw TransactWrite | within 29 s |');
  say('|---|---|---|---|---|---|---|');
  say(
    `| calling_cards_create (${success}; ${int(stored)} cards in the group ${check(stored === count)}) | ${secs(wall)} | ${int(count / (wall / 1000))} | ` +
      `${int(items / (wall / 1000))} | ${ratio(wall, batchMillis)} | ${tx(wall)} | ${check(wall < API_GATEWAY_TIMEOUT_MS)} |`,
  );
  say(`| raw BatchWrite (floor) | ${secs(batchMillis)} | ${int(count / (batchMillis / 1000))} | ${int(items / (batchMillis / 1000))} | 1.00 | ${tx(batchMillis)} | |`);
  if (txMillis !== undefined) {
    say(`| raw TransactWrite, 99 items (floor) | ${secs(txMillis)} | ${int(count / (txMillis / 1000))} | ${int(items / (txMillis / 1000))} | ${ratio(txMillis, batchMillis)} | 1.00 | |`);
  }
  say();
  say(`DynamoDB requests of the method call: ${tripsText(trips)}.`);
  say();
}
