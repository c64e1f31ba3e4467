/**
 * BullMQ throughput on one redis-server beside a local 3-primary Redis Cluster, in the same run:
 * JOBS no-op jobs added in bulk, then consumed by one worker (concurrency 50) per queue. On the
 * cluster, once with one hash-tagged prefix (one deployment: every key in one slot, so one shard does
 * all the work) and once with three prefixes whose slots are on different shards (three deployments,
 * e.g. desk groups, each with its own HELPDESK_QUEUE_PREFIX).
 *
 *   npx tsx bench/queue-cluster.ts            # JOBS=6000 by default
 */
import { Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { startRedisCluster } from '../app/services/redis-cluster.js';
import { startRedis } from '../app/services/redis.js';
import { redisClient, type JobsConnection } from '../jobs/connection.js';

const JOBS = Number(process.env.JOBS ?? 6000);

async function run(connection: JobsConnection, prefixes: string[]): Promise<{ addPerS: number; donePerS: number }> {
  const per = Math.floor(JOBS / prefixes.length);
  const clients = prefixes.map(() => redisClient(connection));
  const queues = prefixes.map((p, i) => new Queue(`q`, { connection: clients[i]!, prefix: p }));
  const t0 = performance.now();
  await Promise.all(
    queues.map(async (q) => {
      for (let i = 0; i < per; i += 500) await q.addBulk(Array.from({ length: Math.min(500, per - i) }, (_, j) => ({ name: 'n', data: { i: i + j } })));
    }),
  );
  const added = performance.now();
  let done = 0;
  const workers: Worker[] = [];
  const workerConns = prefixes.map(() => redisClient(connection));
  const finished = new Promise<void>((resolve) => {
    for (const [i, p] of prefixes.entries()) {
      const w = new Worker('q', async () => {}, { connection: workerConns[i]!, prefix: p, concurrency: 50, drainDelay: 1 });
      w.on('completed', () => {
        if (++done === per * prefixes.length) resolve();
      });
      workers.push(w);
    }
  });
  const w0 = performance.now();
  await finished;
  const end = performance.now();
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map(async (q) => { await q.obliterate({ force: true }); await q.close(); }));
  await Promise.all([...clients, ...workerConns].map((c) => c.quit()));
  return { addPerS: (per * prefixes.length) / ((added - t0) / 1000), donePerS: done / ((end - w0) / 1000) };
}

/** Three hash tags whose slots belong to three different primaries. */
async function spreadTags(nodes: Array<{ host: string; port: number }>): Promise<string[]> {
  const c = new Cluster(nodes);
  const slots = (await c.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  const owner = (slot: number) => slots.find(([a, b]) => slot >= a && slot <= b)![2][1];
  const tags: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; tags.length < 3 && i < 1000; i++) {
    const tag = `{hd${i}}`;
    const port = owner(Number(await c.call('CLUSTER', 'KEYSLOT', tag)));
    if (!seen.has(port)) {
      seen.add(port);
      tags.push(tag);
    }
  }
  await c.quit();
  return tags;
}

const single = await startRedis();
const cluster = await startRedisCluster(3);
try {
  const rows: Array<[string, { addPerS: number; donePerS: number }]> = [];
  rows.push(['one redis-server, one prefix', await run(single.url, ['helpdesk'])]);
  rows.push(['3-primary cluster, one prefix {helpdesk}', await run({ cluster: cluster.nodes }, ['{helpdesk}'])]);
  const tags = await spreadTags(cluster.nodes);
  rows.push([`3-primary cluster, 3 prefixes on 3 shards ${tags.join(' ')}`, await run({ cluster: cluster.nodes }, tags)]);
  rows.push(['one redis-server, 3 prefixes', await run(single.url, ['a', 'b', 'c'])]);
  console.log(`BullMQ no-op jobs (${JOBS} per row; worker concurrency 50 per queue)`);
  for (const [what, r] of rows) console.log(`  ${what}: add ${r.addPerS.toFixed(0)}/s, processed ${r.donePerS.toFixed(0)}/s`);
} finally {
  await cluster.stop();
  await single.stop();
}
