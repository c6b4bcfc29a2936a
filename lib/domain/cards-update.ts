/**
 * Changing a card's fields without touching its balance (which payments change concurrently with
 * atomic ADDs): one UpdateItem SET of the changed attributes and their index keys, in one
 * transaction with the marker moves for a new number, PIN or CallerID.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { MorError } from '../pipeline/errors.js';
import { cardKeys, type Card } from './cards.js';
import { isConditionalCancel } from './users.js';

export type CardChanges = Partial<Pick<Card, 'number' | 'pin' | 'name' | 'batchNumber' | 'callerid' | 'minBalanceMicros' | 'dailyChargePaidTill' | 'language' | 'distributorId' | 'sold'>>;

/** Errors for a marker that another card holds already. */
export interface MarkerErrors {
  number?: string;
  pin?: string;
  callerid?: string;
}

const MARKERS = { number: cardKeys.numberMarker, pin: cardKeys.pinMarker, callerid: cardKeys.cliMarker } as const;

/** The attributes a change sets (index keys included) and the ones it removes. */
function attributesOf(card: Card, changes: CardChanges) {
  const next = { ...card, ...changes };
  const set: Record<string, unknown> = { ...changes };
  const remove: string[] = [];
  if (changes.number !== undefined) Object.assign(set, cardKeys.cardInGroup(next.groupId, next.number));
  if (changes.number !== undefined || changes.batchNumber !== undefined) {
    if (next.batchNumber) Object.assign(set, cardKeys.cardInBatch(next.groupId, next.batchNumber, next.number));
    else remove.push('GSI3PK', 'GSI3SK');
  }
  if (changes.number !== undefined || changes.distributorId !== undefined) {
    if (next.distributorId > 0) Object.assign(set, cardKeys.cardOfDistributor(next.distributorId, next.number));
    else remove.push('GSI4PK', 'GSI4SK');
  }
  if (changes.sold !== undefined) {
    if (next.sold) remove.push('GSI2PK', 'GSI2SK');
    else Object.assign(set, cardKeys.freeCard(next.groupId, next.id));
  }
  for (const [name, value] of Object.entries(set)) if (value === undefined) delete set[name];
  return { set, remove };
}

/** The transaction items of a card change (card update first, then marker moves). */
export function cardChangeItems(
  card: Card,
  changes: CardChanges,
  condition?: { expression: string; values: Record<string, unknown> },
  /** Markers the caller moves itself (e.g. a CallerID handed from one card to another). */
  skipMarkers: readonly (keyof typeof MARKERS)[] = [],
) {
  const { set, remove } = attributesOf(card, changes);
  const names = Object.keys(set);
  const update = {
    Update: {
      TableName: TABLE_NAME,
      Key: cardKeys.card(card.id),
      UpdateExpression:
        (names.length ? 'SET ' + names.map((_, i) => `#s${i} = :s${i}`).join(', ') : '') +
        (remove.length ? ' REMOVE ' + remove.map((_, i) => `#r${i}`).join(', ') : ''),
      ConditionExpression: ['attribute_exists(PK)', condition?.expression].filter(Boolean).join(' AND '),
      ExpressionAttributeNames: {
        ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
        ...Object.fromEntries(remove.map((n, i) => [`#r${i}`, n])),
      },
      ...(names.length || condition ? {
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:s${i}`, set[n]])), ...condition?.values },
      } : {}),
    },
  };
  const markerItems: object[] = [];
  const movedMarkers: (keyof typeof MARKERS)[] = [];
  for (const field of Object.keys(MARKERS) as (keyof typeof MARKERS)[]) {
    const value = changes[field];
    if (value === undefined || value === card[field] || skipMarkers.includes(field)) continue;
    if (value) {
      movedMarkers.push(field);
      markerItems.push({
        Put: { TableName: TABLE_NAME, Item: { ...MARKERS[field](value), cardId: card.id }, ConditionExpression: 'attribute_not_exists(PK)' },
      });
    }
    if (card[field]) markerItems.push({ Delete: { TableName: TABLE_NAME, Key: MARKERS[field](card[field]) } });
  }
  return { items: [update, ...markerItems], movedMarkers };
}

/** Applies a card change; a marker held by another card throws that field's MOR error. */
export async function updateCard(card: Card, changes: CardChanges, errors: MarkerErrors = {}): Promise<Card> {
  const { items, movedMarkers } = cardChangeItems(card, changes);
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    // Marker Puts come in field order right after the card update, each possibly followed by a Delete.
    let index = 1;
    for (const field of movedMarkers) {
      while (!('Put' in (items[index] as object))) index++;
      if (isConditionalCancel(error, index) && errors[field]) throw new MorError(errors[field]!);
      index++;
    }
    throw error;
  }
  return { ...card, ...changes };
}
