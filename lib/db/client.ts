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
