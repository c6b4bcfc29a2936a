// `npm test`: unit tests, then integration + e2e against one DynamoDB Local. Stops at the first failing tier.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { exitStatus, onShutdownSignal, track } from './lib/children.mjs';
import { REPO_ROOT } from './lib/dynamodb.mjs';

const vitest = join(REPO_ROOT, 'node_modules/.bin/vitest');
const tiers = [
  { name: 'unit', command: vitest, args: ['run', '--project', 'unit'] },
  {
    name: 'integration + e2e',
    command: process.execPath,
    args: [join(REPO_ROOT, 'scripts/with-dynamodb.mjs'), vitest, 'run', '--project', 'integration', '--project', 'e2e'],
    // One DynamoDB Local per test worker (vitest.config.ts maxWorkers): each instance serves one core at most.
    env: { DYNAMODB_INSTANCES: process.env.DYNAMODB_INSTANCES ?? '3' },
  },
];

let current;
// A terminal Ctrl-C reaches the tier's processes directly; forward signals sent to us alone.
onShutdownSignal((signal) => current?.kill(signal));

for (const { name, command, args, env } of tiers) {
  console.log(`\n▶ npm test: ${name} tests\n`);
  current = track(spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ...env } }));
  const status = await exitStatus(current);
  if (status !== 0) {
    console.error(`\n✖ npm test: ${name} tests failed (exit ${status})`);
    process.exit(status);
  }
}
console.log('\n✔ npm test: all tiers passed');
