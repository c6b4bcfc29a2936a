/**
 * Starts `osls offline` for the e2e tests: a fresh table in the DynamoDB Local that `npm test` started,
 * the admin bootstrapped (password admin1, secret `secret`), and the API on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface OfflineApi {
  baseUrl: string;
  /** The same API reached over IPv6 loopback (`[::1]`); only answers when started with `host: '::'`. */
  baseUrlIpv6: string;
  /** Everything the offline server (and so every handler) has printed so far. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface OfflineOptions {
  /** Address the server listens on; `::` (dual stack) lets a test call from `::1`, and IPv4 callers then arrive as `::ffff:127.0.0.1`. */
  host?: string;
}

export async function startOfflineApi(options: OfflineOptions = {}): Promise<OfflineApi> {
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
  if (!/^http:\/\/(localhost|127\.0\.0\.1):\d+/.test(endpoint)) throw new Error('e2e tests need a local DYNAMODB_ENDPOINT (npm test)');
  const tableName = `e2e-${randomBytes(5).toString('hex')}`;
  const { createTableInput } = createRequire(import.meta.url)('../../infra/table.cjs');
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  client.destroy();

  const env = { ...process.env, TABLE_NAME: tableName, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', SETTINGS_CACHE_MS: '0' };
  process.env.TABLE_NAME = tableName;
  const { bootstrapSystem } = await import('../../lib/domain/bootstrap.js');
  await bootstrapSystem({ adminPassword: 'admin1', apiSecret: 'secret' });

  const port = await freePort();
  const lambdaPort = await freePort();
  const child: ChildProcess = spawn(
    `${root}node_modules/.bin/osls`,
    ['offline', '--stage', 'local', '--httpPort', String(port), '--lambdaPort', String(lambdaPort), '--noPrependStageInUrl', '--localEnvironment', ...(options.host ? ['--host', options.host] : [])],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 170_000;
  while (!/Server ready/.test(output)) {
    if (child.exitCode !== null) throw new Error(`osls offline exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`osls offline did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}/billing/api`,
    baseUrlIpv6: `http://[::1]:${port}/billing/api`,
    output: () => output,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}

/** Starts the API before the file's tests and stops it after them; the returned getter reads it. */
export function useOfflineApi(options: OfflineOptions = {}): () => OfflineApi {
  let api: OfflineApi | undefined;
  beforeAll(async () => {
    api = await startOfflineApi(options);
    process.env.SETTINGS_CACHE_MS = '0';
  }, 180_000);
  afterAll(async () => {
    await api?.stop();
  });
  return () => api!;
}

/** POSTs a form body to `/billing/api/<route>`. */
export const postForm = (api: OfflineApi, route: string, params: Record<string, string>) =>
  fetch(`${api.baseUrl}/${route}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
