/**
 * Monitorings addon: a monitoring watches users' spending; when it fires, the monitoring engine
 * calls ma_activate to carry out its actions (block the users, email the admin).
 *
 * Keys: monitoring `MONITORING#<id>` / `MONITORING` ({ id, mtype: 1 increases / 2 drops, block, email }).
 */
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { recordAction } from './action-log.js';
import { collectUsers, getUser, type UserRecord } from './users.js';

export interface Monitoring {
  id: number;
  /** 1 = "Increases more than", 2 = "Drops below than". */
  mtype: number;
  name?: string;
}

export const monitoringKey = (id: number) => ({ PK: `MONITORING#${id}`, SK: 'MONITORING' });

/** The monitorings named by a comma list of ids, or undefined when any is missing or of another type. */
export async function monitoringsOf(idList: string, mtype: number): Promise<Monitoring[] | undefined> {
  const ids = [...new Set(idList.split(',').map((id) => id.trim()))];
  if (ids.length === 0 || ids.length > 100 || !ids.every((id) => /^\d+$/.test(id))) return undefined;
  const result = await db.send(new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: ids.map((id) => monitoringKey(Number(id))) } } }));
  const found = (result.Responses?.[TABLE_NAME] ?? []) as unknown as Monitoring[];
  if (found.length !== ids.length || found.some((m) => Number(m.mtype) !== mtype)) return undefined;
  return found;
}

/** MOR's `users` parameter: `all`, `postpaid`, `prepaid` or a comma list of ids (the admin's whole system). */
export async function monitoredUsers(users: string): Promise<UserRecord[]> {
  if (users === 'all' || users === 'postpaid' || users === 'prepaid') {
    const everyone = (await collectUsers('all')).filter((u) => u.usertype === 'user' || u.usertype === 'reseller');
    return users === 'all' ? everyone : everyone.filter((u) => u.postpaid === (users === 'postpaid'));
  }
  const ids = [...new Set(users.split(',').map((id) => id.trim()).filter((id) => /^\d+$/.test(id)))];
  const found = await Promise.all(ids.map((id) => getUser(Number(id))));
  return found.filter((u): u is UserRecord => !!u && !u.deleted);
}

export async function blockUser(user: UserRecord, byUserId: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.user(user.id),
      UpdateExpression: 'SET blocked = :yes',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':yes': true },
    }),
  );
  await recordAction({ userId: byUserId, action: 'user_blocked_by_monitoring', target: 'user', targetId: user.id });
}
