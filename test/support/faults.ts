/**
 * Fault injection for the DynamoDB client the handlers use: DynamoDB Local never throttles, times out
 * or cancels transactions by itself, so tests make chosen calls fail inside the SDK's retry loop.
 */
import { db } from '../../lib/db/client.js';

export interface Fault {
  /** Which commands fail (e.g. 'TransactWriteItemsCommand' or /Query/); all when omitted. */
  command?: RegExp;
  /** Error name thrown (ThrottlingException, TransactionCanceledException, TimeoutError, …). */
  name: string;
  /** How many calls fail before calls succeed again (Infinity = all). */
  times?: number;
}

let active: (Fault & { remaining: number; attempts: number }) | undefined;
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = active;
      if (fault && fault.remaining > 0 && (!fault.command || fault.command.test(String(context.commandName)))) {
        fault.remaining -= 1;
        fault.attempts += 1;
        const error = Object.assign(new Error(`injected ${fault.name}`), {
          name: fault.name,
          $fault: 'server',
          $metadata: { httpStatusCode: fault.name === 'ThrottlingException' ? 400 : 500, attempts: 1 },
          ...(fault.name === 'TransactionCanceledException' ? { CancellationReasons: [{ Code: 'TransactionConflict' }] } : {}),
        });
        throw error;
      }
      return next(args);
    },
    { step: 'deserialize', name: 'morlessFaultInjection', override: true },
  );
}

/** Runs `body` with the fault active; returns how many calls were failed. */
export async function withFault<T>(fault: Fault, body: () => Promise<T>): Promise<{ result: T; failedCalls: number }> {
  install();
  active = { ...fault, remaining: fault.times ?? Infinity, attempts: 0 };
  try {
    const result = await body();
    return { result, failedCalls: active.attempts };
  } finally {
    active = undefined;
  }
}
