import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { commandExists, freePort, ServiceSetupError, startChild, stopChild, waitForPort } from './process-util.js';
import type { RunningService } from './ferretdb.js';

export interface RedisOptions {
  /** Directory for AOF persistence; without it Redis keeps nothing on disk. */
  dataDir?: string;
  /** Fixed port (for restart tests); a free one by default. */
  port?: number;
}

/** Starts `redis-server` on loopback with BullMQ's required `noeviction` policy. */
export async function startRedis(opts: RedisOptions = {}): Promise<RunningService & { port: number; pid(): number | undefined }> {
  if (!commandExists('redis-server')) {
    throw new ServiceSetupError('Redis is needed: set REDIS_URL to a Redis >= 6.2 server, or install redis-server (Debian: apt-get install redis-server).');
  }
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes'];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('--dir', path.resolve(opts.dataDir), '--appendonly', 'yes', '--appendfsync', 'always');
  } else {
    args.push('--appendonly', 'no');
  }
  const { child, stderr } = startChild('redis-server', args);
  try {
    await waitForPort(port, 10_000, child);
  } catch (e) {
    await stopChild(child);
    throw new ServiceSetupError(`redis-server did not start: ${(e as Error).message}\n${stderr()}`);
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: () => child.pid, stop: () => stopChild(child) };
}
