// Child-process lifecycle shared by the scripts: no child may outlive the script that started it.
import { constants } from 'node:os';

const live = new Set();

// Last resort for every way Node can exit on its own (process.exit, uncaught error, end of work):
// 'exit' handlers must be synchronous, so there is no time for a polite SIGTERM.
process.on('exit', () => {
  for (const child of live) signalChild(child, 'SIGKILL');
});

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Registers `child` so it is killed when this process exits. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function signalChild(child, signal) {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}

/** Sends `signal`, escalates to SIGKILL after `timeoutMs`, resolves once the child has exited. */
export function stopChild(child, { signal = 'SIGTERM', timeoutMs = 5000 } = {}) {
  if (!child || child.pid === undefined || hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalChild(child, signal);
  });
}

/** Resolves with the exit status of `child`, shell-style (128 + signal number when killed). */
export const exitStatus = (child) =>
  new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });

/**
 * Calls `handler(signal)` once on SIGINT, SIGTERM or SIGHUP. Later signals are ignored so a second
 * Ctrl-C (or npm forwarding the same one) cannot interrupt the cleanup the first one started.
 */
export function onShutdownSignal(handler) {
  let called = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (called) return;
      called = true;
      handler(signal);
    });
  }
}
