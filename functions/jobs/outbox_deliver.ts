// @stream batchSize=50 maximumRetryAttempts=3
// @schedule rate(5 minutes)
/**
 * Outbox delivery. The table's stream delivers each new OUTBOX# item at once; the schedule picks up
 * whatever is due again (failed attempts waiting for their backoff, or items the stream missed).
 * Delivery failures are recorded on the item (attempts, nextAttemptAt), never thrown, so one bad
 * webhook cannot make the stream retry a whole batch.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { deliverOutboxItem, deliverPending } from '../../lib/domain/outbox.js';

export { deliverPending };

const isStreamEvent = (event: unknown): event is DynamoDBStreamEvent =>
  Array.isArray((event as { Records?: unknown })?.Records);

/** Ids of the outbox items a stream batch inserted. */
export function insertedOutboxIds(event: DynamoDBStreamEvent): string[] {
  return event.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    const pk = image?.PK?.S ?? '';
    return record.eventName === 'INSERT' && pk.startsWith('OUTBOX#') && image?.id?.S ? [image.id.S] : [];
  });
}

export async function handler(event: unknown) {
  if (isStreamEvent(event)) {
    const ids = insertedOutboxIds(event);
    await Promise.all(ids.map((id) => deliverOutboxItem(id)));
    return { delivered: ids.length };
  }
  return deliverPending();
}
