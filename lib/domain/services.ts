/**
 * Services (MOR "services"): what users subscribe to — periodic fees, one-time fees and flat rates.
 *
 * Keys: PK `SERVICE#<id>` / SK `SERVICE`; GSI1 `SERVICE_OWNER#<ownerId>` / `SERVICE#<pad(id)>` (the
 * services an owner — admin 0 or a reseller — sells, in id order). The item counts its subscriptions
 * (`subscriptionCount`, changed in the same transaction as every subscription create/delete), so a
 * delete can refuse atomically while subscriptions exist.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { pad } from '../db/keys.js';
import { batchGetItems } from '../db/items.js';
import { queryPartition, withoutKeys, type StoredItem } from '../db/query.js';
import { nextId } from '../db/counters.js';
import { parseMicros, storeMicros } from '../money.js';
import { MorError } from '../pipeline/errors.js';
import { listingOwnerId } from '../pipeline/access.js';
import type { UserRecord } from './users.js';

export const SERVICE_TYPES = ['periodic_fee', 'one_time_fee', 'flat_rate', 'dynamic_flat_rate'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export type ServicePeriod = 'month' | 'day';

export interface ServiceRecord {
  id: number;
  name: string;
  memo: string;
  type: ServiceType;
  /** Only periodic fees have a period; the others keep 'month' for charging purposes. */
  period: ServicePeriod;
  priceMicros: number;
  selfCostMicros: number;
  currency: string;
  /** Minutes per month of a flat rate; 1 for the other types. */
  quantity: number;
  continueCall: boolean;
  ownerId: number;
  subscriptionCount: number;
  createdAt: string;
}

export const serviceKeys = {
  item: (id: number) => ({ PK: `SERVICE#${id}`, SK: 'SERVICE' }),
  byOwner: (ownerId: number, id: number) => ({ GSI1PK: `SERVICE_OWNER#${ownerId}`, GSI1SK: `SERVICE#${pad(id)}` }),
};

export const SERVICE_ERR = {
  noType: 'Service must have service type',
  badType: 'Service Type is invalid',
  noQuantity: 'Flat Rate Service must have quantity',
  quantityNotNumeric: 'Quantity must be numeric',
  quantityNotPositive: 'Quantity must be greater than zero',
  noName: 'Service must have name',
  priceNotNumeric: 'Service Price must be numeric',
  selfCostNotNumeric: 'Service Self Cost must be numeric',
  notSelected: 'Service was not selected',
  notFound: 'Service was not found',
  resellerNotFound: 'Reseller was not found',
  hasSubscriptions: 'Cannot delete - some subscriptions to this service exist',
} as const;

export const isFlatRate = (type: ServiceType) => type === 'flat_rate' || type === 'dynamic_flat_rate';

const toService = (item: StoredItem) => withoutKeys<ServiceRecord>(item);

/** MOR's price format `-?digits([.,;]digits)?`, read exactly. */
const PRICE = /^-?[0-9]+([.,;][0-9]+)?$/;
export function parsePrice(text: string, error: string): number {
  if (!PRICE.test(text)) throw new MorError(error);
  const micros = parseMicros(text.replace(/[,;]/, '.'));
  try {
    return storeMicros(micros);
  } catch {
    throw new MorError(error);
  }
}

/** Quantity of a flat rate (`service_minutes_per_month`): MOR's three checks, in its order. */
export function parseQuantity(text: string | undefined): number {
  if (text === undefined || text === '') throw new MorError(SERVICE_ERR.noQuantity);
  if (!/^-?[0-9]+$/.test(text)) throw new MorError(SERVICE_ERR.quantityNotNumeric);
  const quantity = Number(text);
  if (quantity < 1) throw new MorError(SERVICE_ERR.quantityNotPositive);
  if (!Number.isSafeInteger(quantity)) throw new MorError(SERVICE_ERR.quantityNotNumeric);
  return quantity;
}

export function parseServiceType(text: string | undefined): ServiceType {
  if (text === undefined || text === '') throw new MorError(SERVICE_ERR.noType);
  if (!(SERVICE_TYPES as readonly string[]).includes(text)) throw new MorError(SERVICE_ERR.badType);
  return text as ServiceType;
}

/** Anything but `day` is a month, as MOR forces it. */
export const parsePeriod = (text: string | undefined): ServicePeriod => (text === 'day' ? 'day' : 'month');

/** The owner whose services a caller manages: admin and accountants the admin's (0), a reseller its own. */
export const serviceOwnerOf = (caller: UserRecord) => listingOwnerId(caller);

export function callerOwnsService(caller: UserRecord, service: Pick<ServiceRecord, 'ownerId'>): boolean {
  return caller.usertype === 'admin' || service.ownerId === serviceOwnerOf(caller);
}

export async function getService(id: number): Promise<ServiceRecord | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: serviceKeys.item(id) }));
  return result.Item && toService(result.Item);
}

/** A service the caller may manage, or MOR's `Service was not found`. */
export async function findOwnedService(caller: UserRecord, idText: string | undefined): Promise<ServiceRecord> {
  if (idText === undefined || idText === '') throw new MorError(SERVICE_ERR.notSelected);
  const service = /^[0-9]{1,15}$/.test(idText) ? await getService(Number(idText)) : undefined;
  if (!service || !callerOwnsService(caller, service)) throw new MorError(SERVICE_ERR.notFound);
  return service;
}

export async function getServices(ids: number[]): Promise<Map<number, ServiceRecord>> {
  const services = (await batchGetItems([...new Set(ids)].map(serviceKeys.item))).map(toService);
  return new Map(services.map((service) => [service.id, service]));
}

export type NewService = Omit<ServiceRecord, 'id' | 'subscriptionCount' | 'createdAt' | 'memo' | 'continueCall'> &
  Partial<Pick<ServiceRecord, 'memo' | 'continueCall'>>;

export async function createService(input: NewService): Promise<ServiceRecord> {
  const service: ServiceRecord = {
    memo: '',
    continueCall: false,
    ...input,
    id: await nextId('service'),
    subscriptionCount: 0,
    createdAt: new Date().toISOString(),
  };
  await db.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...serviceKeys.item(service.id), ...serviceKeys.byOwner(service.ownerId, service.id), ...service },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return service;
}

export type ServiceChanges = Partial<Pick<ServiceRecord, 'name' | 'type' | 'period' | 'priceMicros' | 'selfCostMicros' | 'quantity'>>;

export async function updateService(id: number, changes: ServiceChanges): Promise<void> {
  const names = Object.keys(changes) as (keyof ServiceChanges)[];
  if (names.length === 0) return;
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: serviceKeys.item(id),
      UpdateExpression: 'SET ' + names.map((_, i) => `#n${i} = :v${i}`).join(', '),
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, changes[n]])),
    }),
  );
}

/** Deletes a service unless a subscription references it (checked atomically with the delete). */
export async function deleteService(id: number): Promise<void> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: TABLE_NAME,
        Key: serviceKeys.item(id),
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(subscriptionCount) OR subscriptionCount <= :zero)',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') throw new MorError(SERVICE_ERR.hasSubscriptions);
    throw error;
  }
}

/** The services an owner sells, in id order, up to `max` (all when omitted). */
export const listServices = (ownerId: number, max?: number) =>
  queryPartition({ index: 'GSI1', partitionKey: ['GSI1PK', serviceKeys.byOwner(ownerId, 0).GSI1PK], limit: max, map: toService });

/** Transaction items that keep a service's subscription count (used by the subscription writes). */
export const serviceCountUpdate = (serviceId: number, delta: 1 | -1) => ({
  Update: {
    TableName: TABLE_NAME,
    Key: serviceKeys.item(serviceId),
    UpdateExpression: 'ADD subscriptionCount :d',
    ...(delta > 0 ? { ConditionExpression: 'attribute_exists(PK)' } : {}),
    ExpressionAttributeValues: { ':d': delta },
  },
});
