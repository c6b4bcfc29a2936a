/** The DynamoDB document client and table name, created once per Lambda container. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const TABLE_NAME = process.env.TABLE_NAME ?? 'morless-local';

const endpoint = process.env.DYNAMODB_ENDPOINT;

export const rawClient = new DynamoDBClient({
  ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' } : {}),
  // Bounded retries with jittered backoff: throttling is retried a few times, then surfaces as an XML error.
  maxAttempts: Number(process.env.DYNAMODB_MAX_ATTEMPTS ?? 4),
});

export const db = DynamoDBDocumentClient.from(rawClient, {
  marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  unmarshallOptions: { wrapNumbers: false },
});

/**
 * DynamoDB refuses keys over 2048 bytes (partition) / 1024 bytes (sort) with a ValidationException. A
 * read naming such a key (a 5,000-character "number", say) can only find nothing, so it answers empty
 * here and the method gives its ordinary "not found" answer instead of failing.
 */
const MAX_KEY_BYTES = 1024;
const oversized = (value: unknown) => typeof value === 'string' && Buffer.byteLength(value) > MAX_KEY_BYTES;
const keyTooLong = (key: Record<string, unknown> | undefined) => !!key && Object.values(key).some(oversized);

db.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as {
      Key?: Record<string, unknown>;
      ExpressionAttributeValues?: Record<string, unknown>;
      RequestItems?: Record<string, { Keys?: Record<string, unknown>[] }>;
    };
    switch (context.commandName) {
      case 'GetItemCommand':
        if (keyTooLong(input.Key)) return { output: { $metadata: {} } } as never;
        break;
      case 'QueryCommand':
        if (keyTooLong(input.ExpressionAttributeValues)) return { output: { Items: [], Count: 0, $metadata: {} } } as never;
        break;
      case 'BatchGetItemCommand':
        for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
          request.Keys = (request.Keys ?? []).filter((key) => !keyTooLong(key));
          if (request.Keys.length === 0) delete input.RequestItems![table];
        }
        if (Object.keys(input.RequestItems ?? {}).length === 0) {
          return { output: { Responses: {}, $metadata: {} } } as never;
        }
        break;
    }
    return next(args);
  },
  { step: 'initialize', name: 'morlessOversizedKeyReads' },
);
