// Local osls plugin (listed in serverless.yml after ./infra/lean-stack.cjs): one IAM role per distinct set
// of actions, instead of the framework's one role for every function.
//
// The framework still builds its execution role from `provider.iam.role.statements`; that role is the
// ceiling and the source of the resources (table and indexes, stream, the stage's SSM path, the shared log
// group). For each function infra/table-access.cjs reads from the function's own bundle which DynamoDB and
// SSM actions it can make; the function gets a role holding exactly those actions (plus logging, plus the
// stream actions for stream functions). Functions with equal needs share a role, so the stack grows by a
// handful of roles, not one per function. An action the ceiling does not grant fails the packaging.
'use strict';

const { analyse } = require('./table-access.cjs');

const BASE_ROLE = 'IamRoleLambdaExecution';
const STREAM_ACTIONS = ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'];
/** Short names for role ids: FunctionRoleGetPutQuery, FunctionRoleGetUpdateSecret … */
const SHORT = {
  'dynamodb:GetItem': 'Get',
  'dynamodb:PutItem': 'Put',
  'dynamodb:UpdateItem': 'Update',
  'dynamodb:DeleteItem': 'Delete',
  'dynamodb:ConditionCheckItem': 'Check',
  'dynamodb:Query': 'Query',
  'dynamodb:BatchGetItem': 'BatchGet',
  'dynamodb:BatchWriteItem': 'BatchWrite',
  'ssm:GetParameter': 'Secret',
};
const ORDER = Object.keys(SHORT);

const asArray = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The ceiling role's statements, by what they are for. */
function classify(statements) {
  const out = { data: undefined, stream: undefined, ssm: undefined, other: [] };
  for (const statement of statements) {
    const actions = asArray(statement.Action);
    if (actions.every((a) => STREAM_ACTIONS.includes(a))) out.stream = statement;
    else if (actions.every((a) => a.startsWith('dynamodb:'))) out.data = statement;
    else if (actions.every((a) => a.startsWith('ssm:'))) out.ssm = statement;
    else out.other.push(statement);
  }
  return out;
}

class LeastPrivilege {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = { 'after:package:compileEvents': () => this.apply() };
  }

  async apply() {
    const service = this.serverless.service;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const base = resources[BASE_ROLE];
    if (!base) return;
    const ceiling = classify(base.Properties.Policies.flatMap((p) => asArray(p.PolicyDocument.Statement)));

    const functions = service.getAllFunctions().map((name) => {
      const fn = service.getFunction(name);
      return {
        logicalId: this.provider.naming.getLambdaLogicalId(name),
        file: `${fn.handler.replace(/\.[^.]+$/, '')}.ts`,
        stream: asArray(fn.events).some((event) => event.stream),
      };
    });
    const needs = await analyse(functions.map((fn) => fn.file), this.serverless.serviceDir || process.cwd());

    const roles = new Map();
    for (const fn of functions) {
      const actions = needs.get(fn.file);
      const roleId = `FunctionRole${[...actions].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).map((a) => SHORT[a]).join('')}${fn.stream ? 'Stream' : ''}`;
      if (!roles.has(roleId)) roles.set(roleId, this.role(base, ceiling, actions, fn.stream, fn.file));
      const resource = resources[fn.logicalId];
      resource.Properties.Role = { 'Fn::GetAtt': [roleId, 'Arn'] }; // also the function's dependency on its role
      fn.roleId = roleId;
    }
    Object.assign(resources, Object.fromEntries(roles));

    // Stream mappings wait for the roles of the functions they feed (the framework made them wait for its role).
    const roleOfArn = new Map(functions.map((fn) => [fn.logicalId, fn.roleId]));
    for (const resource of Object.values(resources)) {
      if (!asArray(resource.DependsOn).includes(BASE_ROLE)) continue;
      const target = resource.Properties && resource.Properties.FunctionName && resource.Properties.FunctionName['Fn::GetAtt'];
      const roleId = target && roleOfArn.get(target[0]);
      if (!roleId) throw new Error(`least-privilege: cannot tell which role ${JSON.stringify(resource).slice(0, 120)} waits for`);
      resource.DependsOn = asArray(resource.DependsOn).map((id) => (id === BASE_ROLE ? roleId : id));
    }
    delete resources[BASE_ROLE];
    if (JSON.stringify(service.provider.compiledCloudFormationTemplate).includes(BASE_ROLE)) {
      throw new Error(`least-privilege: the template still refers to ${BASE_ROLE}`);
    }
  }

  role(base, ceiling, actions, stream, file) {
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:'));
    const ssm = actions.filter((a) => a.startsWith('ssm:'));
    const allowed = (statement) => new Set(statement ? asArray(statement.Action) : []);
    const beyond = [...dynamo.filter((a) => !allowed(ceiling.data).has(a)), ...ssm.filter((a) => !allowed(ceiling.ssm).has(a))];
    if (beyond.length) throw new Error(`least-privilege: ${file} needs ${beyond.join(', ')}, beyond provider.iam.role.statements`);
    if (stream && !ceiling.stream) throw new Error(`least-privilege: ${file} reads the stream, but the framework granted no stream access`);
    const statements = [
      ...(dynamo.length ? [{ ...ceiling.data, Action: dynamo }] : []),
      ...(ssm.length ? [{ ...ceiling.ssm, Action: ssm }] : []),
      ...(stream ? [ceiling.stream] : []),
      ...ceiling.other,
    ];
    const { RoleName: _shared, Policies: _all, ...properties } = base.Properties;
    return {
      Type: 'AWS::IAM::Role',
      Properties: {
        ...properties,
        Policies: [{ PolicyName: 'least-privilege', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    };
  }
}

module.exports = LeastPrivilege;
