/**
 * Fuzzes every declared method with generated requests: random and malformed parameters, huge values,
 * unicode, empty strings, every encoding, GET and POST, valid and invalid signatures. Whatever comes in,
 * the answer must be well-formed XML (or MOR's plain text) with status 200, never a stack trace, and never
 * our generic internal error (which would mean an unhandled failure).
 * FUZZ_RUNS sets the requests per method (default 200; 1000 when CI is set). The methods are split into
 * shards (fuzz-<n>.test.ts) so that test workers fuzz them in parallel.
 */
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_HASH_ORDER, FIXED_HASH_PARAMS } from '../../../lib/mor/hash.js';
import type { MorHandler } from '../../../lib/pipeline/define-method.js';
import { buildEvent, sign } from '../../support/api.js';
import { loadMethodHandlers, methodFiles } from '../../support/handlers.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';
import { asFunction } from '../../support/table-access-guard.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 1000 : 200));

let handlers: { file: string; handler: MorHandler }[] = [];
let shardLabel = '';
const callers: { u: string; secret: string; p?: string }[] = [{ u: 'admin', secret: ADMIN.secret, p: ADMIN.password }];

/** Parameter names worth generating: the method's own, the hash lists', and a few unknown ones. */
function nameArbitrary(handler: MorHandler) {
  const declared = Object.keys(handler.declaration.params);
  const fixed = FIXED_HASH_PARAMS[handler.declaration.method] ?? [];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(declared.length ? declared : ['id']), ...fixed) },
    { weight: 2, arbitrary: fc.constantFrom(...GLOBAL_HASH_ORDER.slice(0, 60), 'from', 'max_results', 'test', 'p') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

const valueArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', '0', '1', '-1', '2', '10', '999999999999', '1.5', '-0.0001', 'all', 'yes', 'no', 'admin', 'EUR', 'x'.repeat(5000), '1e308', 'NaN', '0x10', ' 1 ', '%00', "'; DROP TABLE users; --", '<xml>&amp;</xml>', '1,2,3', '2024-01-01 00:00:00', '1700000000', '37060000001', '*') },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
);

const requestArbitrary = (handler: MorHandler) =>
  fc.record({
    params: fc.dictionary(nameArbitrary(handler), valueArbitrary, { maxKeys: 8 }),
    caller: fc.nat({ max: callers.length }),
    signed: fc.oneof(fc.constant('valid' as const), fc.constant('missing' as const), fc.constant('garbage' as const)),
    httpMethod: fc.constantFrom('GET' as const, 'POST' as const),
    encoding: fc.constantFrom('query' as const, 'form' as const, 'form-base64' as const, 'json' as const, 'raw' as const),
    rawBody: fc.oneof(fc.string({ maxLength: 200 }), fc.constant('{"u": {"nested": 1}, "x": [1,2]}'), fc.constant('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')),
    contentType: fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml'),
  });

const STACK_TRACE = /\bat [\w.<>]+ \(|node:internal|TypeError|ReferenceError|SyntaxError|\.ts:\d+/;

function assertWellFormed(method: string, result: { statusCode?: number; body?: string; headers?: Record<string, unknown> }) {
  expect(result.statusCode, method).toBe(200);
  const body = String(result.body ?? '');
  expect(body, method).not.toMatch(STACK_TRACE);
  const contentType = String(result.headers?.['content-type'] ?? '');
  if (body.startsWith('<?xml')) {
    expect(XMLValidator.validate(body), `${method}: ${body.slice(0, 300)}`).toBe(true);
    expect(body, `${method} hit an unhandled failure: ${body.slice(0, 300)}`).not.toContain('<error>Internal error</error>');
  } else {
    expect(contentType, `${method} answered neither XML nor declared text: ${body.slice(0, 200)}`).toMatch(/text\/plain|application\/zip|application\/json/);
  }
}

/** Declares the fuzz suite for every `shards`-th method, starting at `shard` (0-based). */
export function fuzzShard(shard: number, shards: number) {
  beforeAll(async () => {
    handlers = (await loadMethodHandlers()).filter((_, i) => i % shards === shard);
    shardLabel = `shard ${shard + 1}/${shards}`;
    const { reseller, user, secret } = await makeReseller();
    const accountant = await makeUser('accountant');
    callers.push({ u: reseller.username, secret, p: reseller.password }, { u: user.username, secret, p: user.password },
      { u: accountant.username, secret: ADMIN.secret, p: accountant.password });
    await setAdminSettings({ Allow_GET_API: '1' });
    // Settings do not change during the fuzz: let the pipeline cache them, as it does in production.
    process.env.SETTINGS_CACHE_MS = '60000';
  }, 120_000);

  describe('fuzzing every declared method', () => {
    it('finds the method handlers', () => expect(methodFiles().length).toBeGreaterThan(0));

    it('every method answers any request with well-formed XML and never an unhandled error', async () => {
      const failures: string[] = [];
      const seconds: [string, number][] = [];
      for (const { file, handler } of handlers) {
        const method = handler.declaration.method;
        const started = performance.now();
        await fc.assert(
          fc.asyncProperty(requestArbitrary(handler), async (request) => {
            const who = callers[request.caller];
            const params: Record<string, string> = { ...request.params };
            if (who) {
              params.u = who.u;
              if (who.p && !('p' in params)) params.p = who.p;
            }
            const sent =
              request.signed === 'valid' && who ? sign(method, params, who.secret)
              : request.signed === 'garbage' ? { ...params, hash: 'f'.repeat(40) }
              : params;
            const event = buildEvent(method, sent, {
              httpMethod: request.httpMethod,
              encoding: request.encoding === 'raw' ? 'form' : request.encoding,
              ...(request.encoding === 'raw' ? { rawBody: request.rawBody, contentType: request.contentType } : {}),
            });
            const result = (await asFunction(method, () => handler(event, { awsRequestId: 'fuzz' } as never))) as never;
            assertWellFormed(`${file} ${JSON.stringify(sent).slice(0, 300)}`, result);
          }),
          { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261122) },
        ).catch((error: Error) => {
          const cause = String((error.cause as Error | undefined)?.message ?? error.message);
          failures.push(`${file}: ${cause.replace(/x{40,}/g, 'x…x').slice(0, 700)}`);
        });
        seconds.push([method, (performance.now() - started) / 1000]);
      }
      const slowest = seconds.sort((a, b) => b[1] - a[1]).slice(0, 5).map(([m, s]) => `${m} ${s.toFixed(1)} s`);
      console.info(`fuzz ${shardLabel}, ${RUNS} requests per method; slowest: ${slowest.join(', ')}`);
      expect(failures, shardLabel).toEqual([]);
    }, 1_800_000);
  });
}
