// Usage: node scripts/with-dynamodb.mjs <command...>
// Runs the command against a throw-away in-memory DynamoDB Local (or the local one DYNAMODB_ENDPOINT
// names), with the table created and DYNAMODB_ENDPOINT / TABLE_NAME / AWS_* exported to it.
// DYNAMODB_INSTANCES=n starts n instances and exports them all as DYNAMODB_ENDPOINTS (comma-separated):
// DynamoDB Local serialises its requests on one core, so test workers spread over several instances.
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { exitStatus, onShutdownSignal, track } from './lib/children.mjs';
import { REPO_ROOT, assertLocalEndpoint, ensureTable, localDynamoDbEnv, startDynamoDbLocal } from './lib/dynamodb.mjs';
import { requireJava } from './lib/java.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-dynamodb.mjs <command> [args...]');
  process.exit(2);
}

const tableName = process.env.TABLE_NAME || 'morless-test';
const instances = Math.max(1, Number(process.env.DYNAMODB_INSTANCES ?? 1));
const dbs = [];
const stopAll = () => Promise.all(dbs.map((instance) => instance.stop()));
try {
  if (process.env.DYNAMODB_ENDPOINT) {
    assertLocalEndpoint(process.env.DYNAMODB_ENDPOINT);
    dbs.push({ endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => {} });
  } else {
    requireJava();
    // One at a time: each picks a free port, which two parallel starts could both pick.
    for (let i = 0; i < instances; i += 1) dbs.push(await startDynamoDbLocal({ inMemory: true }));
  }
  await Promise.all(dbs.map((instance) => ensureTable(instance.endpoint, tableName)));
} catch (error) {
  console.error(`with-dynamodb: ${error.message}`);
  await stopAll();
  process.exit(1);
}
const db = dbs[0];

const child = track(
  spawn(command, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...localDynamoDbEnv(db.endpoint, tableName),
      DYNAMODB_ENDPOINTS: dbs.map((instance) => instance.endpoint).join(','),
      // So `vitest`, `tsx`, `node` (22) resolve as in npm scripts even when run outside npm.
      PATH: [join(REPO_ROOT, 'node_modules/.bin'), process.env.PATH].join(delimiter),
    },
  }),
);
// A terminal Ctrl-C reaches the command directly; forward signals sent to us alone (e.g. CI timeouts).
onShutdownSignal((signal) => child.kill(signal));

let status;
try {
  status = await exitStatus(child);
} catch (error) {
  console.error(`with-dynamodb: cannot run ${command}: ${error.message}`);
  status = 127;
}
await stopAll();
process.exit(status);
