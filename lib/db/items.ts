/** Single-table item writes and reads by key. */
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from './client.js';
import type { StoredItem } from './query.js';

type Key = Record<string, unknown>;

const BATCH_GETS_IN_FLIGHT = 4;

/** Items by key: one BatchGetItem per 100 keys, unprocessed keys asked for again until none are left; missing keys are absent from the answer. */
export async function batchGetItems(keyList: readonly Key[]): Promise<StoredItem[]> {
  const chunks: Key[][] = [];
  for (let i = 0; i < keyList.length; i += 100) chunks.push(keyList.slice(i, i + 100));
  const out: StoredItem[] = [];
  const readChunk = async (chunk: Key[]) => {
    let request: Record<string, { Keys: Key[] }> | undefined = { [TABLE_NAME]: { Keys: chunk } };
    while (request && Object.keys(request).length > 0) {
      const result = await db.send(new BatchGetCommand({ RequestItems: request }));
      out.push(...(result.Responses?.[TABLE_NAME] ?? []));
      request = result.UnprocessedKeys as typeof request;
    }
  };
  // At most BATCH_GETS_IN_FLIGHT requests at once: a 10,000-CDR import names up to thousands of users.
  for (let i = 0; i < chunks.length; i += BATCH_GETS_IN_FLIGHT) await Promise.all(chunks.slice(i, i + BATCH_GETS_IN_FLIGHT).map(readChunk));
  return out;
}

/** Writes an item that must not exist yet (ConditionalCheckFailedException when its key is taken). */
export async function putNewItem(item: StoredItem): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
}
