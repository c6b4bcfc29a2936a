/** What the pipeline learns about a request, step by step, and hands to the method. */
import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { Settings } from '../domain/settings.js';
import type { UserRecord } from '../domain/users.js';
import type { ParsedRequest, RawParams } from './params.js';

export interface MorState {
  method: string;
  request: ParsedRequest;
  raw: RawParams;
  isTest: boolean;
  requestId: string;
  /** The identified caller; undefined while unknown. */
  caller?: UserRecord;
  adminSettings?: Settings;
  /** Settings of the caller's API owner (the admin's for admin/accountants, the reseller's for its tree). */
  ownerSettings?: Settings;
  /** The method's prefetch, started alongside the caller lookup. */
  prefetched?: Promise<unknown>;
  /** Validated parameters. */
  params?: Record<string, unknown>;
}

export type MorRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, Context> & { mor: MorState };

export const stateOf = (request: Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, Context>) =>
  (request as MorRequest).mor;

/** The handler itself only receives the event; the state travels with it. */
const stateByEvent = new WeakMap<object, MorState>();

export function attachState(request: MorRequest, state: MorState): void {
  request.mor = state;
  stateByEvent.set(request.event as object, state);
}

export function stateOfEvent(event: object): MorState {
  const state = stateByEvent.get(event);
  if (!state) throw new Error('request state missing');
  return state;
}
