/**
 * Request parameters merged as Rails merges them: query string, then the body (form, JSON, or a
 * base64-encoded form as API Gateway delivers it), then the path id. Later sources win; every value
 * becomes a string; unknown parameters are simply carried along and ignored by the method.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export type RawParams = Record<string, string>;

export interface ParsedRequest {
  params: RawParams;
  httpMethod: string;
  /** The body as text (tariff_retail_import reads an XML body). */
  body: string;
  contentType: string;
  sourceIp: string;
  path: string;
}

const MAX_BODY_BYTES = 6 * 1024 * 1024;

function addSearchParams(target: RawParams, text: string) {
  // A malformed escape (e.g. "%E0%A4%A") must not throw: URLSearchParams already tolerates it.
  for (const [key, value] of new URLSearchParams(text)) target[key] = value;
}

function stringify(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return undefined; // nested objects and arrays are not MOR parameters
}

function addJson(target: RawParams, text: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const text = stringify(value);
    if (text !== undefined) target[key] = text;
  }
}

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const header = (event: APIGatewayProxyEventV2, name: string) => {
  const headers = event.headers ?? {};
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value ?? '';
  return '';
};

export function parseRequest(event: APIGatewayProxyEventV2): ParsedRequest {
  const params: RawParams = Object.create(null);
  if (event.rawQueryString) addSearchParams(params, event.rawQueryString);
  else for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) params[k] = v ?? '';

  const contentType = header(event, 'content-type').toLowerCase();
  let body = event.body ?? '';
  if (body.length > MAX_BODY_BYTES) body = '';
  if (event.isBase64Encoded && body) body = Buffer.from(body, 'base64').toString('utf8');

  const trimmed = body.trimStart();
  if (contentType.includes('json') || (!contentType && trimmed.startsWith('{'))) addJson(params, body);
  else if (contentType.includes('x-www-form-urlencoded') || (!contentType && body.includes('='))) addSearchParams(params, body);

  const pathId = event.pathParameters?.id ?? event.pathParameters?.proxy;
  if (pathId) params.id = safeDecode(pathId.replace(/\/$/, ''));

  return {
    params,
    httpMethod: (event.requestContext?.http?.method ?? 'POST').toUpperCase(),
    body,
    contentType,
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    path: event.rawPath ?? '',
  };
}
