/**
 * calling_cards_create: a range of card numbers becomes cards in parallel transactions.
 *
 * Every card is written together with its number and PIN markers (condition: marker absent), so
 * numbers and PINs stay unique system-wide even under concurrent batches, and retrying the same
 * request creates nothing twice: numbers that exist already (in any group) are skipped and counted.
 */
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { MorError } from '../pipeline/errors.js';
import { addToPinCount, cardItem, cardKeys, pinCount, pinSpace, randomDigits, type Card, type CardGroup } from './cards.js';
import { isConditionalCancel } from './users.js';

/** Cards per transaction: three items each (card, number marker, PIN marker), within the 100-item limit. */
const CARDS_PER_TRANSACTION = 33;
const PARALLEL_TRANSACTIONS = 16;
const PARALLEL_READS = 8;
/** The largest range one request may create: 10,000 cards took ~20 s against DynamoDB Local (docs/performance.md), API Gateway stops at 29 s. */
export const MAX_CARDS_PER_REQUEST = 10_000;

export interface CardBatch {
  group: CardGroup;
  from: string;
  till: string;
  batchNumber: string;
  minBalanceMicros: number;
  language: string;
  distributorId: number;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Which of the marker keys exist already (BatchGet, 100 keys per call). */
async function existingMarkers(markers: { PK: string; SK: string }[]): Promise<Set<string>> {
  const found = new Set<string>();
  await inParallel(chunks(markers, 100), PARALLEL_READS, async (batch) => {
    let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string }> | undefined = {
      [TABLE_NAME]: { Keys: batch, ProjectionExpression: 'PK' },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[TABLE_NAME] ?? []) found.add(String(item.PK));
      request = result.UnprocessedKeys as typeof request;
    }
  });
  return found;
}

/** `count` PINs of `length` digits, unique among themselves and absent from the table (at the time of reading). */
async function freshPins(count: number, length: number): Promise<string[]> {
  const pins = new Set<string>();
  while (pins.size < count) {
    const candidates = new Set<string>();
    while (candidates.size < count - pins.size) {
      const pin = randomDigits(length);
      if (!pins.has(pin)) candidates.add(pin);
    }
    const taken = await existingMarkers([...candidates].map((pin) => cardKeys.pinMarker(pin)));
    for (const pin of candidates) if (!taken.has(cardKeys.pinMarker(pin).PK)) pins.add(pin);
  }
  return [...pins];
}

const cardWrites = (card: Card) => [
  { Put: { TableName: TABLE_NAME, Item: cardItem(card), ConditionExpression: 'attribute_not_exists(PK)' } },
  { Put: { TableName: TABLE_NAME, Item: { ...cardKeys.numberMarker(card.number), cardId: card.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
  { Put: { TableName: TABLE_NAME, Item: { ...cardKeys.pinMarker(card.pin), cardId: card.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
];

const isTransactionConflict = (error: unknown) =>
  (error as { name?: string }).name === 'TransactionConflictException' ||
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

/** A transaction, retried with jittered backoff while it conflicts with concurrent ones. */
export async function sendWithRetry(items: object[], attempts = 6): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items as never }));
      return;
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= attempts - 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * One card on its own, after its chunk hit a taken number or PIN: a taken number skips the card,
 * a taken PIN draws another. Returns whether the card was created.
 */
async function writeSingleCard(card: Card, pinLength: number): Promise<boolean> {
  for (;;) {
    try {
      await sendWithRetry(cardWrites(card));
      return true;
    } catch (error) {
      if (isConditionalCancel(error, 1)) return false;
      if (!isConditionalCancel(error, 2)) throw error;
      card.pin = (await freshPins(1, pinLength))[0]!;
    }
  }
}

/** Creates the batch; answers how many cards were created out of how many numbers were asked for. */
export async function createCardBatch(batch: CardBatch): Promise<{ created: number; total: number }> {
  const { group } = batch;
  const first = BigInt(batch.from);
  const total = Number(BigInt(batch.till) - first + 1n);
  const available = pinSpace(group.pinLength) - (await pinCount(group.pinLength));
  if (available < total) throw new MorError('PIN is too short for this interval');
  if (total > MAX_CARDS_PER_REQUEST) throw new MorError(`Too many cards in one request (max ${MAX_CARDS_PER_REQUEST})`);

  const numbers = Array.from({ length: total }, (_, i) => (first + BigInt(i)).toString().padStart(batch.from.length, '0'));
  const taken = await existingMarkers(numbers.map((n) => cardKeys.numberMarker(n)));
  const wanted = numbers.filter((n) => !taken.has(cardKeys.numberMarker(n).PK));
  if (wanted.length === 0) return { created: 0, total };

  const lastId = await nextId('card', wanted.length);
  const pins = await freshPins(wanted.length, group.pinLength);
  const createdAt = new Date().toISOString();
  const cards: Card[] = wanted.map((number, i) => ({
    id: lastId - wanted.length + 1 + i,
    groupId: group.id,
    ownerId: group.ownerId,
    number,
    pin: pins[i]!,
    name: '',
    batchNumber: batch.batchNumber,
    callerid: '',
    balanceMicros: group.priceMicros,
    minBalanceMicros: batch.minBalanceMicros,
    language: batch.language,
    distributorId: batch.distributorId,
    sold: 0,
    createdAt,
  }));

  let created = 0;
  await inParallel(chunks(cards, CARDS_PER_TRANSACTION), PARALLEL_TRANSACTIONS, async (chunk) => {
    try {
      await sendWithRetry(chunk.flatMap(cardWrites));
      created += chunk.length;
    } catch (error) {
      if (!isConditionalCancel(error)) throw error;
      // A concurrent request took a number or a PIN of this chunk: settle its cards one by one.
      for (const card of chunk) if (await writeSingleCard(card, group.pinLength)) created++;
    }
  });
  await addToPinCount(group.pinLength, created);
  return { created, total };
}
