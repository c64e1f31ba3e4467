import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { withoutRepeatedImports } from '../../app/worker-process.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface RuntimeChild {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote (pino JSON lines), for failure messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /**
   * Sends `signal` to the runtime's whole process group: the runtime and, under the default
   * `HELPDESK_WORKER_PROCESS=on`, its worker child — a crash kills both, as an OOM kill of the
   * container would (SIGKILL to the runtime alone would let the worker finish its jobs gracefully).
   */
  kill(signal: NodeJS.Signals): void;
}

/**
 * Runs the real runtime (`app/main.ts`, as `npm start` does) in a child process with `env`, and
 * resolves once its HTTP server listens. Tests SIGKILL it to check what survives a crash.
 */
export async function startRuntimeChild(env: Record<string, string>, timeoutMs = 60_000): Promise<RuntimeChild> {
  try {
    return await spawnRuntime(env, timeoutMs, Math.min(90_000, timeoutMs / 2));
  } catch (e) {
    // Once in a full CI run a child wrote not one byte in 180 s (it starts in ~5 s alone, the runtime
    // logs within a second of loading): a process that stays mute is replaced once; a runtime that
    // talks and still does not listen fails the test as before.
    if (!(e instanceof MuteChild)) throw e;
    console.warn(`runtime child wrote nothing in ${e.ms} ms; killed and started again`);
    return spawnRuntime(env, timeoutMs);
  }
}

class MuteChild extends Error {
  constructor(readonly ms: number) {
    super(`runtime child wrote nothing in ${ms} ms`);
  }
}

async function spawnRuntime(env: Record<string, string>, timeoutMs: number, muteMs?: number): Promise<RuntimeChild> {
  // Node itself with tsx's loader (not the tsx CLI, which would put a second process in between): a
  // signal to `child` reaches the runtime.
  // NODE_OPTIONS may load tsx already (a preload needs it first): registering it twice can deadlock
  // module loading (nodejs/node#51035; a child here stayed mute for minutes now and then).
  const argv = withoutRepeatedImports(['--import', 'tsx'], env.NODE_OPTIONS);
  const child = spawn(process.execPath, [...argv, path.join(root, 'app/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so kill() reaches the worker child too.
    detached: true,
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal); // the group is gone already
    }
  };
  let out = '';
  let started = false;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind the failed test (it held ports and a database).
      kill('SIGKILL');
      reject(new Error(`runtime did not start in ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const mute = muteMs
      ? setTimeout(() => {
          if (out) return;
          clearTimeout(timer);
          kill('SIGKILL');
          reject(new MuteChild(muteMs));
        }, muteMs)
      : undefined;
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      if (started) return;
      // The pino line of the HTTP server: parse JSON lines, no pattern over the whole output.
      for (const line of out.split('\n')) {
        if (!line.includes('HTTP server listening')) continue;
        try {
          const port = (JSON.parse(line) as { port?: unknown }).port;
          if (typeof port === 'number') {
            clearTimeout(timer);
            clearTimeout(mute);
            started = true;
            resolve(port);
            return;
          }
        } catch {
          /* a partial line: wait for the rest */
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      clearTimeout(mute);
      if (!started) kill('SIGKILL'); // a worker child it may have started
      reject(new Error(`runtime exited during start-up:\n${out.slice(-4000)}`));
    });
  });
  return { child, port, output: () => out, exited, kill };
}
