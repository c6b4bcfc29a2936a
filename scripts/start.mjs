// `npm start [-- --in-memory]`: DynamoDB Local + seeded admin + `osls offline`, until Ctrl-C.
// Env: PORT (3000), DYNAMODB_PORT (8000), MOR_ADMIN_PASSWORD (admin1), MOR_API_SECRET (generated
// once and kept in .data/api-secret).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitStatus, onShutdownSignal, stopChild, track } from './lib/children.mjs';
import { REPO_ROOT, ensureTable, isPortFree, localDynamoDbEnv, startDynamoDbLocal } from './lib/dynamodb.mjs';
import { requireJava } from './lib/java.mjs';

const TABLE_NAME = 'morless-local';
const DATA_DIR = join(REPO_ROOT, '.data');
const SECRET_FILE = join(DATA_DIR, 'api-secret');

const inMemory = process.argv.includes('--in-memory');
const port = Number(process.env.PORT || 3000);
const dynamoDbPort = Number(process.env.DYNAMODB_PORT || 8000);
const adminPassword = process.env.MOR_ADMIN_PASSWORD || 'admin1';
const apiSecret = process.env.MOR_API_SECRET || persistentSecret();

let db;
let offline;
let stopping = false;

onShutdownSignal(async () => {
  stopping = true;
  console.log('\nmorless: stopping…');
  await stopChild(offline, { signal: 'SIGINT' });
  await db?.stop();
  process.exit(0);
});

try {
  requireJava();
  for (const [name, value] of [['PORT', port], ['DYNAMODB_PORT', dynamoDbPort]]) {
    if (!(await isPortFree(value))) throw new Error(`port ${value} is in use (set ${name} to use another one)`);
  }
  db = await startDynamoDbLocal({ port: dynamoDbPort, inMemory, dataDir: '.data/dynamodb' });
  await ensureTable(db.endpoint, TABLE_NAME);
} catch (error) {
  console.error(`morless: ${error.message}`);
  await db?.stop();
  process.exit(1);
}

const env = {
  ...process.env,
  ...localDynamoDbEnv(db.endpoint, TABLE_NAME),
  MOR_ADMIN_PASSWORD: adminPassword,
  MOR_API_SECRET: apiSecret,
  IS_OFFLINE: 'true',
  // Node 22, tsx and osls from node_modules, as in npm scripts, even when run as `node scripts/start.mjs`.
  PATH: [join(REPO_ROOT, 'node_modules/.bin'), process.env.PATH].join(delimiter),
};

const seeded = await seed();
offline = track(
  spawn(
    join(REPO_ROOT, 'node_modules/.bin/osls'),
    // --localEnvironment hands this environment (DYNAMODB_ENDPOINT, TABLE_NAME, …) to the handlers;
    // without it serverless-offline passes only AWS_* variables and those serverless.yml declares.
    ['offline', '--stage', 'local', '--httpPort', String(port), '--noPrependStageInUrl', '--localEnvironment'],
    { cwd: REPO_ROOT, env, stdio: 'inherit' },
  ),
);
const offlineExit = exitStatus(offline);

const ready = await Promise.race([waitForPort(port).then(() => true), offlineExit.then(() => false)]);
if (ready) printBanner(seeded);
const status = await offlineExit.catch(() => 1);
if (stopping) await new Promise(() => {}); // the signal handler finishes the shutdown and exits
console.error(`morless: osls offline exited (${status})`);
await db.stop();
process.exit(status || 1);

/** The API secret from .data/api-secret, generated on the first run. */
function persistentSecret() {
  if (existsSync(SECRET_FILE)) return readFileSync(SECRET_FILE, 'utf8').trim();
  const secret = randomBytes(16).toString('hex');
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(SECRET_FILE, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Runs scripts/seed.ts; resolves with its JSON result line, exits the process if it fails. */
async function seed() {
  const child = track(
    spawn('node', ['--import', 'tsx', 'scripts/seed.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const status = await exitStatus(child).catch(() => 127);
  // The seed's own code may log to stdout too: take the last line that is the result.
  const result = stdout
    .split('\n')
    .reverse()
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    })
    .find((value) => value?.adminUniquehash);
  if (status !== 0 || !result) {
    console.error(`morless: seeding the admin user failed (exit ${status})\n${stdout}`);
    await db.stop();
    process.exit(1);
  }
  return result;
}

/** Resolves once something accepts TCP connections on localhost:`port`. */
async function waitForPort(port) {
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect({ host: 'localhost', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(250);
  }
}

function printBanner({ adminUsername, adminUniquehash }) {
  const quote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
  const base = `http://localhost:${port}/billing/api`;
  const hash = createHash('sha1').update(adminUsername + adminPassword + apiSecret).digest('hex');
  const curl = [
    'curl -sS -X POST',
    quote(`${base}/users_get`),
    ...[`u=${adminUsername}`, `p=${adminPassword}`, `hash=${hash}`].map((field) => `--data-urlencode ${quote(field)}`),
  ].join(' ');
  const storage = inMemory ? 'in memory' : '.data/dynamodb';
  console.log(`
────────────────────────────────────────────────────────────────────────
 morless is running  (DynamoDB Local ${db.endpoint}, table ${TABLE_NAME}, ${storage})

   API          ${base}/<method>
   Admin user   ${adminUsername}  password ${adminPassword}
   API secret   ${apiSecret}
   Uniquehash   ${adminUniquehash}

   Try:  ${curl}
   Sign any request:  npm run sign -- <method> key=value ...

 Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────
`);
}
