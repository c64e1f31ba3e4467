import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Thrown when a local service cannot be provided; the message says what to install or set. */
export class ServiceSetupError extends Error {
  override name = 'ServiceSetupError';
}

/** Asks the OS for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when a TCP connect to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new ServiceSetupError(`process exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      sock.once('connect', () => { sock.destroy(); resolve(true); });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new ServiceSetupError(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when `cmd` can be executed (looked up on PATH). */
export function commandExists(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** Children still running; signalled when this process exits however it exits, so none is orphaned. */
const live = new Map<ChildProcess, NodeJS.Signals>();
let exitHookInstalled = false;

let setprivChecked: boolean | undefined;
/** util-linux `setpriv` can make the kernel signal a child when its parent dies (Linux only). */
export function hasSetpriv(): boolean {
  if (setprivChecked === undefined) setprivChecked = process.platform === 'linux' && commandExists('setpriv');
  return setprivChecked;
}

export interface ChildOptions {
  cwd?: string;
  /** Added to this process's environment (e.g. a password that must not appear in `ps`). */
  env?: Record<string, string>;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /**
   * Signal the child gets when this process exits or dies, even by SIGKILL (through `setpriv
   * --pdeathsig` on Linux; elsewhere only on a normal exit). Default SIGTERM; servers that must shut
   * down differently ask for their own signal.
   */
  exitSignal?: NodeJS.Signals;
}

/** Starts a long-running child whose stderr is kept (head and tail) for error messages. */
export function startChild(cmd: string, args: string[], opts: ChildOptions = {}): { child: ChildProcess; stderr: () => string } {
  const exitSignal = opts.exitSignal ?? 'SIGTERM';
  // The kernel delivers the parent-death signal even when this process is SIGKILLed (no orphans).
  const [file, argv] = hasSetpriv() ? ['setpriv', ['--pdeathsig', exitSignal.replace(/^SIG/, ''), '--', cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env ? { ...process.env, ...opts.env } : undefined,
    uid: opts.uid,
    gid: opts.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.set(child, exitSignal);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, sig] of live) c.kill(sig);
    });
  }
  // Keep the start (a Go panic's message) and the end of what the child writes to stderr.
  let head = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (head.length < 2048) head = (head + d.toString()).slice(0, 2048);
    err = (err + d.toString()).slice(-2048);
  });
  child.stdout?.resume();
  return { child, stderr: () => (head.length < 2048 ? head : `${head}\n…\n${err}`) };
}

/** Sends `signal` (SIGTERM), then SIGKILL after `graceMs` if the child is still alive. */
export async function stopChild(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
