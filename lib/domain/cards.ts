/**
 * Calling cards: card groups and their cards (MOR's `cardgroups` and `cards`).
 *
 * Items (all keys start with a CARD prefix, see docs/access/cards.md):
 * - group    `CARDGROUP#<id>` / `CARDGROUP`; GSI1 `CARDGROUP_OWNER#<owner>` / id (a tenant's groups),
 *            GSI2 `CARDGROUPS` / id (every group, for the admin).
 * - card     `CARD#<id>` / `CARD`; GSI1 `CARD_GROUP#<group>` / number (the group partition),
 *            GSI2 `CARD_FREE#<group>` / id (sparse: only unsold cards), GSI3 `CARD_BATCH#<group>#<batch>` / number,
 *            GSI4 `CARD_DISTRIBUTOR#<user>` / number (only cards with a distributor).
 * - markers  `UNIQUE#CARD_NUMBER#n`, `UNIQUE#CARD_PIN#p`, `UNIQUE#CARD_CLI#c`, `UNIQUE#CARDGROUP_NAME#name`,
 *            each holding the card (or group) id, written in the same transaction as the card.
 * - counter  `CARD_PIN_COUNT#<length>` / `COUNT`: how many cards hold a PIN of that length (MOR's PIN space check).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { batchGetItems } from '../db/items.js';
import { countPartition, queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { formatMicros, formatMicrosShort } from '../money.js';
import { setting, type Settings } from './settings.js';
import type { UserRecord } from './users.js';

export const CARD_RIGHT = 'Callingcard_manage';

export interface CardGroup {
  id: number;
  ownerId: number;
  name: string;
  description: string;
  image: string;
  /** Card price without tax (MOR `price`); new cards start with this balance. */
  priceMicros: number;
  setupFeeMicros: number;
  dailyChargeMicros: number;
  ghostMinPerc: string;
  ghostBalancePerc: string;
  tariffId: number;
  lcrId: number;
  locationId: number;
  taxId: number;
  dialplanId: number;
  /** Unix seconds. */
  validFrom: number;
  validTill: number;
  validAfterFirstUse: number;
  numberLength: number;
  pinLength: number;
  currency: string;
  useExternalFunction: number;
  allowLossCalls: number;
  tellCents: number;
  soloPinless: number;
  disableVoucher: number;
  calleridLeave: number;
  hidden: number;
}

export interface Card {
  id: number;
  groupId: number;
  ownerId: number;
  number: string;
  pin: string;
  name: string;
  batchNumber: string;
  callerid: string;
  balanceMicros: number;
  minBalanceMicros: number;
  language: string;
  /** User id of the distributor, -1 = none. */
  distributorId: number;
  sold: number;
  firstUse?: string;
  dailyChargePaidTill?: string;
  createdAt: string;
}

export const cardKeys = {
  group: (id: number) => ({ PK: `CARDGROUP#${id}`, SK: 'CARDGROUP' }),
  groupByOwner: (ownerId: number, id: number) => ({ GSI1PK: `CARDGROUP_OWNER#${ownerId}`, GSI1SK: pad(id) }),
  groupInAll: (id: number) => ({ GSI2PK: 'CARDGROUPS', GSI2SK: pad(id) }),
  card: (id: number) => ({ PK: `CARD#${id}`, SK: 'CARD' }),
  cardInGroup: (groupId: number, number: string) => ({ GSI1PK: `CARD_GROUP#${groupId}`, GSI1SK: number }),
  freeCard: (groupId: number, id: number) => ({ GSI2PK: `CARD_FREE#${groupId}`, GSI2SK: pad(id) }),
  cardInBatch: (groupId: number, batch: string, number: string) => ({ GSI3PK: `CARD_BATCH#${groupId}#${batch}`, GSI3SK: number }),
  cardOfDistributor: (userId: number, number: string) => ({ GSI4PK: `CARD_DISTRIBUTOR#${userId}`, GSI4SK: number }),
  payment: (cardId: number, at: string, id: string) => ({ PK: `CARD#${cardId}`, SK: `PAYMENT#${at}#${id}` }),
  pinCount: (length: number) => ({ PK: `CARD_PIN_COUNT#${length}`, SK: 'COUNT' }),
  numberMarker: (number: string) => keys.unique('CARD_NUMBER', number),
  pinMarker: (pin: string) => keys.unique('CARD_PIN', pin),
  cliMarker: (cli: string) => keys.unique('CARD_CLI', cli),
  groupNameMarker: (name: string) => keys.unique('CARDGROUP_NAME', name),
};

export const INDEX = { primary: 'GSI1', secondary: 'GSI2', batch: 'GSI3', distributor: 'GSI4' } as const;

const strip = <T>(item: StoredItem | undefined) => item && withoutKeys<T>(item);

/** The owner whose groups a caller works with: the admin tree (0) for admin/accountant, else the caller itself. */
export const groupOwnerOf = (caller: UserRecord): number =>
  caller.usertype === 'admin' || caller.usertype === 'accountant' ? 0 : caller.usertype === 'user' ? caller.ownerId : caller.id;

/** Whether a caller may see and change a group (admin: every group, including resellers'). */
export const ownsGroup = (caller: UserRecord, group: Pick<CardGroup, 'ownerId'>): boolean =>
  caller.usertype === 'admin' || group.ownerId === groupOwnerOf(caller);

export { systemCurrency } from './balance.js';

// ---------------------------------------------------------------------------------------------
// Groups

export function groupItem(group: CardGroup) {
  return {
    ...cardKeys.group(group.id),
    ...cardKeys.groupByOwner(group.ownerId, group.id),
    ...cardKeys.groupInAll(group.id),
    type: 'cardgroup',
    ...group,
  };
}

export async function getGroup(id: number): Promise<CardGroup | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: cardKeys.group(id) }));
  return strip<CardGroup>(result.Item);
}

/** A group the caller owns, or undefined (missing and foreign groups look alike). */
export async function getOwnedGroup(caller: UserRecord, id: string | number | undefined): Promise<CardGroup | undefined> {
  if (id === undefined || !/^\d+$/.test(String(id))) return undefined;
  const group = await getGroup(Number(id));
  return group && ownsGroup(caller, group) ? group : undefined;
}

/** The groups a caller sees, in id order: admin every group, others their tenant's. */
export function listGroups(caller: UserRecord): Promise<CardGroup[]> {
  return caller.usertype === 'admin'
    ? queryPartition<CardGroup>({ index: INDEX.secondary, partitionKey: ['GSI2PK', 'CARDGROUPS'] })
    : queryPartition<CardGroup>({ index: INDEX.primary, partitionKey: ['GSI1PK', cardKeys.groupByOwner(groupOwnerOf(caller), 0).GSI1PK] });
}

export const countCards = (groupId: number) =>
  countPartition({ index: INDEX.primary, partitionKey: ['GSI1PK', cardKeys.cardInGroup(groupId, '').GSI1PK] });
export const countFreeCards = (groupId: number) =>
  countPartition({ index: INDEX.secondary, partitionKey: ['GSI2PK', cardKeys.freeCard(groupId, 0).GSI2PK] });

/** An item of another domain referenced by id (`TARIFF#<id>` / `TARIFF`); id 0 or empty means none. */
export async function getReference(entity: 'TARIFF' | 'LCR' | 'LOCATION' | 'TAX' | 'DIALPLAN', id: number) {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `${entity}#${id}`, SK: entity } }));
  return result.Item as (Record<string, unknown> & { name?: string; ownerId?: number; userId?: number }) | undefined;
}

// ---------------------------------------------------------------------------------------------
// Cards

export function cardItem(card: Card) {
  return {
    ...cardKeys.card(card.id),
    ...cardKeys.cardInGroup(card.groupId, card.number),
    ...(card.sold ? {} : cardKeys.freeCard(card.groupId, card.id)),
    ...(card.batchNumber ? cardKeys.cardInBatch(card.groupId, card.batchNumber, card.number) : {}),
    ...(card.distributorId > 0 ? cardKeys.cardOfDistributor(card.distributorId, card.number) : {}),
    type: 'card',
    ...card,
  };
}

export async function getCard(id: number): Promise<Card | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: cardKeys.card(id), ConsistentRead: true }));
  return strip<Card>(result.Item);
}

export async function getCards(ids: number[]): Promise<Card[]> {
  return (await batchGetItems(ids.map((id) => cardKeys.card(id)))).map((item) => withoutKeys<Card>(item));
}

/** The card a marker (number, PIN or CLI) points to. */
export async function cardByMarker(marker: { PK: string; SK: string }): Promise<Card | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: marker, ConsistentRead: true }));
  const cardId = result.Item?.cardId;
  return typeof cardId === 'number' ? getCard(cardId) : undefined;
}

export const cardByNumber = (number: string) => (number ? cardByMarker(cardKeys.numberMarker(number)) : Promise.resolve(undefined));
export const cardByPin = (pin: string) => (pin ? cardByMarker(cardKeys.pinMarker(pin)) : Promise.resolve(undefined));
export const cardByCli = (cli: string) => (cli ? cardByMarker(cardKeys.cliMarker(cli)) : Promise.resolve(undefined));

/** Whether the caller's tenancy holds the card (admin: every card). */
export const ownsCard = (caller: UserRecord, card: Pick<Card, 'ownerId'>) =>
  caller.usertype === 'admin' || card.ownerId === groupOwnerOf(caller);

export async function addToPinCount(length: number, delta: number): Promise<void> {
  if (delta === 0) return;
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME,
    Key: cardKeys.pinCount(length),
    UpdateExpression: 'ADD #n :d',
    ExpressionAttributeNames: { '#n': 'count' },
    ExpressionAttributeValues: { ':d': delta },
  }));
}

export async function pinCount(length: number): Promise<number> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: cardKeys.pinCount(length) }));
  return Number(result.Item?.count ?? 0);
}

/** MOR offers 20 % of a PIN length's number space (the rest keeps PINs hard to guess). */
export const pinSpace = (length: number) => Math.floor(10 ** length * 0.2);

/** A random PIN of `length` digits (leading zeros kept). */
export function randomDigits(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 1e9).toString().padStart(9, '0');
  return out.slice(0, length);
}

/** Unix seconds as MOR prints a time (`2015-11-05 02:00:00`), UTC. */
export const formatTime = (iso: string | undefined) => (iso ? iso.slice(0, 19).replace('T', ' ') : '');

/** MOR's `nice_number` (two decimals). */
export const niceNumber = (micros: number | bigint) => formatMicros(micros, 2);

export const rawBalance = (micros: number | bigint) => formatMicrosShort(micros);

/** Who may manage calling cards (MOR: admin; accountant with "Callingcard_manage"; resellers their own). */
export const cardAccess = (level: 1 | 2) => ({
  admin: true as const,
  accountant: { permission: CARD_RIGHT, level },
  reseller: true as const,
});
