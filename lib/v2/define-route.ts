/**
 * `defineRestRoute`: one MOR REST v2 endpoint as a Lambda handler (JSON in, JSON out). The route string
 * must be a literal (`route: 'GET /billing/api/v2/...'`): infra/functions.cjs reads it from the source.
 * Errors are JSON `{ "errors": "..." }` with 400/401/403/404/429; never a 5xx or a stack trace.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { ADMIN_ID, getSettings, settingOn, type Settings } from '../domain/settings.js';
import type { UserRecord, UserType } from '../domain/users.js';
import { authenticateBearer } from './auth.js';
import { RestError } from './errors.js';
import { log } from '../log.js';
import { requestBodyText } from './body.js';

export { z };

export { RestError };

export interface RestRequest<Q, B> {
  event: APIGatewayProxyEventV2;
  query: Q;
  body: B;
  rawBody: string;
  contentType: string;
  header: (name: string) => string;
  /** The authenticated caller (bearer routes). */
  caller: UserRecord;
  adminSettings: Settings;
}

export interface RestRouteDeclaration<Q extends z.ZodMiniType, B extends z.ZodMiniType> {
  route: string;
  summary: string;
  /** `bearer`: a valid access token; `basic`: the handler reads the Authorization header; `none`: public. */
  auth: 'bearer' | 'basic' | 'none';
  /** User types allowed (bearer routes); others get 403. Default: every type. */
  roles?: readonly UserType[];
  query?: Q;
  /** JSON body schema; `parseBody: false` leaves the raw body to the handler (e.g. CSV). */
  body?: B;
  parseBody?: boolean;
  /** Documented success response (OpenAPI). */
  response?: z.ZodMiniType;
  run: (request: RestRequest<z.infer<Q>, z.infer<B>>) => Promise<{ status?: number; body: unknown }>;
}

export type RestHandler = ((event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyResultV2>) & {
  declaration: RestRouteDeclaration<z.ZodMiniType, z.ZodMiniType>;
};

const json = (status: number, body: unknown): APIGatewayProxyResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const TRANSIENT = /Throttl|ProvisionedThroughput|RequestLimitExceeded|TimeoutError|TransactionConflict|ServiceUnavailable|InternalServerError/;

function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request';
  const where = issue.path.join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

export function defineRestRoute<Q extends z.ZodMiniType = z.ZodMiniType, B extends z.ZodMiniType = z.ZodMiniType>(
  declaration: RestRouteDeclaration<Q, B>,
): RestHandler {
  const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    try {
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
      const header = (name: string) => headers[name.toLowerCase()] ?? '';

      const adminSettings = await getSettings(ADMIN_ID);
      if (declaration.auth !== 'none' && !settingOn(adminSettings, 'Allow_API')) throw new RestError(403, 'API Requests are disabled');
      let caller = undefined as unknown as UserRecord;
      if (declaration.auth === 'bearer') {
        caller = await authenticateBearer(header('authorization'));
        if (declaration.roles && !declaration.roles.includes(caller.usertype)) throw new RestError(403, 'Access Denied');
      }

      // Decoded only once the caller is known: nobody anonymous makes us inflate a compressed body.
      const rawBody = requestBodyText(event.body, event.isBase64Encoded, header('content-encoding'));
      let query = undefined as z.infer<Q>;
      if (declaration.query) {
        const raw = Object.fromEntries(new URLSearchParams(event.rawQueryString ?? ''));
        const parsed = declaration.query.safeParse(raw);
        if (!parsed.success) throw new RestError(400, firstIssue(parsed.error));
        query = parsed.data as z.infer<Q>;
      }
      let body = undefined as z.infer<B>;
      if (declaration.body && declaration.parseBody !== false) {
        let value: unknown;
        try {
          value = rawBody.trim() ? JSON.parse(rawBody) : {};
        } catch {
          throw new RestError(400, 'Body is not valid JSON');
        }
        const parsed = declaration.body.safeParse(value);
        if (!parsed.success) throw new RestError(400, firstIssue(parsed.error));
        body = parsed.data as z.infer<B>;
      }
      const result = await declaration.run({
        event, query, body, rawBody, contentType: header('content-type').toLowerCase(), header, caller, adminSettings,
      });
      return json(result.status ?? 200, result.body);
    } catch (error) {
      if (error instanceof RestError) return json(error.status, { errors: error.message, ...error.details });
      const name = (error as { name?: string }).name ?? '';
      log.error('Request failed', { route: declaration.route, requestId: event.requestContext?.requestId, error: { name, message: (error as Error)?.message } });
      return TRANSIENT.test(name)
        ? json(429, { errors: 'Service is busy, please retry' })
        : json(400, { errors: 'Request could not be processed' });
    }
  };
  (handler as RestHandler).declaration = declaration as unknown as RestHandler['declaration'];
  return handler as RestHandler;
}
