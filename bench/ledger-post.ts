/**
 * The channel ledger's Redis work per ordered post (a relay into a thread): reserve its slot and its
 * place at queue time, its turn when the worker takes it, its sent marker and leaving the order after
 * the platform accepted it. Sequential posts against a redis-server started here; prints wall time per
 * post and Redis commands per post (INFO commandstats). Run it from two worktrees (base and branch)
 * alternately: the file only uses what both have (`sent` where it exists, else SET + `leave`).
 *
 *   npx tsx bench/ledger-post.ts              # 5,000 posts, 3 rounds
 *   POSTS=20000 ROUNDS=5 npx tsx bench/ledger-post.ts
 */
import { Redis } from 'ioredis';
import { startRedis } from '../app/services/redis.js';
import { ChannelLedger } from '../jobs/triage-storm.js';
import { redisCalls } from './proc-cpu.js';

const POSTS = Number(process.env.POSTS ?? 5_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** Limits never reached: the bench measures the scripts, not waiting for slots. */
const LIMITS = { slack: { perChannel: { rate: 1e6, burst: 1e6 } } };
const wait = { maxWaitMs: 30_000, pollMs: 250 };

const redisService = await startRedis();
const redis = new Redis(`redis://127.0.0.1:${redisService.port}`, { maxRetriesPerRequest: null });
// Round trips and bytes of arguments the client sends (a script's body is sent by EVAL, not by EVALSHA).
let trips = 0;
let bytes = 0;
const send = redis.sendCommand.bind(redis);
redis.sendCommand = ((cmd: { name: string; args: unknown[] }, ...rest: unknown[]) => {
  trips++;
  for (const a of cmd.args) bytes += typeof a === 'string' ? Buffer.byteLength(a) : Buffer.isBuffer(a) ? a.length : String(a).length;
  return (send as (...x: unknown[]) => unknown)(cmd, ...rest);
}) as typeof redis.sendCommand;
try {
  const prefix = 'bench';
  const ledger = new ChannelLedger(redis, prefix, LIMITS) as ChannelLedger & { sent?: (p: 'slack', d: string, j: string, k: string, v: string, ttl: number) => Promise<void> };
  const mode = typeof ledger.sent === 'function' ? 'reserve + turn + sent (marker and leave in one script)' : 'reserve + turn + SET marker + leave';
  console.log(`[ledger-post] ${mode}; ${POSTS} posts × ${ROUNDS} rounds`);
  for (let round = 0; round < ROUNDS; round++) {
    await redis.config('RESETSTAT');
    trips = 0;
    bytes = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < POSTS; i++) {
      const job = `r${round}-j${i}`;
      const dest = `C1|thread-${i % 50}`;
      await ledger.reserve('slack', 'C1', job, dest);
      await ledger.turn('slack', dest, job, wait);
      const marker = `${prefix}:hd:sent:${job}`;
      if (ledger.sent) await ledger.sent('slack', dest, job, marker, '{"message":"m"}', 600);
      else {
        await redis.set(marker, '{"message":"m"}', 'EX', 600);
        await ledger.leave('slack', dest, job);
      }
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const sent = { trips, bytes };
    const calls = redisCalls(await redis.info('commandstats'));
    const by = [...calls.by.entries()].filter(([name]) => name !== 'info' && name !== 'config').map(([name, n]) => `${name} ${(n / POSTS).toFixed(2)}`).join(', ');
    const total = [...calls.by.entries()].filter(([name]) => name !== 'info' && name !== 'config').reduce((a, [, n]) => a + n, 0);
    console.log(`[ledger-post] round ${round + 1}: ${((ms / POSTS) * 1000).toFixed(1)} µs per post; round trips per post ${(sent.trips / POSTS).toFixed(2)}, bytes sent per post ${(sent.bytes / POSTS).toFixed(0)}; commands run by Redis per post ${(total / POSTS).toFixed(2)} (${by})`);
  }
} finally {
  redis.disconnect();
  await redisService.stop();
}
