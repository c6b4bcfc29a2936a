/**
 * Reseller groups (MOR `acc_groups` with group_type `reseller`): a named set of reseller rights.
 * Item `ACC_GROUP#<id>`/`ACC_GROUP`; the name is unique per group type through the marker
 * `UNIQUE#ACC_GROUP_NAME#<type>#<name>`, written in the group's transaction.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { nextId } from '../db/counters.js';
import type { PermissionLevel } from './users.js';
import { isConditionalCancel } from './users.js';

export type AccGroupType = 'reseller' | 'accountant';

/** The reseller rights reseller_group_create takes as flags (value `1` = full right 2, else 0). */
export const RESELLER_RIGHTS = ['calling_cards', 'call_shop', 'sms_addon', 'payment_gateways', 'autodialer', 'pbx_functions'] as const;

export interface AccGroupRecord {
  id: number;
  name: string;
  groupType: AccGroupType;
  description: string;
  rights: Record<string, PermissionLevel>;
  createdAt: string;
}

export const accGroupKeys = {
  group: (id: number) => ({ PK: `ACC_GROUP#${id}`, SK: 'ACC_GROUP' }),
  name: (groupType: AccGroupType, name: string) => keys.unique('ACC_GROUP_NAME', `${groupType}#${name}`),
};

export class GroupNameTakenError extends Error {}

export async function getAccGroup(id: number): Promise<AccGroupRecord | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: accGroupKeys.group(id) }));
  if (!result.Item) return undefined;
  const { PK: _pk, SK: _sk, type: _type, ...group } = result.Item;
  return group as AccGroupRecord;
}

/** Creates a group and its name marker in one transaction; a taken name throws GroupNameTakenError. */
export async function createAccGroup(input: Omit<AccGroupRecord, 'id' | 'createdAt'>): Promise<AccGroupRecord> {
  const group: AccGroupRecord = { id: await nextId('acc_group'), createdAt: new Date().toISOString(), ...input };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE_NAME,
              Item: { ...accGroupKeys.name(group.groupType, group.name), groupId: group.id },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: TABLE_NAME,
              Item: { ...accGroupKeys.group(group.id), type: 'acc_group', ...group },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (isConditionalCancel(error, 0)) throw new GroupNameTakenError(group.name);
    throw error;
  }
  return group;
}
