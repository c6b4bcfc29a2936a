/**
 * Partition reads for the single table: one Query on a partition of the table or of a GSI (optionally
 * narrowed on the sort key), LastEvaluatedKey followed until the partition ends or `limit` results are
 * collected, each item turned into a record without its key attributes.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from './client.js';

export type StoredItem = Record<string, unknown>;

/** The table and index key attributes every item may carry. */
export const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK'] as const;

/** A copy of a stored item without its key attributes and without `alsoDrop` (e.g. the `type` tag). */
export function withoutKeys<T>(item: StoredItem, ...alsoDrop: string[]): T {
  const copy = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  for (const name of alsoDrop) delete copy[name];
  return copy as T;
}

/** A key attribute name and the value (or prefix, or bound) it is matched against. */
type KeyPart = readonly [name: string, value: string];

/** Which items of which partition, and how they are read. */
export interface PartitionSelection {
  /** The GSI to read; the table itself when omitted. */
  index?: string;
  partitionKey: KeyPart;
  sortKeyBeginsWith?: KeyPart;
  /** Inclusive sort key range `[name, from, to]`. */
  sortKeyBetween?: readonly [name: string, from: string, to: string];
  /** Inclusive sort key upper bound. */
  sortKeyAtMost?: KeyPart;
  /** Sort key descending. */
  newestFirst?: boolean;
  /** Attribute names to read (every attribute when omitted). */
  projection?: readonly string[];
  /** A FilterExpression; its placeholders must not reuse `#pk`, `#sk`, `#p<n>`, `:pk`, `:sk*`. */
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
  consistentRead?: boolean;
}

export interface PartitionQuery<T> extends PartitionSelection {
  /** Stop once this many results are collected (all when omitted). */
  limit?: number;
  /** Turns a stored item into a result (default: `withoutKeys`). */
  map?: (item: StoredItem) => T;
  /** Keeps only the results it accepts; `limit` counts accepted results. */
  accept?: (result: T) => boolean;
}

function queryInput(query: PartitionSelection): QueryCommandInput {
  const names: Record<string, string> = { '#pk': query.partitionKey[0] };
  const values: Record<string, unknown> = { ':pk': query.partitionKey[1] };
  let condition = '#pk = :pk';
  if (query.sortKeyBeginsWith) {
    names['#sk'] = query.sortKeyBeginsWith[0];
    values[':sk'] = query.sortKeyBeginsWith[1];
    condition += ' AND begins_with(#sk, :sk)';
  } else if (query.sortKeyBetween) {
    names['#sk'] = query.sortKeyBetween[0];
    values[':skFrom'] = query.sortKeyBetween[1];
    values[':skTo'] = query.sortKeyBetween[2];
    condition += ' AND #sk BETWEEN :skFrom AND :skTo';
  } else if (query.sortKeyAtMost) {
    names['#sk'] = query.sortKeyAtMost[0];
    values[':sk'] = query.sortKeyAtMost[1];
    condition += ' AND #sk <= :sk';
  }
  const projection = query.projection?.map((name, i) => {
    names[`#p${i}`] = name;
    return `#p${i}`;
  });
  Object.assign(names, query.filter?.names);
  Object.assign(values, query.filter?.values);
  return {
    TableName: TABLE_NAME,
    ...(query.index ? { IndexName: query.index } : {}),
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
    ...(query.filter ? { FilterExpression: query.filter.expression } : {}),
    ...(query.newestFirst ? { ScanIndexForward: false } : {}),
    ...(query.consistentRead ? { ConsistentRead: true } : {}),
  };
}

/** The results of a partition in sort key order (see `PartitionQuery`). */
export async function queryPartition<T = StoredItem>(query: PartitionQuery<T>): Promise<T[]> {
  const { limit, accept } = query;
  const map = query.map ?? ((item: StoredItem) => withoutKeys<T>(item));
  if (limit !== undefined && limit <= 0) return [];
  // A range whose start is after its end (e.g. date_from > date_till) holds nothing; DynamoDB would refuse it.
  if (query.sortKeyBetween && query.sortKeyBetween[1] > query.sortKeyBetween[2]) return [];
  // Without a filter every item read is a result, so a page need not read more than what is still wanted.
  const everyItemCounts = !accept && !query.filter;
  const input = queryInput(query);
  const out: T[] = [];
  let startKey: StoredItem | undefined;
  do {
    const pageSize = everyItemCounts && limit !== undefined ? limit - out.length : undefined;
    const page = await db.send(
      new QueryCommand({
        ...input,
        ...(pageSize !== undefined ? { Limit: pageSize } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const result = map(item);
      if (accept && !accept(result)) continue;
      out.push(result);
      if (limit !== undefined && out.length >= limit) return out;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

/** Number of items in a partition (Select COUNT: no items are transferred). */
export async function countPartition(query: Pick<PartitionSelection, 'index' | 'partitionKey' | 'sortKeyBeginsWith'>): Promise<number> {
  const input = queryInput(query);
  let count = 0;
  let startKey: StoredItem | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, Select: 'COUNT', ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}
