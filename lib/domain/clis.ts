/**
 * CLIs: incoming caller IDs attached to a device (authentication by caller number, e.g. calling cards/ANI).
 * A CLI number is unique system-wide.
 *
 * Keys: PK `CLI#<id>`; marker `UNIQUE#CLI#<number>` (holds cliId: look-up by number and uniqueness);
 * GSI1 `CLI_OWNER#<ownerId>` (a reseller's or the admin's users' CLIs); GSI2 `CLI_DEVICE#<deviceId>`;
 * GSI3 `CLI_USER#<userId>`; GSI4 `CLIS` (every CLI).
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys, pad } from '../db/keys.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { canManageUser } from '../pipeline/access.js';
import type { DeviceRecord } from './devices.js';

export interface CliRecord {
  id: number;
  cli: string;
  domain: string;
  deviceId: number;
  /** Nice device name at creation (`IAX2/101`). */
  deviceName: string;
  userId: number;
  ownerId: number;
  partnerId?: number;
  description: string;
  comment: string;
  banned: boolean;
  emailCallback: boolean;
  ivrId: number;
  addedAt: string;
  updatedAt: string;
}

export const cliKeys = {
  cli: (id: number) => ({ PK: `CLI#${id}`, SK: 'CLI' }),
  marker: (value: string) => keys.unique('CLI', value),
  byOwner: (ownerId: number, id: number) => ({ GSI1PK: `CLI_OWNER#${ownerId}`, GSI1SK: `CLI#${pad(id)}` }),
  byDevice: (deviceId: number, id: number) => ({ GSI2PK: `CLI_DEVICE#${deviceId}`, GSI2SK: `CLI#${pad(id)}` }),
  byUser: (userId: number, id: number) => ({ GSI3PK: `CLI_USER#${userId}`, GSI3SK: `CLI#${pad(id)}` }),
  inAll: (id: number) => ({ GSI4PK: 'CLIS', GSI4SK: `CLI#${pad(id)}` }),
};

/** The marker value of a CLI: its number, or `@domain` for a domain-only CLI. */
export const cliMarkerValue = (cli: Pick<CliRecord, 'cli' | 'domain'>) => cli.cli || `@${cli.domain}`;

export function cliItem(cli: CliRecord): Record<string, unknown> {
  return {
    ...cliKeys.cli(cli.id),
    ...cliKeys.byOwner(cli.ownerId, cli.id),
    ...cliKeys.byDevice(cli.deviceId, cli.id),
    ...cliKeys.byUser(cli.userId, cli.id),
    ...cliKeys.inAll(cli.id),
    type: 'cli',
    ...cli,
  };
}

const toCli = (item: StoredItem) => withoutKeys<CliRecord>(item, 'type');

export async function findCli(value: string): Promise<CliRecord | undefined> {
  if (!value) return undefined;
  const marker = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: cliKeys.marker(value) }));
  if (!marker.Item) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: cliKeys.cli(Number(marker.Item.cliId)) }));
  return result.Item && toCli(result.Item);
}

export class CliTakenError extends Error {}

export async function createCli(cli: CliRecord): Promise<void> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE_NAME, Item: { ...cliKeys.marker(cliMarkerValue(cli)), cliId: cli.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: TABLE_NAME, Item: cliItem(cli), ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException') throw new CliTakenError();
    throw error;
  }
}

export async function deleteCli(cli: CliRecord): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: TABLE_NAME, Key: cliKeys.marker(cliMarkerValue(cli)) } },
        { Delete: { TableName: TABLE_NAME, Key: cliKeys.cli(cli.id) } },
      ],
    }),
  );
}

/** Delete items for every CLI of a device (used when the device goes). */
export function deleteCliItems(clis: CliRecord[]): object[] {
  return clis.flatMap((cli) => [
    { Delete: { TableName: TABLE_NAME, Key: cliKeys.marker(cliMarkerValue(cli)) } },
    { Delete: { TableName: TABLE_NAME, Key: cliKeys.cli(cli.id) } },
  ]);
}

export type CliScope = 'all' | { ownerId: number } | { deviceId: number } | { userId: number };

function scopeQuery(scope: CliScope) {
  if (scope === 'all') return { index: 'GSI4', pk: 'GSI4PK', value: 'CLIS' };
  if ('ownerId' in scope) return { index: 'GSI1', pk: 'GSI1PK', value: `CLI_OWNER#${scope.ownerId}` };
  if ('deviceId' in scope) return { index: 'GSI2', pk: 'GSI2PK', value: `CLI_DEVICE#${scope.deviceId}` };
  return { index: 'GSI3', pk: 'GSI3PK', value: `CLI_USER#${scope.userId}` };
}

export function queryClis(scope: CliScope): Promise<CliRecord[]> {
  const q = scopeQuery(scope);
  return queryPartition({ index: q.index, partitionKey: [q.pk, q.value], map: toCli });
}

export function newCli(device: DeviceRecord, id: number, input: { cli: string; domain: string; description?: string; comment?: string; banned?: boolean; ivrId?: number }): CliRecord {
  const now = new Date().toISOString();
  return {
    id,
    cli: input.cli,
    domain: input.domain,
    deviceId: device.id,
    deviceName: niceDeviceName(device),
    userId: device.userId,
    ownerId: device.ownerId,
    ...(device.partnerId !== undefined ? { partnerId: device.partnerId } : {}),
    description: input.description ?? '',
    comment: input.comment ?? '',
    banned: input.banned ?? false,
    emailCallback: false,
    ivrId: input.ivrId ?? 0,
    addedAt: now,
    updatedAt: now,
  };
}

/** MOR's nice device name: `<TYPE>/<name>`. */
export const niceDeviceName = (device: Pick<DeviceRecord, 'deviceType' | 'name'>) => `${device.deviceType}/${device.name}`;

/** MOR's time format in CLI answers: `2015-08-31 12:40:23 +0000`. */
export const morTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;

export const CLI_NOT_AUTHORISED = 'You are not authorised to use this functionality';

/** Whether a caller may see a CLI: the tenancy of the CLI's device user. */
export const cliVisibleTo = (caller: { id: number; usertype: string }, cli: CliRecord) =>
  canManageUser(caller as never, { id: cli.userId, ownerId: cli.ownerId, partnerId: cli.partnerId });
