// Usage: npm run sign -- <method> key=value ... [--secret S] [--url http://localhost:3000] [--replay-safe]
// Prints MOR's request hash for the parameters and a ready-to-run curl line (POST form body).
// --replay-safe also adds `ts` (now) and a random `nonce` (unless given) and the HMAC-SHA256 `signature`
// that owners with API_Replay_Safe_Signing=1 require (docs/compat/security.md). Use the method's current name.
// The secret defaults to $MOR_API_SECRET, else the one `npm start` generated in .data/api-secret.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { replayCanonicalString, replaySignature } from '../lib/domain/security.js';
import { hashString, morHash } from '../lib/mor/hash.js';

const SECRET_FILE = new URL('../.data/api-secret', import.meta.url);

function fail(message: string): never {
  console.error(`sign: ${message}`);
  console.error('usage: npm run sign -- <method> key=value ... [--secret S] [--url http://localhost:3000] [--replay-safe]');
  process.exit(2);
}

/** POSIX-shell single quoting. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

let method: string | undefined;
let secret = process.env.MOR_API_SECRET;
let url = `http://localhost:${process.env.PORT ?? 3000}`;
let replaySafe = false;
const params: Record<string, string> = {};

const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const option = /^--(secret|url)(?:=(.*))?$/s.exec(arg);
  if (arg === '--replay-safe') {
    replaySafe = true;
  } else if (option) {
    const value = option[2] ?? args[++i];
    if (value === undefined) fail(`--${option[1]} needs a value`);
    if (option[1] === 'secret') secret = value;
    else url = value.replace(/\/+$/, '');
  } else if (arg.includes('=')) {
    const at = arg.indexOf('=');
    params[arg.slice(0, at)] = arg.slice(at + 1);
  } else if (!method) {
    method = arg;
  } else {
    fail(`expected key=value, got ${arg}`);
  }
}
if (!method) fail('no method given');
if (secret === undefined && existsSync(SECRET_FILE)) secret = readFileSync(SECRET_FILE, 'utf8').trim();
if (secret === undefined) fail('no secret: pass --secret, set MOR_API_SECRET, or run `npm start` once');
delete params.hash;
delete params.signature;
if (replaySafe) {
  params.ts ??= String(Math.floor(Date.now() / 1000));
  params.nonce ??= randomBytes(16).toString('hex');
}

const hash = morHash(method, params, secret);
const signature = replaySafe ? { signature: replaySignature(method, params, secret) } : {};
const form = Object.entries({ ...params, hash, ...signature }).map(([key, value]) => `--data-urlencode ${quote(`${key}=${value}`)}`);
console.log(`hashed: ${JSON.stringify(hashString(method, params))} + secret`);
console.log(`hash:   ${hash}`);
if (replaySafe) {
  console.log(`signed: ${JSON.stringify(replayCanonicalString(method, params))} (HMAC-SHA256 with the secret)`);
  console.log(`signature: ${signature.signature}`);
}
console.log(['curl -sS -X POST', quote(`${url}/billing/api/${method}`), ...form].join(' '));
