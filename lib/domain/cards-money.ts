/**
 * Money on cards: selling (no card sold twice: a conditional update on `sold`), top-ups (atomic
 * ADD on the balance with the payment record in one transaction) and pinless CallerID cards.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { queryPartition, withoutKeys } from '../db/query.js';
import { storeMicros } from '../money.js';
import { MorError } from '../pipeline/errors.js';
import { sendWithRetry } from './cards-batch.js';
import { addToPinCount, cardItem, cardKeys, INDEX, randomDigits, type Card, type CardGroup } from './cards.js';
import { cardChangeItems, type CardChanges } from './cards-update.js';
import { isConditionalCancel } from './users.js';

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Marks one unsold card of the group as sold; undefined when another request sold it first. */
async function claimCard(cardId: number, groupId: number): Promise<Card | undefined> {
  try {
    const result = await db.send(new UpdateCommand({
      TableName: TABLE_NAME,
      Key: cardKeys.card(cardId),
      UpdateExpression: 'SET sold = :one, soldAt = :now REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'sold = :zero AND groupId = :group',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':group': groupId, ':now': new Date().toISOString() },
      ReturnValues: 'ALL_NEW',
    }));
    return withoutKeys<Card>(result.Attributes!); // the card as written, no second read
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

const freeCardIds = (groupId: number, limit: number) =>
  queryPartition({
    index: INDEX.secondary,
    partitionKey: ['GSI2PK', cardKeys.freeCard(groupId, 0).GSI2PK],
    projection: ['id'],
    limit,
    map: (item) => Number(item.id),
  });

const shuffle = <T>(items: T[]) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
};

/**
 * Sells up to `quantity` unsold cards of a group, lowest ids first. Concurrent sellers race on the
 * same candidates; a lost race just moves on (shuffled, to spread the contention), so each card is
 * sold once and a request gets fewer cards only when the group runs out.
 */
export async function sellFreeCards(group: CardGroup, quantity: number): Promise<Card[]> {
  const sold: Card[] = [];
  for (let round = 0; round < 50 && sold.length < quantity; round++) {
    // Lowest ids first; once a race is lost, a wide window of free cards is shuffled so that many
    // concurrent sellers spread over different cards instead of colliding on the same few. A few
    // misses in a row mean the window is stale: read it again (an empty one means sold out).
    const candidates = await freeCardIds(group.id, round === 0 ? Math.max(quantity * 2, 25) : Math.max(quantity * 2, 500));
    if (candidates.length === 0) break;
    let misses = 0;
    for (const id of round === 0 ? candidates : shuffle(candidates)) {
      if (sold.length >= quantity || misses >= 3) break;
      const card = await claimCard(id, group.id);
      if (card) sold.push(card);
      misses = card ? 0 : misses + 1;
    }
  }
  return sold;
}

/** Sells one given card (`number`): MOR's `Card is already sold` when it is. */
export async function sellCard(card: Card): Promise<Card> {
  const claimed = await claimCard(card.id, card.groupId);
  if (!claimed) throw new MorError('Card is already sold');
  return claimed;
}

export interface TopUp {
  previousMicros: bigint;
  newMicros: bigint;
}

/**
 * Adds to a sold card's balance (an atomic ADD, conditioned on the card being sold) and writes its
 * payment record in the same transaction; a transaction conflict with a concurrent top-up is retried.
 * The reported balances are the card's as read before plus the amount (exact unless top-ups race).
 */
export async function addCardPayment(card: Card, amountMicros: bigint, payment: Record<string, unknown>): Promise<TopUp> {
  const at = new Date().toISOString();
  try {
    await sendWithRetry([
      {
        Update: {
          TableName: TABLE_NAME,
          Key: cardKeys.card(card.id),
          UpdateExpression: 'ADD balanceMicros :delta',
          ConditionExpression: 'sold = :one',
          ExpressionAttributeValues: { ':delta': storeMicros(amountMicros), ':one': 1 },
        },
      },
      {
        Put: {
          TableName: TABLE_NAME,
          Item: { ...cardKeys.payment(card.id, at, randomUUID()), type: 'card_payment', cardId: card.id, at, amountMicros: storeMicros(amountMicros), ...payment },
        },
      },
    ], 12);
  } catch (error) {
    if (isConditionalCancel(error, 0)) throw new MorError('Calling Card was not found');
    throw error;
  }
  const previous = BigInt(card.balanceMicros);
  return { previousMicros: previous, newMicros: previous + amountMicros };
}

// ---------------------------------------------------------------------------------------------
// Pinless (CallerID) cards: card_by_cli_update

export interface CardMoneyChange {
  card: Card;
  set: CardChanges;
  addMicros?: bigint;
  zeroBalance?: boolean;
}

/**
 * The transaction items of card changes that also move money. Each is conditioned on the card's
 * balance as read, so a concurrent top-up makes the whole change fail rather than lose money.
 * `movesCli`: the caller points the CallerID marker itself (it moves between cards).
 */
export function moneyChangeItems(changes: CardMoneyChange[], movesCli = false): object[] {
  return changes.flatMap(({ card, set, addMicros, zeroBalance }) => {
    const { items } = cardChangeItems(
      card,
      set,
      { expression: 'balanceMicros = :balanceNow', values: { ':balanceNow': card.balanceMicros } },
      movesCli ? ['callerid'] : [],
    );
    const update = (items[0] as { Update: { UpdateExpression: string; ExpressionAttributeValues?: Record<string, unknown> } }).Update;
    const balance = zeroBalance ? 0 : addMicros !== undefined ? storeMicros(BigInt(card.balanceMicros) + addMicros) : undefined;
    if (balance !== undefined) {
      update.UpdateExpression = update.UpdateExpression.startsWith('SET ')
        ? update.UpdateExpression.replace('SET ', 'SET balanceMicros = :newBalance, ')
        : `SET balanceMicros = :newBalance ${update.UpdateExpression}`;
      update.ExpressionAttributeValues = { ...update.ExpressionAttributeValues, ':newBalance': balance };
    }
    return items;
  });
}

const cliMarkerPut = (cli: string, cardId: number) => ({ Put: { TableName: TABLE_NAME, Item: { ...cardKeys.cliMarker(cli), cardId } } });

/** Runs card changes atomically; `cliOwner` points the CallerID marker at the card that now holds it. */
export async function changeCards(changes: CardMoneyChange[], cliOwner?: { cli: string; cardId: number }): Promise<void> {
  const items = [...moneyChangeItems(changes, cliOwner !== undefined), ...(cliOwner ? [cliMarkerPut(cliOwner.cli, cliOwner.cardId)] : [])];
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException') throw new MorError('Failed to make transaction');
    throw error;
  }
}

/** A new sold card in `group` bound to `cli`, with a fresh number and PIN (retried on a taken one). */
export async function createCliCard(group: CardGroup, cli: string, balanceMicros: bigint, before: object[] = []): Promise<Card> {
  const id = await nextId('card');
  for (let attempt = 0; attempt < 20; attempt++) {
    const card: Card = {
      id,
      groupId: group.id,
      ownerId: group.ownerId,
      number: randomDigits(group.numberLength),
      pin: randomDigits(group.pinLength),
      name: '',
      batchNumber: '',
      callerid: cli,
      balanceMicros: storeMicros(balanceMicros),
      minBalanceMicros: 0,
      language: 'en',
      distributorId: -1,
      sold: 1,
      createdAt: new Date().toISOString(),
    };
    try {
      await db.send(new TransactWriteCommand({
        TransactItems: [
          ...before,
          { Put: { TableName: TABLE_NAME, Item: cardItem(card), ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: TABLE_NAME, Item: { ...cardKeys.numberMarker(card.number), cardId: id }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: TABLE_NAME, Item: { ...cardKeys.pinMarker(card.pin), cardId: id }, ConditionExpression: 'attribute_not_exists(PK)' } },
          // The CallerID marker moves to the new card (an older card's marker is overwritten on purpose).
          cliMarkerPut(cli, id),
        ] as never,
      }));
      await addToPinCount(group.pinLength, 1);
      return card;
    } catch (error) {
      const offset = before.length;
      if (isConditionalCancel(error, offset + 1) || isConditionalCancel(error, offset + 2)) continue;
      if (isConditionalCancel(error) || (error as { name?: string }).name === 'TransactionCanceledException') {
        throw new MorError('Failed to make transaction');
      }
      throw error;
    }
  }
  throw new MorError('Failed to make transaction');
}
