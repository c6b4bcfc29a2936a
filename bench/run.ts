/**
 * `npm run bench`: one run on the machine at hand, against DynamoDB Local, written to docs/performance.md.
 * Every API figure is reported as a ratio to a floor measured in the same run (a raw GetItem / Query),
 * so the numbers compare across machines. Scenarios of the domains register in bench/scenarios/*.ts.
 * BENCH_ONLY=bundles re-measures only the bundle section (the last one) of the existing report.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { db, TABLE_NAME } from '../lib/db/client.js';
import { keys } from '../lib/db/keys.js';
import { callHandler } from '../test/support/api.js';
import { loadMethodHandlers, methodFiles } from '../test/support/handlers.js';
import { ADMIN } from '../test/support/world.js';
import { percentiles, timeMany, type Percentiles } from './lib/timing.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};
const ms = (n: number) => n.toFixed(3);
const row = (name: string, p: Percentiles, floor: Percentiles) =>
  say(`| ${name} | ${ms(p.p50)} | ${ms(p.p99)} | ${(p.p50 / floor.p50).toFixed(2)} |`);

async function latencies() {
  const rawGet = await timeMany(ITERATIONS, () => db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.user(0) })));
  const rawQuery = await timeMany(ITERATIONS, () =>
    db.send(new QueryCommand({ TableName: TABLE_NAME, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :u', ExpressionAttributeValues: { ':u': 'USERNAME#admin' } })),
  );
  const floor = percentiles(rawGet);
  say('## Latency through the full handler chain (in-process, DynamoDB Local)');
  say();
  say(`${ITERATIONS} sequential calls each. Floor = raw GetItem of one user item. Ratio = p50 / floor p50.`);
  say();
  say('| path | p50 ms | p99 ms | ratio to GetItem |');
  say('|---|---|---|---|');
  row('raw GetItem (floor)', floor, floor);
  row('raw Query on GSI1 (username)', percentiles(rawQuery), floor);
  const handlers = Object.fromEntries((await loadMethodHandlers()).map(({ handler }) => [handler.declaration.method, handler]));
  const paths: [string, Record<string, string>][] = [
    ['system_version_get', { u: 'admin' }],
    ['user_details_get', { u: 'admin', user_id: '0' }],
    ['users_get', { u: 'admin', p: ADMIN.password }],
  ];
  for (const [method, params] of paths) {
    const handler = handlers[method];
    if (!handler) continue;
    await callHandler(handler, params, { secret: ADMIN.secret });
    const times = await timeMany(ITERATIONS, () => callHandler(handler, params, { secret: ADMIN.secret }));
    row(`${method} (handler chain)`, percentiles(times), floor);
  }
  say();
  return floor;
}

async function bundles() {
  // Inside the repository: a bundle's remaining external imports resolve from node_modules.
  mkdirSync(new URL('../.esbuild/', import.meta.url), { recursive: true });
  const out = mkdtempSync(fileURLToPath(new URL('../.esbuild/bench-', import.meta.url)));
  say('## Bundle size and module init time per function');
  say();
  say('esbuild, ESM, minified, `@aws-sdk/*` bundled as deployed (serverless.yml). Init = median of 5 cold `import()` in a fresh Node process.');
  say();
  say('| function | bundle KiB | init ms |');
  say('|---|---|---|');
  const inits: number[] = [];
  for (const file of methodFiles()) {
    const name = file.split('/functions/')[1]!.replace(/\.ts$/, '');
    const outfile = join(out, `${name.replace(/\//g, '_')}.mjs`);
    await build({
      entryPoints: [file], bundle: true, format: 'esm', platform: 'node', target: 'node22', minify: true, outfile, logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
    });
    const size = statSync(outfile).size / 1024;
    const samples = Array.from({ length: 5 }, () =>
      Number(execFileSync(process.execPath, ['-e', `const t=performance.now();import(${JSON.stringify(outfile)}).then(()=>console.log(performance.now()-t))`], {
        env: { ...process.env, TABLE_NAME: 'bench' },
      }).toString()),
    ).sort((a, b) => a - b);
    inits.push(samples[2]!);
    say(`| ${name} | ${size.toFixed(0)} | ${samples[2]!.toFixed(1)} |`);
  }
  inits.sort((a, b) => a - b);
  say();
  say(`Median init over ${inits.length} functions: ${inits[Math.floor(inits.length / 2)]?.toFixed(1)} ms; worst ${inits.at(-1)?.toFixed(1)} ms (goal ≤ 50 ms).`);
  say();
  rmSync(out, { recursive: true, force: true });
}

async function domainScenarios(floor: Percentiles) {
  const dir = new URL('./scenarios/', import.meta.url);
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  } catch {
    return;
  }
  for (const file of files) {
    const scenario = (await import(new URL(file, dir).href)) as { run: (ctx: { say: typeof say; floor: Percentiles }) => Promise<void> };
    await scenario.run({ say, floor });
  }
}

const report = new URL('../docs/performance.md', import.meta.url);
if (process.env.BENCH_ONLY === 'bundles') {
  // Re-measures the last section only and keeps the rest of the report.
  const previous = readFileSync(report, 'utf8');
  const cut = previous.indexOf('## Bundle size');
  await bundles();
  writeFileSync(report, (cut >= 0 ? previous.slice(0, cut) : previous) + lines.join('\n') + '\n');
  console.log('\nre-measured the bundles in docs/performance.md');
  process.exit(0);
}

const started = new Date();
say('# Performance');
say();
say(`Measured by \`npm run bench\` on ${started.toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}, DynamoDB Local in memory). Figures are from one run on a shared 2-core machine: read the ratios, not the absolute times.`);
say();
const { bootstrapSystem } = await import('../lib/domain/bootstrap.js');
await bootstrapSystem({ adminPassword: ADMIN.password, apiSecret: ADMIN.secret });
const floor = await latencies();
await domainScenarios(floor);
if (process.env.BENCH_SKIP_BUNDLES !== '1') await bundles();
writeFileSync(report, lines.join('\n') + '\n');
console.log('\nwritten docs/performance.md');
process.exit(0);
