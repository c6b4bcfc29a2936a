// Which AWS actions each Lambda needs, read from its own bundle.
//
// Every handler is bundled the way serverless-esbuild deploys it (ESM, tree-shaken, `@aws-sdk/*` left
// external), and the SDK commands its remaining code constructs (`new GetCommand(`, `new
// TransactWriteCommand(` …) are mapped to IAM actions. Tree shaking drops the functions of a module the
// handler never reaches, so a listing method that imports lib/domain/users.ts does not inherit the
// transactions of user_register. infra/least-privilege.cjs turns the result into one IAM role per distinct
// set of actions; test/unit/template.test.ts checks the packaged template against it, and the
// integration tier (test/support/table-access-guard.ts) fails any call a handler makes outside its set.
'use strict';

const path = require('node:path');

/** SDK command → the IAM actions it needs (transactions are authorised item by item). */
const COMMAND_ACTIONS = {
  GetCommand: ['dynamodb:GetItem'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  QueryCommand: ['dynamodb:Query'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  TransactGetCommand: ['dynamodb:GetItem'],
  TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  GetParameterCommand: ['ssm:GetParameter'],
};

const COMMAND_RE = /\bnew\s+([A-Z][A-Za-z]*Command)\d*\s*\(/g;

/** The actions one bundle's code needs; an SDK command nobody mapped is an error, not a silent grant. */
function actionsOfBundle(code, label) {
  const actions = new Set();
  for (const [, command] of code.matchAll(COMMAND_RE)) {
    const granted = COMMAND_ACTIONS[command];
    if (!granted) throw new Error(`${label}: constructs ${command}, which infra/table-access.cjs does not map to IAM actions`);
    for (const action of granted) actions.add(action);
  }
  return [...actions].sort();
}

/**
 * Bundles the handler files (paths relative to `root`) and returns Map<file, sorted IAM actions>.
 * esbuild is loaded lazily: `osls offline` reads this file's siblings without needing it.
 */
async function analyse(files, root = path.resolve(__dirname, '..')) {
  const { build } = require('esbuild');
  const unique = [...new Set(files)];
  const result = await build({
    absWorkingDir: root,
    entryPoints: unique.map((file) => ({ in: file, out: file.replace(/\.ts$/, '') })),
    outdir: 'out',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  const byOutput = new Map(result.outputFiles.map((output) => [path.relative(path.join(root, 'out'), output.path), output.text]));
  return new Map(
    unique.map((file) => {
      const code = byOutput.get(file.replace(/\.ts$/, '.js'));
      if (code === undefined) throw new Error(`${file}: no bundle produced`);
      return [file, actionsOfBundle(code, file)];
    }),
  );
}

module.exports = { analyse };
