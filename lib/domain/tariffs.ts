/**
 * Tariffs, their rates, and the destinations rates are found by.
 *
 * Keys:
 *  - tariff: PK `TARIFF#<id>` / SK `TARIFF` (other domains check a tariff's existence with this key);
 *    its name is unique system-wide through the marker `UNIQUE#TARIFF_NAME#<name>` (holds id and owner).
 *  - wholesale/provider rate: PK `TARIFF#<id>` / SK `RATE#<prefix>` — one item per prefix.
 *  - retail rate: PK `TARIFF#<id>` / SK `DGROUP#<destination group name>` — the time bands of a group.
 *  - destination: PK `DESTINATION#<prefix>` / SK `DESTINATION` (name, destination group);
 *    destination group: PK `DESTINATION_GROUP#<name>` / SK `DESTINATION_GROUP`.
 *
 * A destination's rate is found by longest prefix with ONE BatchGet of the (at most 20) prefixes of
 * the number — a bounded number of key reads whatever the size of the tariff; never a Scan.
 */
import { BatchWriteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { batchGetItems } from '../db/items.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { nextId } from '../db/counters.js';
import { crc32 } from 'node:zlib';
import { isConditionalCancel } from './users.js';

export type TariffPurpose = 'user' | 'user_wholesale' | 'provider';

export interface TariffRecord {
  id: number;
  name: string;
  purpose: TariffPurpose;
  currency: string;
  /** 0 = the admin's, else the reseller's. */
  ownerId: number;
  createdAt: string;
}

export interface WholesaleRate {
  prefix: string;
  direction: string;
  destination: string;
  code: string;
  rateMicros: number;
  conFeeMicros: number;
  increment: number;
  minTime: number;
  startTime: string;
  endTime: string;
  daytype: string;
}

export interface RetailBand {
  priceMicros: number;
  roundBy: number;
  type: 'minute' | 'event';
  startTime: string;
  endTime: string;
  /** Seconds; -1 = infinity. */
  duration: number;
  daytype: '' | 'WD' | 'FD';
  /** The second this band starts applying (1 + durations of the bands before it). */
  from: number;
}

export interface RetailGroupRates {
  group: string;
  bands: RetailBand[];
}

export interface Destination {
  prefix: string;
  name: string;
  group: string;
}

export const MAX_PREFIX_DIGITS = 20;

export const tariffKeys = {
  item: (id: number) => ({ PK: `TARIFF#${id}`, SK: 'TARIFF' }),
  name: (name: string) => keys.unique('TARIFF_NAME', name),
  rate: (id: number, prefix: string) => ({ PK: `TARIFF#${id}`, SK: `RATE#${prefix}` }),
  group: (id: number, group: string) => ({ PK: `TARIFF#${id}`, SK: `DGROUP#${group}` }),
  destination: (prefix: string) => ({ PK: `DESTINATION#${prefix}`, SK: 'DESTINATION' }),
  destinationGroup: (name: string) => ({ PK: `DESTINATION_GROUP#${name}`, SK: 'DESTINATION_GROUP' }),
};

const strip = <T>(item: StoredItem | undefined) => item && withoutKeys<T>(item);

export async function getTariff(id: number): Promise<TariffRecord | undefined> {
  if (!Number.isSafeInteger(id) || id < 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: tariffKeys.item(id) }));
  return strip<TariffRecord>(result.Item);
}

/** The tariff that holds a name, if any (id and owner from the name marker). */
export async function tariffNamed(name: string): Promise<{ tariffId: number; ownerId: number } | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: tariffKeys.name(name) }));
  return result.Item ? { tariffId: Number(result.Item.tariffId), ownerId: Number(result.Item.ownerId) } : undefined;
}

export class TariffNameTakenError extends Error {}

const nameMarker = (tariff: Pick<TariffRecord, 'id' | 'name' | 'ownerId'>) => ({
  Put: {
    TableName: TABLE_NAME,
    Item: { ...tariffKeys.name(tariff.name), tariffId: tariff.id, ownerId: tariff.ownerId },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

export async function createTariff(input: Omit<TariffRecord, 'id' | 'createdAt'>): Promise<TariffRecord> {
  const tariff: TariffRecord = { ...input, id: await nextId('tariff'), createdAt: new Date().toISOString() };
  try {
    await db.send(new TransactWriteCommand({
      TransactItems: [
        nameMarker(tariff),
        { Put: { TableName: TABLE_NAME, Item: { ...tariffKeys.item(tariff.id), type: 'tariff', ...tariff }, ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    }));
  } catch (error) {
    if (isConditionalCancel(error, 0)) throw new TariffNameTakenError(tariff.name);
    throw error;
  }
  return tariff;
}

/** Renames (moving the unique name marker in the same transaction) and/or changes the currency. */
export async function updateTariff(tariff: TariffRecord, changes: { name?: string; currency?: string }): Promise<void> {
  const renamed = changes.name !== undefined && changes.name !== tariff.name;
  const update = {
    Update: {
      TableName: TABLE_NAME,
      Key: tariffKeys.item(tariff.id),
      UpdateExpression: 'SET #name = :name, currency = :currency',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': changes.name ?? tariff.name, ':currency': changes.currency ?? tariff.currency },
    },
  };
  try {
    await db.send(new TransactWriteCommand({
      TransactItems: renamed
        ? [nameMarker({ ...tariff, name: changes.name! }), { Delete: { TableName: TABLE_NAME, Key: tariffKeys.name(tariff.name) } }, update]
        : [update],
    }));
  } catch (error) {
    if (renamed && isConditionalCancel(error, 0)) throw new TariffNameTakenError(changes.name!);
    throw error;
  }
}

// ---- Rates ----------------------------------------------------------------------------------------

/** BatchWrite of items, 25 at a time, retrying what DynamoDB leaves unprocessed. */
async function writeAll(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [TABLE_NAME]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = result.UnprocessedItems as typeof request;
    }
  }
}

export const putWholesaleRates = (tariffId: number, rates: WholesaleRate[]) =>
  writeAll(rates.map((rate) => ({ ...tariffKeys.rate(tariffId, rate.prefix), type: 'rate', ...rate })));

export const putRetailGroups = (tariffId: number, groups: RetailGroupRates[]) =>
  writeAll(groups.map((g) => ({ ...tariffKeys.group(tariffId, g.group), type: 'retail_rate', ...g })));

export const putDestinations = (destinations: Destination[]) =>
  writeAll(destinations.map((d) => ({ ...tariffKeys.destination(d.prefix), type: 'destination', ...d })));

export const putDestinationGroups = (groups: { name: string; type: string }[]) =>
  writeAll(groups.map((g) => ({ ...tariffKeys.destinationGroup(g.name), ...g })));

/** Every item of a tariff whose SK starts with `prefix`, in key order. */
const queryTariff = <T>(tariffId: number, skPrefix: string) =>
  queryPartition<T>({ partitionKey: ['PK', tariffKeys.item(tariffId).PK], sortKeyBeginsWith: ['SK', skPrefix] });

export const wholesaleRatesOf = (tariffId: number) => queryTariff<WholesaleRate>(tariffId, 'RATE#');
export const retailGroupsOf = (tariffId: number) => queryTariff<RetailGroupRates>(tariffId, 'DGROUP#');

/** The prefixes of a number, longest first ("3706" → 3706, 370, 37, 3). */
export const prefixesOf = (digits: string) =>
  Array.from({ length: Math.min(digits.length, MAX_PREFIX_DIGITS) }, (_, i) => digits.slice(0, Math.min(digits.length, MAX_PREFIX_DIGITS) - i));

export interface RateMatch {
  price: number;
  destination: string;
  prefix: string;
}

export type RateLookup = RateMatch | 'prefix-not-found' | 'group-not-found' | 'rate-not-found';

/**
 * The rate a tariff applies to a number: longest matching prefix. Wholesale/provider tariffs keep a
 * rate per prefix; retail tariffs price destination groups, reached through the destination.
 * One BatchGet (≤ 40 keys) plus, for retail, one GetItem.
 */
export async function lookupRate(tariff: TariffRecord, digits: string): Promise<RateLookup> {
  const prefixes = prefixesOf(digits);
  const retail = tariff.purpose === 'user';
  const items = await batchGetItems([
    ...prefixes.map(tariffKeys.destination),
    ...(retail ? [] : prefixes.map((p) => tariffKeys.rate(tariff.id, p))),
  ]);
  const longest = <T extends { prefix: string }>(list: T[]) => list.sort((a, b) => b.prefix.length - a.prefix.length)[0];
  const destination = longest(items.filter((i) => String(i.PK).startsWith('DESTINATION#')).map((i) => withoutKeys<Destination>(i)));
  if (!retail) {
    const rate = longest(items.filter((i) => String(i.PK).startsWith('TARIFF#')).map((i) => withoutKeys<WholesaleRate>(i)));
    if (rate) return { price: rate.rateMicros, destination: rate.direction || rate.destination, prefix: rate.prefix };
    return destination ? 'rate-not-found' : 'prefix-not-found';
  }
  if (!destination) return 'prefix-not-found';
  if (!destination.group) return 'group-not-found';
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: tariffKeys.group(tariff.id, destination.group) }));
  const band = (strip<RetailGroupRates>(result.Item)?.bands ?? [])[0];
  return band ? { price: band.priceMicros, destination: destination.name, prefix: destination.prefix } : 'rate-not-found';
}

/** A ZIP archive holding one file, stored without compression (what MOR's tariff export sends). */
export function storedZip(fileName: string, content: Buffer, at = new Date()): Buffer {
  const name = Buffer.from(fileName, 'utf8');
  const crc = crc32(content);
  const dosTime = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const dosDate = ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  // The local header and the central directory entry share these fields; the central one has them 2 bytes later.
  const writeEntry = (header: Buffer, at: number) => {
    header.writeUInt16LE(0x0800, at); // UTF-8 name
    header.writeUInt16LE(0, at + 2); // stored
    header.writeUInt16LE(dosTime, at + 4);
    header.writeUInt16LE(dosDate, at + 6);
    header.writeUInt32LE(crc, at + 8);
    header.writeUInt32LE(content.length, at + 12);
    header.writeUInt32LE(content.length, at + 16);
    header.writeUInt16LE(name.length, at + 20);
  };
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  writeEntry(local, 6);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  writeEntry(central, 8);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + content.length, 16);
  return Buffer.concat([local, name, content, central, name, end]);
}
