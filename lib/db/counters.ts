import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from './client.js';
import { keys } from './keys.js';

/** Next integer id of an entity kind (MOR clients rely on integer ids); one atomic ADD. */
export async function nextId(entity: string, count = 1): Promise<number> {
  const result = await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.counter(entity),
      UpdateExpression: 'ADD #v :n',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':n': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes?.value);
}
