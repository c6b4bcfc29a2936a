/**
 * Refresh tokens: opaque random strings, stored hashed as items with a TTL (`expiresAt`). Each login
 * starts a family; a refresh marks its token used and issues the next one in one transaction. A used
 * token presented again revokes the whole family (theft detection); logout revokes the family too.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { isConditionalCancel, type UserRecord } from '../domain/users.js';
import { passwordFingerprint, refreshTtlSeconds } from './jwt.js';

const tokenKey = (token: string) => ({ PK: `REFRESH_TOKEN#${createHash('sha256').update(token).digest('hex')}`, SK: 'TOKEN' });
const familyKey = (family: string) => ({ PK: `REFRESH_FAMILY#${family}`, SK: 'FAMILY' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface RefreshTokenItem {
  userId: number;
  family: string;
  pwd: string;
  used: boolean;
  expiresAt: number;
}

function tokenPut(user: UserRecord, family: string) {
  const token = randomBytes(32).toString('base64url');
  const item: RefreshTokenItem = { userId: user.id, family, pwd: passwordFingerprint(user), used: false, expiresAt: nowSeconds() + refreshTtlSeconds() };
  return { token, put: { Put: { TableName: TABLE_NAME, Item: { ...tokenKey(token), ...item }, ConditionExpression: 'attribute_not_exists(PK)' } } };
}

/** A new family (login): the family item and its first refresh token. */
export async function startFamily(user: UserRecord): Promise<{ family: string; token: string }> {
  const family = randomUUID();
  const first = tokenPut(user, family);
  await db.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: TABLE_NAME, Item: { ...familyKey(family), userId: user.id, revoked: false, expiresAt: nowSeconds() + refreshTtlSeconds() } } },
      first.put,
    ] as never,
  }));
  return { family, token: first.token };
}

export async function findRefreshToken(token: string): Promise<RefreshTokenItem | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: tokenKey(token), ConsistentRead: true }));
  const item = result.Item as RefreshTokenItem | undefined;
  return item && item.expiresAt > nowSeconds() ? item : undefined;
}

export async function familyActive(family: string): Promise<boolean> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: familyKey(family), ConsistentRead: true }));
  return Boolean(result.Item && !result.Item.revoked && Number(result.Item.expiresAt) > nowSeconds());
}

export async function revokeFamily(family: string): Promise<void> {
  await db.send(new UpdateCommand({
    TableName: TABLE_NAME, Key: familyKey(family), UpdateExpression: 'SET revoked = :t', ExpressionAttributeValues: { ':t': true },
  }));
}

/** Marks `token` used and issues the next one; 'reused' when it was already used (the family is then revoked). */
export async function rotate(token: string, user: UserRecord, family: string): Promise<{ token: string } | 'reused'> {
  const next = tokenPut(user, family);
  try {
    await db.send(new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: TABLE_NAME, Key: tokenKey(token), UpdateExpression: 'SET used = :t',
            ConditionExpression: 'attribute_exists(PK) AND used = :f', ExpressionAttributeValues: { ':t': true, ':f': false },
          },
        },
        next.put,
      ] as never,
    }));
    return { token: next.token };
  } catch (error) {
    if (!isConditionalCancel(error, 0)) throw error;
    await revokeFamily(family);
    return 'reused';
  }
}
