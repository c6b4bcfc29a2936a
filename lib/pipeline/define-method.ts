/**
 * `defineMethod`: one MOR API method as a Lambda handler. The declaration says what is particular
 * to the method; the pipeline, in MOR's order, is the same for all:
 *
 *   parse parameters → identify caller → API/GET gates → hash → password (where used)
 *   → role → validation → method → XML (errors rendered by the outermost responder)
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { Settings } from '../domain/settings.js';
import type { UserRecord } from '../domain/users.js';
import type { AccessRules } from './access.js';
import { stateOfEvent, type MorState } from './context.js';
import { ConcurrentChangeError, type ErrorEnvelope } from './errors.js';
import { authorizeMiddleware } from './middleware/authorize.js';
import { identifyCallerMiddleware, type CallerLookup } from './middleware/identify-caller.js';
import { ipAllowlistMiddleware } from './middleware/ip-allowlist.js';
import { parseRequestMiddleware } from './middleware/parse-request.js';
import { permissionGroupMiddleware } from './middleware/permission-group.js';
import { replayGuardMiddleware } from './middleware/replay-guard.js';
import { requestGatesMiddleware } from './middleware/request-gates.js';
import { validateMiddleware } from './middleware/validate.js';
import { verifyHashMiddleware } from './middleware/verify-hash.js';
import { verifyPasswordMiddleware, type PasswordRule } from './middleware/verify-password.js';
import { xmlResponderMiddleware, type MethodAnswer } from './middleware/xml-responder.js';
import type { ParsedRequest, RawParams } from './params.js';
import type { ParamShape, z } from './validate.js';

export interface MethodContext<S extends ParamShape> {
  method: string;
  params: z.infer<z.ZodMiniObject<S>>;
  raw: RawParams;
  caller: UserRecord;
  adminSettings: Settings;
  ownerSettings: Settings;
  request: ParsedRequest;
  isTest: boolean;
  requestId: string;
  /** The result of the declaration's `prefetch` (undefined without one). */
  prefetched: Promise<unknown> | undefined;
}

export interface MethodDeclaration<S extends ParamShape> {
  /** MOR's current name: the route `/billing/api/<method>`. */
  method: string;
  /** Old names that route to the same handler. */
  aliases?: readonly string[];
  /** Also route `/billing/api/<name>/<id>` (the path segment becomes `id`). */
  pathId?: boolean;
  /** How the caller is identified (default `u`). */
  caller?: CallerLookup;
  /** Also require the caller's password (or uniquehash). */
  password?: PasswordRule;
  /** `false` for the few methods MOR never hashes. */
  hashed?: boolean;
  /** Methods MOR serves over GET even when "Allow GET API" is off. */
  allowGetAlways?: boolean;
  /** Envelope of this method's own errors (MOR differs by method; see errors.ts). */
  errorEnvelope: ErrorEnvelope;
  /** Error when `u` (or `username`/`id`) does not identify a caller. Default `Access Denied`. */
  unknownCaller?: string;
  /** Envelope of that error when it differs from the method's. */
  unknownCallerEnvelope?: ErrorEnvelope;
  access: AccessRules;
  params: S;
  /**
   * A read to start in parallel with the caller lookup, from the raw parameters (e.g. the target user of
   * user_details_get), so the common path costs one round trip. Must not depend on who the caller is.
   */
  prefetch?: (raw: RawParams) => Promise<unknown>;
  run: (ctx: MethodContext<S>) => Promise<MethodAnswer> | MethodAnswer;
}

export type MorHandler = ((event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>) & {
  declaration: MethodDeclaration<ParamShape>;
};

function contextOf<S extends ParamShape>(state: MorState): MethodContext<S> {
  return {
    method: state.method,
    params: state.params as MethodContext<S>['params'],
    raw: state.raw,
    caller: state.caller!,
    adminSettings: state.adminSettings!,
    ownerSettings: state.ownerSettings!,
    request: state.request,
    isTest: state.isTest,
    requestId: state.requestId,
    prefetched: state.prefetched,
  };
}

const RACE_RETRIES = 5;

/** Re-runs a method whose optimistic write lost a race; the method re-reads, so the rerun decides on fresh data. */
async function runWithRetries<T>(run: () => Promise<T> | T): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= RACE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

export function defineMethod<S extends ParamShape>(declaration: MethodDeclaration<S>): MorHandler {
  const pipeline = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>({ timeoutEarlyInMillis: 0 })
    .use(xmlResponderMiddleware(declaration.errorEnvelope))
    .use(parseRequestMiddleware(declaration.method))
    .use(identifyCallerMiddleware(declaration.caller ?? 'u', declaration.prefetch))
    .use(requestGatesMiddleware({ allowGetAlways: declaration.allowGetAlways }))
    // Security (issue 9): the API owner's whitelisted IPs, before the hash is looked at.
    .use(ipAllowlistMiddleware());
  if (declaration.hashed !== false) {
    pipeline.use(verifyHashMiddleware());
    // Security (issue 9): opt-in replay-safe signing (ts, nonce, HMAC signature) on top of MOR's hash.
    pipeline.use(replayGuardMiddleware());
  }
  if (declaration.password) pipeline.use(verifyPasswordMiddleware(declaration.password));
  pipeline
    .use(authorizeMiddleware(declaration.access, {
      message: declaration.unknownCaller ?? 'Access Denied',
      envelope: declaration.unknownCallerEnvelope,
    }))
    // Security (issue 9): API permission groups of "API restricted" users and accountants.
    .use(permissionGroupMiddleware())
    .use(validateMiddleware(declaration.params));

  const handler = pipeline.handler(
    (event) => runWithRetries(() => declaration.run(contextOf<S>(stateOfEvent(event)))) as never,
  ) as unknown as MorHandler;
  handler.declaration = declaration as unknown as MethodDeclaration<ParamShape>;
  return handler;
}
