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

/** Children still running; killed when this process exits however it exits, so none is orphaned. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts a long-running child whose stderr is kept (last 4 KiB) for error messages. */
export function startChild(cmd: string, args: string[], cwd?: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
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

/** Sends SIGTERM, then SIGKILL after `graceMs` if the child is still alive. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
