/**
 * Runtime evidence for the per-function IAM roles (infra/least-privilege.cjs): while a test runs a handler
 * through `asFunction`, every DynamoDB request it makes is checked against the actions infra/table-access.cjs
 * read from that handler's bundle — the actions its deployed role will hold. A request outside them would be
 * AccessDenied in AWS; here it is recorded and fails the test (test/support/integration-setup.ts).
 * Inert outside the integration tier (bench, scripts): no action map, no checks.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Function name (MOR method, or a v2 route such as `POST /billing/api/v2/calls/import`) → IAM actions. */
export type TableAccessMap = Record<string, string[]>;

const WIRE_ACTIONS: Record<string, string> = {
  GetItemCommand: 'dynamodb:GetItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  BatchWriteItemCommand: 'dynamodb:BatchWriteItem',
  TransactGetItemsCommand: 'dynamodb:GetItem',
};
/** Transactions are authorised item by item. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function actionsOf(commandName: string, input: { TransactItems?: Record<string, unknown>[] }): string[] {
  if (commandName === 'TransactWriteItemsCommand') {
    return (input.TransactItems ?? []).flatMap((item) => Object.keys(item).map((kind) => TRANSACT_ITEM_ACTIONS[kind] ?? `dynamodb:?${kind}`));
  }
  return [WIRE_ACTIONS[commandName] ?? `dynamodb:?${commandName}`];
}

const running = new AsyncLocalStorage<{ name: string; allowed: ReadonlySet<string> }>();
let accessMap: TableAccessMap | undefined;
let installed = false;
const violations = new Set<string>();

/**
 * Sets the action map (and installs the check on the shared DynamoDB client the first time). The client is
 * imported here, not at the top: lib/db/client.ts reads TABLE_NAME when first imported, which the e2e
 * fixture sets only once its table exists.
 */
export async function useTableAccessMap(map: TableAccessMap | undefined): Promise<void> {
  accessMap = map;
  if (installed || !map) return;
  installed = true;
  const { db } = await import('../../lib/db/client.js');
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const fn = running.getStore();
      if (fn) {
        for (const action of actionsOf(context.commandName ?? '?', args.input as never)) {
          if (!fn.allowed.has(action)) violations.add(`${fn.name} made ${action}, which its role does not grant`);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'morlessTableAccessGuard' },
  );
}

/** Runs `work` as the Lambda `name` (checked when the map knows it). */
export function asFunction<T>(name: string, work: () => Promise<T>): Promise<T> {
  const allowed = accessMap?.[name];
  return allowed ? running.run({ name, allowed: new Set(allowed) }, work) : work();
}

/** The violations seen since the last call. */
export function takeTableAccessViolations(): string[] {
  const seen = [...violations];
  violations.clear();
  return seen;
}
