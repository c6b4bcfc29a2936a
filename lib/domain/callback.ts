/**
 * Callback (click-to-call): MOR dials leg A (`src`) from a user's device, then leg B (`dst`).
 * The request is recorded; the dialling goes through a `Telephony` interface. The local stub
 * records what would be dialled instead of reaching a switch.
 *
 * Keys: request `CALLBACK#<uniqueid>` / `CALLBACK`, GSI1 `CALLBACK_USER#<userId>` by time;
 * the stub's legs `CALLBACK#<uniqueid>` / `LEG#A` and `LEG#B`.
 */
import { randomInt } from 'node:crypto';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { setting, type Settings } from './settings.js';

export interface CallbackRequest {
  uniqueid: string;
  userId: number;
  deviceId: number;
  src: string;
  /** '' = the source is asked for the destination. */
  dst: string;
  cliLegA: string;
  cliLegB: string;
  cardPin: string;
  legATariffId: string;
  legAResellerTariffId: string;
  legALcrId: string;
  serverId: string;
  requestedAt: string;
}

export interface DialLeg {
  leg: 'A' | 'B';
  number: string;
  callerId: string;
}

/** The switch side: originates the two legs of a callback. */
export interface Telephony {
  originate(request: CallbackRequest, legs: DialLeg[]): Promise<void>;
}

export const callbackKeys = {
  request: (uniqueid: string) => ({ PK: `CALLBACK#${uniqueid}`, SK: 'CALLBACK' }),
  byUser: (userId: number, at: string, uniqueid: string) => ({ GSI1PK: `CALLBACK_USER#${userId}`, GSI1SK: `${at}#${uniqueid}` }),
  leg: (uniqueid: string, leg: 'A' | 'B') => ({ PK: `CALLBACK#${uniqueid}`, SK: `LEG#${leg}` }),
};

/** The local stub: every leg that would be dialled becomes an item. */
export const recordingTelephony: Telephony = {
  async originate(request, legs) {
    await db.send(
      new TransactWriteCommand({
        TransactItems: legs.map((leg) => ({
          Put: { TableName: TABLE_NAME, Item: { ...callbackKeys.leg(request.uniqueid, leg.leg), type: 'callback_leg', ...leg, deviceId: request.deviceId } },
        })),
      }),
    );
  },
};

let telephony: Telephony = recordingTelephony;
export const useTelephony = (next: Telephony) => {
  telephony = next;
};

/** The Callback addon switch (admin settings); on unless turned off. */
export const callbackAddonOn = (adminSettings: Settings) => setting(adminSettings, 'CB_Addon_Active', '1') === '1';

/** MOR's uniqueid style: epoch milliseconds and four random digits (e.g. 14811237541247270). */
const newUniqueid = () => `${Date.now()}${randomInt(0, 10_000).toString().padStart(4, '0')}`;

/** The legs of a callback: A first; B only when the destination is known (else the source is asked for it). */
export function legsOf(request: CallbackRequest, deviceCallerId: string): DialLeg[] {
  const legs: DialLeg[] = [{ leg: 'A', number: request.src, callerId: request.cliLegA || deviceCallerId }];
  if (request.dst) legs.push({ leg: 'B', number: request.dst, callerId: request.cliLegB || deviceCallerId });
  return legs;
}

/** Records the request and hands its legs to the telephony side. */
export async function initCallback(input: Omit<CallbackRequest, 'uniqueid' | 'requestedAt'>, deviceCallerId: string): Promise<CallbackRequest> {
  const request: CallbackRequest = { ...input, uniqueid: newUniqueid(), requestedAt: new Date().toISOString() };
  await db.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...callbackKeys.request(request.uniqueid), ...callbackKeys.byUser(request.userId, request.requestedAt, request.uniqueid), type: 'callback', ...request },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  await telephony.originate(request, legsOf(request, deviceCallerId));
  return request;
}
