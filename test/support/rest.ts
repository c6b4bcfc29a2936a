/** Calls a v2 REST handler in-process with an API Gateway HTTP API (payload 2.0) event; answers status + parsed JSON. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RestHandler } from '../../lib/v2/define-route.js';
import { asFunction } from './table-access-guard.js';

export interface RestRequest {
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

export async function callRest(handler: RestHandler, { query = {}, body, headers = {}, isBase64Encoded = false }: RestRequest = {}) {
  const route = handler.declaration.route;
  const [method, path] = route.split(' ') as [string, string];
  const event = {
    version: '2.0', routeKey: route, rawPath: path, rawQueryString: new URLSearchParams(query).toString(),
    headers, body, isBase64Encoded,
    requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: randomUUID() },
  } as unknown as APIGatewayProxyEventV2;
  const result = (await asFunction(route, () => handler(event))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, json: JSON.parse(String(result.body)) };
}

export const basicAuth = (username: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});
