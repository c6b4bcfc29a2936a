/**
 * Runs before every integration/e2e test file: each file gets its own fresh table in DynamoDB Local
 * (so files run in parallel without sharing state) with the admin bootstrapped (password `admin1`,
 * API secret `secret`). Refuses anything but a local endpoint.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, expect, inject } from 'vitest';

// With several DynamoDB Local instances (DYNAMODB_ENDPOINTS), each test worker keeps to one of them.
const endpoints = (process.env.DYNAMODB_ENDPOINTS ?? '').split(',').filter(Boolean);
const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
if (endpoints.length > 0) process.env.DYNAMODB_ENDPOINT = endpoints[(worker - 1) % endpoints.length];
const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
if (!/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\/?$/.test(endpoint)) {
  throw new Error(`integration tests need a local DYNAMODB_ENDPOINT (run them through npm test); got "${endpoint}"`);
}

process.env.TABLE_NAME = `t-${randomBytes(6).toString('hex')}`;
process.env.SETTINGS_CACHE_MS = '0';
// Under heavy contention DynamoDB Local answers InternalServerError ("too long waiting for a lock. This
// request will succeed in actual DynamoDB API"); the SDK retries it (reusing a transaction's idempotency
// token), so give it more attempts than production's 4.
process.env.DYNAMODB_MAX_ATTEMPTS ??= '8';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const { createTableInput } = createRequire(import.meta.url)('../../infra/table.cjs') as {
  createTableInput: (name: string) => ConstructorParameters<typeof CreateTableCommand>[0];
};
const admin = new DynamoDBClient({ endpoint, region: process.env.AWS_REGION });
await admin.send(new CreateTableCommand(createTableInput(process.env.TABLE_NAME)));
admin.destroy();

// Each handler a test runs may only make the DynamoDB requests its deployed IAM role allows.
const { useTableAccessMap, takeTableAccessViolations } = await import('./table-access-guard.js');
await useTableAccessMap(inject('tableAccess'));
afterEach(() => {
  expect(takeTableAccessViolations(), 'DynamoDB requests outside the function\'s IAM role').toEqual([]);
});

const { bootstrapSystem } = await import('../../lib/domain/bootstrap.js');
await bootstrapSystem({ adminPassword: 'admin1', apiSecret: 'secret' });
