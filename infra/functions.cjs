// Builds the serverless `functions` section from the handler files, so nobody edits serverless.yml to add
// a method: drop `functions/<domain>/<method>.ts` with one `defineMethod({ method, aliases, pathId })`.
//
// ROUTING DESIGN (why the template stays far below CloudFormation's 500-resource limit)
// -------------------------------------------------------------------------------------
// Every MOR name (method or alias) gets exactly TWO `ANY` routes on the HTTP API:
//
//     ANY /billing/api/<name>            the canonical URL
//     ANY /billing/api/<name>/{id+}      pathId methods: /<name>/<id>    (event.pathParameters.id)
//     ANY /billing/api/<name>/{tail+}    other methods: only the trailing slash /<name>/ (parameter ignored)
//
//  * `ANY` (serverless `method: '*'`) is one route for GET and POST (and the rest) instead of one per verb.
//  * HTTP APIs match routes exactly: `/<name>/` does NOT reach the route `/<name>` (REST APIs strip the
//    slash, HTTP APIs do not: aws-powertools-lambda-python e2e test_api_gateway_http_trailing_slash expects
//    the 404), and a route key ending in `/` is rejected by API Gateway (CDK refuses it, deploys fail with
//    "invalid route"; serverless would also give `/x` and `/x/` the same logical id). A greedy variable
//    catches everything below `/<name>/`, and is what is used in production for exactly this trailing
//    slash (storacha/w3infra `GET /metrics/{proxy+}`; not verifiable against AWS from here — an e2e
//    check after the first deploy should curl `/<name>/` once). For pathId methods the same greedy route
//    carries the id, so pathId costs no extra route. The greedy variable is named `tail` on methods without
//    pathId so that `/<name>/x` never injects an `id` parameter (lib/pipeline/params.ts reads `id`/`proxy`).
//    Locally serverless-offline strips trailing slashes (hapi `stripTrailingSlash`), which is harmless.
//  * Per Lambda the framework emits Function + LogGroup + Version + Lambda::Permission + Integration. We keep
//    only Function + Integration:
//      - `provider.versionFunctions: false`           (no AWS::Lambda::Version per function)
//      - `disableLogs: true` + `provider.logs.lambda.logGroup` (Lambda LoggingConfig): one shared LogGroup
//        resource (MorLogGroup in serverless.yml, 30 days) instead of one per function; the log streams
//        are still named after each function.
//      - infra/lean-stack.cjs (local plugin): the HTTP API invokes the functions through ONE IAM role
//        (`CredentialsArn` on each integration) instead of one AWS::Lambda::Permission per function.
//
// Measured with `osls package --stage prod` on generated handlers (75 methods, 32 aliases, 3 pathId,
// 3 jobs, 3 v2 routes): 389 resources = 81 functions + 78 integrations + 217 routes + 13 others.
// Without the invoke role it is 466; the naive layout (GET+POST x 3 path variants, per-function log
// group, version and permission) would be ~850. Cost of growth: +4 per method, +2 per alias.
// test/unit/template.test.ts asserts < 500 and projects the current template to the full API (< 450).
//
// Other handler kinds:
//  * functions/jobs/<name>.ts exporting `handler`, annotated with comment lines
//      // @schedule rate(1 hour)          (one or more; any EventBridge schedule expression)
//      // @stream                         (DynamoDB stream of the table; optional key=value:
//                                         batchSize, batchWindow, maximumRetryAttempts, startingPosition,
//                                         bisectBatchOnFunctionError, functionResponseType)
//  * functions/v2/<name>.ts with `defineRestRoute({ route: 'POST /billing/api/v2/...' })` — every `route:`
//    string (or `routes: [...]`) becomes one exact httpApi route.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const SERVICE = 'morless';
const API_PREFIX = '/billing/api';
const ROOT = path.resolve(__dirname, '..');
const FUNCTIONS_DIR = 'functions';
const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const NAME_RE = /^[A-Za-z0-9_]+$/;
const LAMBDA_NAME_MAX = 64;

const toPosix = (p) => p.split(path.sep).join('/');

function listTsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === '__tests__') continue;
      out.push(...listTsFiles(full));
    } else if (
      entry.isFile() &&
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !/\.(test|spec)\.ts$/.test(entry.name)
    ) {
      out.push(full);
    }
  }
  return out.sort();
}

/** Source without block comments and whole-line `//` comments (keeps strings such as 'https://x' intact). */
const stripComments = (src) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '');

const quoted = /(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g;
const stringsIn = (text) => [...text.matchAll(quoted)].map((m) => m[2]);

function exportsHandler(code) {
  return /export\s+(?:const|let|var)\s+handler\b|export\s+(?:async\s+)?function\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/.test(
    code
  );
}

function parseMethodFile(code, rel) {
  const start = code.indexOf('defineMethod(');
  const decl = code.slice(start);
  const m = decl.match(/\bmethod\s*:\s*(['"`])([^'"`]+)\1/);
  if (!m) throw new Error(`${rel}: defineMethod(...) without a literal \`method: '...'\``);
  const method = m[2];
  let aliases = [];
  const a = decl.match(/\baliases\s*:\s*\[([^\]]*)\]/);
  if (a) aliases = stringsIn(a[1]);
  const pathId = /\bpathId\s*:\s*true\b/.test(decl);
  for (const name of [method, ...aliases]) {
    if (!NAME_RE.test(name)) throw new Error(`${rel}: invalid MOR method/alias name "${name}"`);
  }
  return { method, aliases, pathId };
}

function parseRoutes(code, rel) {
  const routes = [];
  for (const m of code.matchAll(/\broute\s*:\s*(['"`])([^'"`]+)\1/g)) routes.push(m[2]);
  for (const m of code.matchAll(/\broutes\s*:\s*\[([^\]]*)\]/g)) routes.push(...stringsIn(m[1]));
  return routes.map((r) => {
    const mm = r.trim().match(/^([A-Za-z]+)\s+(\/\S*)$/);
    if (!mm || !HTTP_METHODS.includes(mm[1].toUpperCase())) {
      throw new Error(`${rel}: invalid route "${r}" (expected "<METHOD> /path")`);
    }
    return { method: mm[1].toUpperCase(), path: mm[2] };
  });
}

function parseAnnotations(raw, rel) {
  const schedules = [...raw.matchAll(/^[ \t]*\/\/[ \t]*@schedule[ \t]+(.+?)[ \t]*$/gm)].map((m) => m[1]);
  const streamMatch = raw.match(/^[ \t]*\/\/[ \t]*@stream\b(.*)$/m);
  let stream = null;
  if (streamMatch) {
    stream = {};
    for (const kv of streamMatch[1].trim().split(/\s+/).filter(Boolean)) {
      const [k, v] = kv.split('=');
      if (v === undefined) throw new Error(`${rel}: @stream option "${kv}" is not key=value`);
      stream[k] = /^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    }
  }
  return { schedules, stream };
}

/**
 * Reads functions/**\/*.ts. Returns the manifest: `methods` ({ method, aliases, pathId, file, key }),
 * `aliases` (method → aliases), `jobs`, `rest` (v2 handlers) and `names` (every MOR route name).
 */
function scan(rootDir = ROOT) {
  const methods = [];
  const jobs = [];
  const rest = [];
  for (const file of listTsFiles(path.join(rootDir, FUNCTIONS_DIR))) {
    const rel = toPosix(path.relative(rootDir, file));
    const raw = fs.readFileSync(file, 'utf8');
    const code = stripComments(raw);
    const base = path.basename(file, '.ts');
    const annotations = parseAnnotations(raw, rel);
    if (code.includes('defineMethod(')) {
      methods.push({ ...parseMethodFile(code, rel), file: rel });
    } else if (code.includes('defineRestRoute(')) {
      const routes = parseRoutes(code, rel);
      if (!routes.length) throw new Error(`${rel}: defineRestRoute(...) without a literal \`route: '...'\``);
      rest.push({ name: base, routes, file: rel });
    } else if (annotations.schedules.length || annotations.stream || rel.startsWith(`${FUNCTIONS_DIR}/jobs/`)) {
      if (!exportsHandler(code)) continue; // a helper module next to the jobs
      jobs.push({ name: base, schedules: annotations.schedules, stream: annotations.stream, file: rel });
    }
    // anything else under functions/ is a helper module, not a Lambda
  }

  // Function keys (serverless names) — unique, valid, deterministic.
  const keys = new Map();
  const claim = (key, file) => {
    if (keys.has(key)) throw new Error(`duplicate function "${key}" (${keys.get(key)} and ${file})`);
    keys.set(key, file);
    return key;
  };
  for (const m of methods) m.key = claim(m.method, m.file);
  for (const j of jobs) j.key = claim(`job_${j.name.replace(/[^A-Za-z0-9]/g, '_')}`, j.file);
  for (const r of rest) r.key = claim(`v2_${r.name.replace(/[^A-Za-z0-9]/g, '_')}`, r.file);

  // Every MOR name is routed once.
  const owner = new Map();
  for (const m of methods) {
    for (const name of [m.method, ...m.aliases]) {
      if (owner.has(name)) throw new Error(`MOR name "${name}" declared by ${owner.get(name)} and ${m.file}`);
      owner.set(name, m.file);
    }
  }

  const names = methods.flatMap((m) => [m.method, ...m.aliases]).sort();
  const aliases = Object.fromEntries(methods.map((m) => [m.method, [...m.aliases]]));
  return { methods, jobs, rest, names, aliases };
}

/** The httpApi routes of one MOR name. */
function routesFor(name, pathId) {
  return [
    { method: 'ANY', path: `${API_PREFIX}/${name}` },
    { method: 'ANY', path: `${API_PREFIX}/${name}/${pathId ? '{id+}' : '{tail+}'}` },
  ];
}

/** Same normalisation as osls naming.getHttpApiRouteLogicalId — two routes must not share a logical id. */
const routeLogicalId = (method, p) =>
  `HttpApiRoute${`${method} ${p}`
    .split('/')
    .map((part) => {
      const s = String(part)
        .toLowerCase()
        .replace(/-/g, 'Dash')
        .replace(/\{(.*)\}/g, '$1Var')
        .replace(/[^0-9A-Za-z]/g, '');
      return s.charAt(0).toUpperCase() + s.slice(1);
    })
    .join('')}`;

/** Lambda names are limited to 64 characters: shorten long ones deterministically. */
function lambdaName(stage, key) {
  const full = `${SERVICE}-${stage}-${key}`;
  if (full.length <= LAMBDA_NAME_MAX) return undefined; // framework default (same string)
  const hash = crypto.createHash('sha1').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, LAMBDA_NAME_MAX - 9)}-${hash}`;
}

const handlerOf = (file) => `${file.replace(/\.ts$/, '')}.handler`;

/** The serverless `functions` object for a manifest. */
function buildFunctions(manifest, stage = 'dev') {
  const functions = {};
  const seenRoutes = new Map();
  const addRoute = (key, r) => {
    const id = routeLogicalId(r.method, r.path);
    const routeKey = `${r.method} ${r.path}`;
    if (seenRoutes.has(id)) {
      throw new Error(`route "${routeKey}" (${key}) collides with "${seenRoutes.get(id)}" in the template`);
    }
    seenRoutes.set(id, `${routeKey} (${key})`);
    return { httpApi: { method: r.method === 'ANY' ? '*' : r.method, path: r.path } };
  };
  const base = (key, file) => {
    const fn = { handler: handlerOf(file), disableLogs: true };
    const name = lambdaName(stage, key);
    if (name) fn.name = name;
    return fn;
  };

  for (const m of manifest.methods) {
    functions[m.key] = {
      ...base(m.key, m.file),
      events: [m.method, ...m.aliases].flatMap((name) => routesFor(name, m.pathId).map((r) => addRoute(m.key, r))),
    };
  }
  for (const r of manifest.rest) {
    functions[r.key] = { ...base(r.key, r.file), events: r.routes.map((route) => addRoute(r.key, route)) };
  }
  for (const j of manifest.jobs) {
    const events = j.schedules.map((rate) => ({ schedule: rate }));
    if (j.stream) {
      const { startingPosition = 'LATEST', batchSize = 100, ...rest } = j.stream;
      events.push({
        stream: {
          type: 'dynamodb',
          arn: { 'Fn::GetAtt': ['MorTable', 'StreamArn'] },
          startingPosition,
          batchSize,
          ...rest,
        },
      });
    }
    functions[j.key] = { ...base(j.key, j.file), timeout: 300, events };
  }
  return functions;
}

/** All routes (method, path) that the template must contain, for tests. */
function expectedRoutes(manifest) {
  const out = [];
  for (const m of manifest.methods) {
    for (const name of [m.method, ...m.aliases]) {
      for (const r of routesFor(name, m.pathId)) out.push({ name, function: m.key, routeKey: `${r.method} ${r.path}` });
    }
  }
  for (const r of manifest.rest) {
    for (const route of r.routes) out.push({ name: r.name, function: r.key, routeKey: `${route.method} ${route.path}` });
  }
  return out;
}

module.exports = {
  /** `${file(./infra/functions.cjs):functions}` — osls calls it with ({ options, resolveVariable }). */
  functions: async ({ resolveVariable } = {}) => {
    const stage = resolveVariable ? await resolveVariable('sls:stage') : 'dev';
    return buildFunctions(scan(), stage);
  },
  /** method → aliases, read fresh from functions/. */
  get manifest() {
    return scan().aliases;
  },
  scan,
  buildFunctions,
  expectedRoutes,
  routesFor,
  routeLogicalId,
  API_PREFIX,
};
