/**
 * Phonebooks: MOR's speed-dial records (one `<phonebook>` = one record). The admin's records
 * (user 0) are global: every user's list includes them.
 *
 * Keys: PK `PHONEBOOK#<id>`; GSI1 `PHONEBOOK_USER#<userId>` (a user's records, by id);
 * GSI2 `PHONEBOOK_SPEEDDIAL#<speeddial>` (who uses a speed dial: the admin's uniqueness check);
 * marker `UNIQUE#PHONEBOOK_SPEEDDIAL#<userId>#<speeddial>` (speed dial unique per user).
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { ADMIN_ID } from './settings.js';
import { isConditionalCancel } from './users.js';

export interface PhonebookRecord {
  id: number;
  userId: number;
  name: string;
  number: string;
  speeddial: string;
  addedAt: string;
  updatedAt?: string;
}

export const phonebookKeys = {
  record: (id: number) => ({ PK: `PHONEBOOK#${id}`, SK: 'PHONEBOOK' }),
  byUser: (userId: number, id: number) => ({ GSI1PK: `PHONEBOOK_USER#${userId}`, GSI1SK: pad(id) }),
  bySpeeddial: (speeddial: string, id: number) => ({ GSI2PK: `PHONEBOOK_SPEEDDIAL#${speeddial}`, GSI2SK: pad(id) }),
  speeddialMarker: (userId: number, speeddial: string) => keys.unique('PHONEBOOK_SPEEDDIAL', `${userId}#${speeddial}`),
};

export const PHONEBOOK_ERRORS = {
  nameMissing: 'Speed Dial name must be provided',
  speeddialShort: 'Speed Dial should have at least two digits',
  numberMissing: 'Record number should have at least one digit',
  speeddialNotNumeric: 'Speed Dial must be numeric',
  numberNotNumeric: 'Record number must be numeric',
  speeddialTaken: 'Speed dial must be unique',
} as const;

const DIGITS = /^[0-9]+$/;
/** Longer speed dials are refused as not numeric (MOR's column is short; they also key the uniqueness marker). */
const MAX_SPEEDDIAL = 50;

/** MOR's phonebook validations, in its order; every failing one (callers report the first or all). */
export function phonebookErrors(record: Pick<PhonebookRecord, 'name' | 'number' | 'speeddial'>): string[] {
  const errors: string[] = [];
  if (!record.name.trim()) errors.push(PHONEBOOK_ERRORS.nameMissing);
  if (record.speeddial.length < 2) errors.push(PHONEBOOK_ERRORS.speeddialShort);
  if (!record.number) errors.push(PHONEBOOK_ERRORS.numberMissing);
  if (record.speeddial && (!DIGITS.test(record.speeddial) || record.speeddial.length > MAX_SPEEDDIAL)) errors.push(PHONEBOOK_ERRORS.speeddialNotNumeric);
  if (record.number && !DIGITS.test(record.number)) errors.push(PHONEBOOK_ERRORS.numberNotNumeric);
  return errors;
}

const toRecord = (item: StoredItem) => withoutKeys<PhonebookRecord>(item, 'type');

const recordItem = (record: PhonebookRecord) => ({
  ...phonebookKeys.record(record.id),
  ...phonebookKeys.byUser(record.userId, record.id),
  ...phonebookKeys.bySpeeddial(record.speeddial, record.id),
  type: 'phonebook',
  ...record,
});

export async function getPhonebookRecord(id: number): Promise<PhonebookRecord | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: phonebookKeys.record(id), ConsistentRead: true }));
  return result.Item && toRecord(result.Item);
}

const recordsOfUser = (userId: number) =>
  queryPartition({ index: 'GSI1', partitionKey: ['GSI1PK', phonebookKeys.byUser(userId, 0).GSI1PK], map: toRecord });

/** What a user sees: the global (admin) records and its own, ordered by name as MOR does. */
export async function phonebookOf(userId: number): Promise<PhonebookRecord[]> {
  const owners = userId === ADMIN_ID ? [ADMIN_ID] : [ADMIN_ID, userId];
  const lists = await Promise.all(owners.map(recordsOfUser));
  return lists.flat().sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

/** Whether a user other than the admin already uses this speed dial (MOR forbids the admin's global copy). */
async function speeddialUsedByOthers(speeddial: string, exceptId: number): Promise<boolean> {
  const othersRecords = await queryPartition({
    index: 'GSI2',
    partitionKey: ['GSI2PK', phonebookKeys.bySpeeddial(speeddial, 0).GSI2PK],
    map: toRecord,
    accept: (record) => record.userId !== ADMIN_ID && record.id !== exceptId,
    limit: 1,
  });
  return othersRecords.length > 0;
}

export class SpeeddialTakenError extends Error {}

/** Writes a record and its speed-dial marker atomically; the old marker goes when the speed dial changes. */
async function writeRecord(record: PhonebookRecord, before?: PhonebookRecord): Promise<void> {
  if (record.userId === ADMIN_ID && (await speeddialUsedByOthers(record.speeddial, record.id))) throw new SpeeddialTakenError();
  const speeddialChanged = !before || before.speeddial !== record.speeddial;
  const items: object[] = [
    before
      ? {
          Put: {
            TableName: TABLE_NAME,
            Item: recordItem(record),
            ConditionExpression: 'attribute_exists(PK)',
          },
        }
      : { Put: { TableName: TABLE_NAME, Item: recordItem(record), ConditionExpression: 'attribute_not_exists(PK)' } },
  ];
  if (speeddialChanged) {
    items.push({
      Put: {
        TableName: TABLE_NAME,
        Item: { ...phonebookKeys.speeddialMarker(record.userId, record.speeddial), phonebookId: record.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
    if (before) items.push({ Delete: { TableName: TABLE_NAME, Key: phonebookKeys.speeddialMarker(before.userId, before.speeddial) } });
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    if (speeddialChanged && isConditionalCancel(error, 1)) throw new SpeeddialTakenError();
    throw error;
  }
}

export async function createPhonebookRecord(input: Pick<PhonebookRecord, 'userId' | 'name' | 'number' | 'speeddial'>) {
  const record: PhonebookRecord = { id: await nextId('phonebook'), ...input, addedAt: new Date().toISOString() };
  await writeRecord(record);
  return record;
}

export async function updatePhonebookRecord(before: PhonebookRecord, changes: Partial<Pick<PhonebookRecord, 'name' | 'number' | 'speeddial'>>) {
  const record: PhonebookRecord = { ...before, ...changes, updatedAt: new Date().toISOString() };
  await writeRecord(record, before);
  return record;
}
