import { spawn, type ChildProcess } from 'node:child_process';
import type pino from 'pino';
import { lowerTreePriority } from './services/priority.js';
import { hasSetpriv } from './services/process-util.js';

export interface WorkerProcessOptions {
  /** The environment of this process; the child gets it with the overrides below. */
  env: NodeJS.ProcessEnv;
  /** What the child needs to reach the services this process started (MONGODB_URI, REDIS_URL). */
  overrides: Record<string, string>;
  /** The entry script (`app/main.ts` from sources, `dist/app/main.js` from the build). */
  entry: string;
  log: pino.Logger;
  /**
   * Scheduling priority of the child (`os.setPriority`, 0 = normal, 19 = lowest): above 0 the
   * acknowledging process wins the CPU when both want it, so a storm's processing never delays
   * its acknowledgements; the backlog drains with what is left. On a host shared with other busy
   * processes a niced worker can be starved until its job locks lapse.
   * @defaultValue 0
   */
  nice?: number;
}

export interface WorkerProcess {
  /** The running child's pid (tests, logs). */
  pid(): number | undefined;
  /** Stops the child gracefully (SIGTERM: it finishes its active jobs) and stops restarting it. */
  stop(): Promise<void>;
}

/**
 * Runs the `worker` role in a child process of `npm start` (role `all`): the intake, SLA, delivery
 * and automation workers then do not share an event loop with the HTTP receivers and the gateway,
 * which only verify, record and acknowledge (docs/storm.md). The child is restarted if it dies (1 s,
 * doubling to 30 s), and exits when this process goes away (its IPC channel closes), even on SIGKILL.
 */
export function startWorkerProcess(o: WorkerProcessOptions): WorkerProcess {
  let child: ChildProcess | undefined;
  let stopping = false;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    // setpriv --pdeathsig: the kernel sends SIGTERM to the child when this process dies, even by
    // SIGKILL (the IPC channel's close alone left orphaned workers running for an hour).
    const env: NodeJS.ProcessEnv = { ...o.env, ...o.overrides, HELPDESK_ROLE: 'worker' };
    const node = [process.execPath, ...withoutRepeatedImports(process.execArgv, env.NODE_OPTIONS), o.entry];
    const [file, ...args] = hasSetpriv() ? ['setpriv', '--pdeathsig', 'TERM', '--', ...node] : node;
    const c = spawn(file!, args, {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = c;
    // Every thread node has started by now (V8's, libuv's), not only the main one; later ones inherit.
    if (c.pid && o.nice && lowerTreePriority(c.pid, o.nice) === 0) o.log.warn({ pid: c.pid }, 'worker process: could not lower its priority');
    const startedAt = Date.now();
    o.log.info({ pid: c.pid }, 'worker role started in its own process');
    c.once('exit', (code, signal) => {
      if (stopping) return;
      // A child that ran a while starts again quickly; one that keeps dying backs off.
      delay = Date.now() - startedAt > 60_000 ? 1000 : Math.min(delay * 2, 30_000);
      o.log.error({ code, signal, restartInMs: delay }, 'worker process exited; restarting it');
      timer = setTimeout(start, delay);
    });
  };
  start();
  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      // Its own shutdown is bounded (30 s, app/main.ts); this is the backstop.
      const force = setTimeout(() => c.kill('SIGKILL'), 35_000);
      await exited;
      clearTimeout(force);
    },
  };
}

/**
 * This process's `--import` options less those NODE_OPTIONS (inherited by the child) already gives:
 * a module loader registered twice (`--import tsx` in both) can deadlock module loading on its hooks
 * thread (nodejs/node#51035); a test's runtime child stayed mute for minutes that way, once in a while.
 */
export function withoutRepeatedImports(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = new Set(importsOf(nodeOptions.split(/\s+/).filter(Boolean)));
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const spec = a === '--import' ? execArgv[i + 1] : a.startsWith('--import=') ? a.slice('--import='.length) : undefined;
    if (spec !== undefined && given.has(spec)) {
      if (a === '--import') i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function importsOf(args: readonly string[]): string[] {
  return args.flatMap((a, i) => (a === '--import' && args[i + 1] ? [args[i + 1]!] : a.startsWith('--import=') ? [a.slice('--import='.length)] : []));
}
