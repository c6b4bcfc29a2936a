/**
 * Packages the service for prod (`osls package --stage prod --package <tmp>`, no AWS access) and checks
 * the CloudFormation template against the handler files. Expectations come from the manifest that
 * infra/functions.cjs scans out of functions/, never from a hard-coded list of methods.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Resource = { Type: string; Properties?: any; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, any> };
interface MethodEntry { method: string; aliases: string[]; pathId: boolean; file: string; key: string }
interface Manifest {
  methods: MethodEntry[];
  jobs: { name: string; key: string; file: string; schedules: string[]; stream: Record<string, unknown> | null }[];
  rest: { name: string; key: string; file: string; routes: { method: string; path: string }[] }[];
  names: string[];
  aliases: Record<string, string[]>;
}
interface Infra {
  scan: () => Manifest;
  expectedRoutes: (m: Manifest) => { name: string; function: string; routeKey: string }[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const infra = createRequire(import.meta.url)(join(ROOT, 'infra/functions.cjs')) as Infra;
const tableAccess = createRequire(import.meta.url)(join(ROOT, 'infra/table-access.cjs')) as {
  analyse: (files: string[], root: string) => Promise<Map<string, string[]>>;
};

const STAGE = 'prod';
const DATA_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query',
  'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem',
];
const STREAM_ACTIONS = ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'];
/** Every method of MOR's index is declared; the stack keeps room for this many more under CloudFormation's 500. */
const HEADROOM_METHODS = 4;
/** Canary handed to osls as a "credential": it must never show up in the template. */
const CANARY_SECRET = 'canary-Secret-0123456789abcdefABCDEF0123';

let dir = '';
let template: Template;
let manifest: Manifest;
let packageLog = '';

const resources = () => Object.entries(template.Resources);
const ofType = (type: string) => resources().filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'morless-package-'));
  manifest = infra.scan();
  const bin = join(ROOT, 'node_modules/.bin');
  const run = spawnSync(join(bin, 'osls'), ['package', '--stage', STAGE, '--package', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      AWS_ACCESS_KEY_ID: 'package-test-dummy',
      AWS_SECRET_ACCESS_KEY: CANARY_SECRET,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      // own esbuild work folder: never delete the bundles of a running `osls offline` or a parallel run
      MORLESS_BUILD_SUFFIX: `-unit-${process.pid}`,
    },
  });
  packageLog = `${run.stdout ?? ''}\n${run.stderr ?? ''}\n${run.error ? String(run.error) : ''}`;
  if (run.status !== 0) throw new Error(`osls package failed (status ${run.status}):\n${packageLog}`);
  template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('DynamoDB table', () => {
  it('is retained, protected against deletion and backed up (PITR)', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toEqual(['MorTable']);
    const [, table] = tables[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.TableName).toBe(`morless-${STAGE}`);
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.StreamSpecification?.StreamViewType).toBeTruthy();
  });

  it('is an output, as is the API URL', () => {
    expect(template.Outputs?.TableName?.Value).toEqual({ Ref: 'MorTable' });
    if (manifest.methods.length + manifest.rest.length > 0) expect(template.Outputs?.HttpApiUrl).toBeDefined();
  });
});

describe('routes', () => {
  const routeTable = () => {
    const byKey = new Map<string, string>(); // routeKey → handler of the integrated function
    for (const [id, route] of ofType('AWS::ApiGatewayV2::Route')) {
      const integrationRef = route.Properties.Target?.['Fn::Join']?.[1]?.[1]?.Ref as string | undefined;
      const integration = integrationRef ? template.Resources[integrationRef] : undefined;
      const fnId = integration?.Properties?.IntegrationUri?.['Fn::GetAtt']?.[0] as string | undefined;
      const fn = fnId ? template.Resources[fnId] : undefined;
      expect(fn?.Type, `route ${id} must reach a Lambda`).toBe('AWS::Lambda::Function');
      expect(byKey.has(route.Properties.RouteKey), `duplicate route ${route.Properties.RouteKey}`).toBe(false);
      byKey.set(route.Properties.RouteKey, fn!.Properties.Handler);
    }
    return byKey;
  };
  const handlerOf = (file: string) => `${file.replace(/\.ts$/, '')}.handler`;

  it('route every method and alias, with and without trailing slash, to its own handler (GET and POST via ANY)', () => {
    const routes = routeTable();
    for (const m of manifest.methods) {
      for (const name of [m.method, ...m.aliases]) {
        const base = `/billing/api/${name}`;
        expect(routes.get(`ANY ${base}`), `${name} (${m.file})`).toBe(handlerOf(m.file));
        // `/<name>/` (and `/<name>/<id>` for pathId methods) reach the greedy route
        const greedy = `ANY ${base}/${m.pathId ? '{id+}' : '{tail+}'}`;
        expect(routes.get(greedy), `${name}/ (${m.file})`).toBe(handlerOf(m.file));
      }
    }
  });

  it('route the v2 REST handlers exactly as declared', () => {
    const routes = routeTable();
    for (const r of manifest.rest) {
      for (const route of r.routes) expect(routes.get(`${route.method} ${route.path}`), r.file).toBe(handlerOf(r.file));
    }
  });

  it('have no route the manifest does not explain', () => {
    const expected = new Set(infra.expectedRoutes(manifest).map((r) => r.routeKey));
    expect([...routeTable().keys()].filter((k) => !expected.has(k))).toEqual([]);
    expect(routeTable().size).toBe(expected.size);
  });
});

describe('jobs', () => {
  it('are scheduled or attached to the table stream as annotated', () => {
    for (const job of manifest.jobs) {
      const fnId = resources().find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === `${job.file.replace(/\.ts$/, '')}.handler`)?.[0];
      expect(fnId, job.file).toBeDefined();
      const targets = (r: Resource) => asArray(r.Properties?.Targets).some((t: any) => t?.Arn?.['Fn::GetAtt']?.[0] === fnId);
      const rules = ofType('AWS::Events::Rule').filter(([, r]) => targets(r)).map(([, r]) => r.Properties.ScheduleExpression);
      expect(rules.sort(), job.file).toEqual([...job.schedules].sort());
      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) => r.Properties.FunctionName?.['Fn::GetAtt']?.[0] === fnId);
      expect(mappings.length, job.file).toBe(job.stream ? 1 : 0);
      if (job.stream) expect(mappings[0]![1].Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['MorTable', 'StreamArn'] });
    }
  });
});

describe('stack size', () => {
  it('stays under the 500-resource limit, with room for a few more methods', () => {
    const total = resources().length;
    const aliasCount = manifest.names.length - manifest.methods.length;
    // a method costs Function + Integration + 2 routes
    const projected = total + 4 * HEADROOM_METHODS;
    console.info(`template: ${total} resources (${manifest.methods.length} methods, ${aliasCount} aliases, ` +
      `${manifest.jobs.length} jobs, ${manifest.rest.length} v2, ${ofType('AWS::IAM::Role').length} roles); with ${HEADROOM_METHODS} more methods: ${projected}`);
    expect(projected).toBeLessThan(500);
  });

  it('spends no resource per function on versions, log groups or invoke permissions', () => {
    expect(ofType('AWS::Lambda::Version')).toEqual([]);
    expect(ofType('AWS::Logs::LogGroup').map(([id]) => id)).toEqual(['MorLogGroup']);
    expect(resources().filter(([id]) => id.endsWith('LambdaPermissionHttpApi'))).toEqual([]);
    for (const [, integration] of ofType('AWS::ApiGatewayV2::Integration')) {
      expect(integration.Properties.CredentialsArn).toEqual({ 'Fn::GetAtt': ['HttpApiInvokeRole', 'Arn'] });
    }
  });

  it('runs every function on nodejs22.x / arm64 and logs to the shared 30-day group', () => {
    const logGroup = template.Resources.MorLogGroup!;
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBe(manifest.methods.length + manifest.jobs.length + manifest.rest.length);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.MemorySize, id).toBe(512);
      expect(fn.Properties.LoggingConfig?.LogGroup, id).toBe(logGroup.Properties.LogGroupName);
      expect(fn.Properties.Environment?.Variables?.TABLE_NAME, id).toBe(`morless-${STAGE}`);
      expect(fn.Properties.FunctionName.length, id).toBeLessThanOrEqual(64);
      expect(asArray(fn.DependsOn), id).toContain('MorLogGroup');
      const artifact = join(dir, String(fn.Properties.Code.S3Key).split('/').pop() ?? '');
      expect(existsSync(artifact) && statSync(artifact).size > 0, `${id} artifact ${artifact}`).toBe(true);
    }
  });
});

describe('IAM', () => {
  const statementsOf = (roleId: string) =>
    asArray(template.Resources[roleId]?.Properties?.Policies).flatMap((p: any) => asArray(p.PolicyDocument.Statement)) as any[];
  const tableArn = { 'Fn::GetAtt': ['MorTable', 'Arn'] };
  const functions = () => ofType('AWS::Lambda::Function');
  const roleOf = (fn: Resource) => fn.Properties.Role['Fn::GetAtt'][0] as string;
  const fileOf = (fn: Resource) => `${String(fn.Properties.Handler).replace(/\.handler$/, '')}.ts`;
  const grantedTo = (roleId: string) => statementsOf(roleId).flatMap((s) => asArray<string>(s.Action)).sort();
  let needs: Map<string, string[]>;

  beforeAll(async () => {
    needs = await tableAccess.analyse(functions().map(([, fn]) => fileOf(fn)), ROOT);
  }, 120_000);

  it('gives each function a role with exactly the actions its own bundle uses (plus logging, plus the stream for stream jobs)', () => {
    for (const [id, fn] of functions()) {
      const file = fileOf(fn);
      const streamJob = manifest.jobs.some((j) => j.file === file && j.stream);
      const expected = [...needs.get(file)!, 'logs:CreateLogStream', 'logs:PutLogEvents', ...(streamJob ? STREAM_ACTIONS : [])].sort();
      expect(grantedTo(roleOf(fn)), `${id} (${file})`).toEqual(expected);
    }
  });

  it('grants table actions on the table and its indexes only, secrets on the stage path only, the stream on the stream only', () => {
    const roles = new Set(functions().map(([, fn]) => roleOf(fn)));
    for (const roleId of roles) {
      for (const s of statementsOf(roleId)) {
        expect(s.Effect).toBe('Allow');
        const actions = asArray<string>(s.Action);
        const resourcesOf = asArray<any>(s.Resource);
        expect(resourcesOf.length, JSON.stringify(s)).toBeGreaterThan(0);
        expect(resourcesOf, 'no wildcard resource').not.toContain('*');
        for (const a of actions) expect(a.endsWith('*'), `wildcard action ${a}`).toBe(false);
        if (actions.every((a) => STREAM_ACTIONS.includes(a))) {
          expect(resourcesOf).toEqual([{ 'Fn::GetAtt': ['MorTable', 'StreamArn'] }]);
        } else if (actions.every((a) => a.startsWith('dynamodb:'))) {
          for (const a of actions) expect(DATA_ACTIONS, a).toContain(a);
          expect(resourcesOf).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
        } else if (actions.includes('ssm:GetParameter')) {
          expect(actions, 'SSM: read one parameter, nothing else').toEqual(['ssm:GetParameter']);
          for (const r of resourcesOf) expect(JSON.stringify(r)).toMatch(/:parameter\/morless\/prod\/\*/);
        } else {
          expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        }
      }
    }
  });

  it('keeps reading methods away from writes and the JWT key away from the XML API', () => {
    const granted = (file: string) => {
      const fn = functions().find(([, f]) => fileOf(f) === file)?.[1];
      expect(fn, file).toBeDefined();
      return grantedTo(roleOf(fn!));
    };
    for (const file of ['functions/system/system_version_get.ts', 'functions/users/user_details_get.ts', 'functions/users/users_get.ts']) {
      const actions = granted(file);
      for (const write of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem']) {
        expect(actions, `${file} must not ${write}`).not.toContain(write);
      }
    }
    expect(granted('functions/balance/user_balance_update.ts')).toContain('dynamodb:UpdateItem');
    for (const [, fn] of functions()) {
      const file = fileOf(fn);
      if (!file.startsWith('functions/v2/')) expect(grantedTo(roleOf(fn)), file).not.toContain('ssm:GetParameter');
    }
    expect(granted('functions/v2/authentication_login.ts')).toContain('ssm:GetParameter');
  });

  it('lets API Gateway invoke this stage\'s functions only', () => {
    if (!ofType('AWS::ApiGatewayV2::Integration').length) return;
    const statements = statementsOf('HttpApiInvokeRole');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('lambda:InvokeFunction');
    expect(statements[0].Resource['Fn::Sub']).toMatch(new RegExp(`:function:morless-${STAGE}-\\*$`));
  });

  it('has no shared execution role, no roles nobody uses, and no other policies', () => {
    const used = new Set(functions().map(([, fn]) => roleOf(fn)));
    const roles = ofType('AWS::IAM::Role').map(([id]) => id).sort();
    const invoke = ofType('AWS::ApiGatewayV2::Integration').length ? ['HttpApiInvokeRole'] : [];
    expect(roles).toEqual([...invoke, ...used].sort());
    expect(roles).not.toContain('IamRoleLambdaExecution');
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
    expect(ofType('AWS::IAM::ManagedPolicy')).toEqual([]);
  });
});

describe('secrets', () => {
  const SECRET_NAME = /secret|passw|token|private|api_?key|credential|signing|jwt/i;

  it('no literal credential or key material anywhere in the template', () => {
    const text = JSON.stringify(template);
    expect(text).not.toContain(CANARY_SECRET);
    expect(text).not.toContain('package-test-dummy');
    expect(text).not.toMatch(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(text).not.toMatch(/\bxox[baprs]-|\bghp_[0-9A-Za-z]{20,}|\bsk_live_/);
  });

  it('secret-looking environment variables only reference a secret store (SSM name or dynamic reference)', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      for (const [key, value] of Object.entries<any>(fn.Properties.Environment?.Variables ?? {})) {
        if (!SECRET_NAME.test(key)) continue;
        const isReference =
          (typeof value === 'string' && (/^\/[\w./-]+$/.test(value) || /^\{\{resolve:(ssm|ssm-secure|secretsmanager):/.test(value) || /^arn:aws[\w-]*:(ssm|secretsmanager):/.test(value))) ||
          (typeof value === 'object' && value !== null);
        expect(isReference, `${id}: ${key} holds a literal value`).toBe(true);
      }
    }
  });
});
