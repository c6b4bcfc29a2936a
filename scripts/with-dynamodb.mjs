// Usage: node scripts/with-dynamodb.mjs <command...>
// Runs the command against a throw-away in-memory DynamoDB Local (or the local one DYNAMODB_ENDPOINT
// names), with the table created and DYNAMODB_ENDPOINT / TABLE_NAME / AWS_* exported to it.
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
let db;
try {
  if (process.env.DYNAMODB_ENDPOINT) {
    assertLocalEndpoint(process.env.DYNAMODB_ENDPOINT);
    db = { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => {} };
  } else {
    requireJava();
    db = await startDynamoDbLocal({ inMemory: true });
  }
  await ensureTable(db.endpoint, tableName);
} catch (error) {
  console.error(`with-dynamodb: ${error.message}`);
  await db?.stop();
  process.exit(1);
}

const child = track(
  spawn(command, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...localDynamoDbEnv(db.endpoint, tableName),
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
await db.stop();
process.exit(status);
