/**
 * In-process calls of method handlers with real API Gateway (HTTP API, payload 2.0) events, and
 * XML parsing of the answers. Used by integration tests (against DynamoDB Local) and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { XMLParser } from 'fast-xml-parser';
import { morHash } from '../../lib/mor/hash.js';
import type { MorHandler } from '../../lib/pipeline/define-method.js';
import { asFunction } from './table-access-guard.js';

export type Encoding = 'query' | 'form' | 'form-base64' | 'json';

export interface CallOptions {
  httpMethod?: 'GET' | 'POST';
  encoding?: Encoding;
  /** Sign with this secret (adds `hash`); omit to send params as they are. */
  secret?: string;
  pathId?: string;
  sourceIp?: string;
  rawBody?: string;
  contentType?: string;
}

export function buildEvent(method: string, params: Record<string, string>, options: CallOptions = {}): APIGatewayProxyEventV2 {
  const httpMethod = options.httpMethod ?? 'POST';
  const encoding = options.encoding ?? (httpMethod === 'GET' ? 'query' : 'form');
  const query = encoding === 'query' ? new URLSearchParams(params).toString() : '';
  let body: string | undefined;
  let contentType = options.contentType;
  let isBase64Encoded = false;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (encoding === 'json') {
    body = JSON.stringify(params);
    contentType ??= 'application/json';
  } else if (encoding === 'form' || encoding === 'form-base64') {
    body = new URLSearchParams(params).toString();
    contentType ??= 'application/x-www-form-urlencoded';
    if (encoding === 'form-base64') {
      body = Buffer.from(body).toString('base64');
      isBase64Encoded = true;
    }
  }
  const rawPath = `/billing/api/${method}${options.pathId ? `/${options.pathId}` : ''}`;
  return {
    version: '2.0',
    routeKey: `${httpMethod} ${rawPath}`,
    rawPath,
    rawQueryString: query,
    headers: contentType ? { 'content-type': contentType } : {},
    ...(options.pathId ? { pathParameters: { id: options.pathId } } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: httpMethod, path: rawPath, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: `${httpMethod} ${rawPath}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded,
  } as APIGatewayProxyEventV2;
}

const lambdaContext = (): Context =>
  ({ awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 29_000, functionName: 'test' }) as unknown as Context;

const parser = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, trimValues: true, isArray: () => false });

export const parseXml = (text: string): Record<string, any> => parser.parse(text) as Record<string, any>;

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  xml: Record<string, any>;
}

/** Signs params as an integrator would: MOR's hash of (method, params) with `secret`. */
export function sign(method: string, params: Record<string, string>, secret: string): Record<string, string> {
  return { ...params, hash: morHash(method, params, secret) };
}

export async function callHandler(
  handler: MorHandler,
  params: Record<string, string>,
  options: CallOptions = {},
): Promise<ApiAnswer> {
  const method = handler.declaration.method;
  const sent = options.secret ? sign(method, params, options.secret) : params;
  const result = (await asFunction(method, () => handler(buildEvent(method, sent, options), lambdaContext()))) as APIGatewayProxyStructuredResultV2;
  const body = String(result.body ?? '');
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body,
    xml: body.startsWith('<?xml') ? parseXml(body) : {},
  };
}

/** The error text of a MOR error answer, whatever its envelope. */
export function errorOf(xml: Record<string, any>): string | undefined {
  return xml.error ?? xml.Error ?? xml.status?.error ?? xml.page?.error ?? xml.page?.status?.error ?? xml.response?.error;
}

/** MOR's retry hint, answered when DynamoDB keeps a request waiting (locks, throttling) past the retries. */
export const BUSY_TEXT = 'Service is busy, please retry';

/** Calls again while the answer is the retry hint, as an integrator does for an idempotent request. */
export async function retriedWhileBusy(call: () => Promise<ApiAnswer>, attempts = 10): Promise<ApiAnswer> {
  let answer = await call();
  for (let attempt = 1; attempt < attempts && errorOf(answer.xml) === BUSY_TEXT; attempt++) answer = await call();
  return answer;
}
