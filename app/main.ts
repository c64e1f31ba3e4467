import { ConfigError } from './config/config-error.js';
import { createLogger } from './logger.js';
import { startHelpdesk } from './runtime.js';
import { ServiceSetupError } from './services/process-util.js';

/**
 * `npm start`: runs the helpdesk until SIGTERM/SIGINT, then shuts down gracefully (HTTP server
 * closed, running jobs finished, connections closed). Configuration errors exit with status 2.
 */
const bootLog = createLogger(process.env.LOG_LEVEL ?? 'info');
// A background call that fails (e.g. Slack's auth.test when the API is unreachable at start) is
// logged, not fatal: the helpdesk keeps serving the other platforms and retries on the next request.
process.on('unhandledRejection', (err) => bootLog.error({ err }, 'unhandled rejection'));
try {
  // Role `all`: the worker role runs from this same entry script in a child process (app/worker-process.ts).
  const running = await startHelpdesk(process.env, bootLog, { workerProcessEntry: process.argv[1] });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bootLog.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      bootLog.error('shutdown took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        bootLog.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A worker process of `npm start`: its parent went away (crashed or killed) — so does it, at once
  // (every job is at-least-once; a graceful stop comes as SIGTERM before the channel closes).
  if (process.send) process.on('disconnect', () => process.exit(1));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (e) {
  if (e instanceof ConfigError || e instanceof ServiceSetupError) {
    // Plain text on stderr: the operator needs the list of problems, not a JSON blob.
    process.stderr.write(`helpdesk: ${e.message}\n`);
    process.exit(2);
  }
  bootLog.fatal({ err: e }, 'start-up failed');
  process.exit(1);
}
