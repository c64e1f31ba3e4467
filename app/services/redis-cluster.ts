import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandExists, freePort, ServiceSetupError, startChild, stopChild, waitForPort } from './process-util.js';

export interface RunningCluster {
  nodes: Array<{ host: string; port: number }>;
  /** Server process ids, in node order. */
  pids: number[];
  stop(): Promise<void>;
}

const cli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 60_000 });

/**
 * A local Redis Cluster of `primaries` primaries (no replicas) on free loopback ports, created with
 * `redis-cli --cluster create`, in a temporary directory removed by `stop()`. For tests and benchmarks
 * (the helpdesk itself connects to a cluster through REDIS_CLUSTER_NODES; it never starts one).
 */
export async function startRedisCluster(primaries = 3): Promise<RunningCluster> {
  if (!commandExists('redis-server') || !commandExists('redis-cli')) throw new ServiceSetupError('a local Redis Cluster needs redis-server and redis-cli (Debian: apt-get install redis-server)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-redis-cluster-'));
  const children: Array<ReturnType<typeof startChild>> = [];
  const nodes: Array<{ host: string; port: number }> = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < primaries; i++) {
      const port = await freePort();
      const bus = await freePort();
      const c = startChild('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
        '--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', `nodes-${port}.conf`,
        '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      ]);
      children.push(c);
      nodes.push({ host: '127.0.0.1', port });
      await waitForPort(port, 10_000, c.child);
    }
    const made = cli(nodes[0]!.port, '--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes');
    if (made.status !== 0) throw new ServiceSetupError(`redis-cli --cluster create failed:\n${made.stdout}\n${made.stderr}`);
    // Every node must agree the cluster is up (slots assigned, gossip converged) before clients connect.
    const deadline = Date.now() + 20_000;
    while (!nodes.every((n) => /cluster_state:ok/.test(cli(n.port, 'cluster', 'info').stdout))) {
      if (Date.now() > deadline) throw new ServiceSetupError('the Redis Cluster did not reach cluster_state:ok within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { nodes, pids: children.map((c) => c.child.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
