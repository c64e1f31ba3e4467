import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { INTAKE_QUEUE } from '../../jobs/intake.queue.js';
import { SlackApiFake, type SlackResponse } from '../fakes/slack-api.fake.js';
import { startRuntimeChild, type RuntimeChild } from '../support/runtime-child.js';
import { startRedis } from '../../app/services/redis.js';
import { freePort } from '../../app/services/process-util.js';
import { testRedis } from '../support/services.js';
import { flood, STARTUP_MS, stormRuntime } from '../support/storm.js';

/**
 * "Received" means durable: 500 signed /help requests are acknowledged by the real runtime (a child
 * process running app/main.ts), which is then SIGKILLed at once. After a restart every one of them
 * becomes exactly one ticket and each requester sees exactly one answer.
 *
 * The intake has its own redis-server here (INTAKE_REDIS_URL, AOF with fsync always; the other storm
 * tests share the jobs' Redis, the default): it is SIGKILLed with the runtime and restarted from its
 * data dir, and the jobs' Redis must hold no intake job at all.
 */
const SECRET = 'storm-secret';
const N = 500;
let fake: SlackApiFake;
let env: Record<string, string>;
let db: Connection;
let child: RuntimeChild | undefined;

let close: (child?: RuntimeChild) => Promise<void>;
let intakeDir: string;
let intakePort: number;
let intakeRedis: Awaited<ReturnType<typeof startRedis>> | undefined;

beforeAll(async () => {
  fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  intakeDir = mkdtempSync(path.join(os.tmpdir(), 'hd-storm-intake-'));
  intakePort = await freePort();
  intakeRedis = await startRedis({ dataDir: intakeDir, port: intakePort });
  const rt = await stormRuntime('storm', { SLACK_BOT_TOKEN: 'xoxb-storm', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, INTAKE_REDIS_URL: intakeRedis.url });
  ({ env, db, close } = rt);
});
afterAll(async () => {
  await close?.(child);
  await fake?.stop();
  await intakeRedis?.stop();
  if (intakeDir) rmSync(intakeDir, { recursive: true, force: true });
});

const signedHelp = (i: number) => {
  const body = new URLSearchParams({
    token: 'legacy', team_id: 'T0000000', team_domain: 'acme', channel_id: 'CGEN', channel_name: 'general', user_id: `U${1000 + i}`, user_name: `user${i}`,
    command: '/help', text: `the zorbl frobnicator unit ${i} emits purple smoke`, api_app_id: 'A1', response_url: fake.responseUrl(`storm-${i}`), trigger_id: `trg.storm.${i}`,
  }).toString();
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) } };
};

/** Answers a person sees for one response_url: `replace_original` replaces the last one instead of adding. */
const visibleAnswers = (rs: SlackResponse[]) => rs.reduce((n, r) => (r.body.replace_original === true && n > 0 ? n : n + 1), 0);

describe('ticket storm: SIGKILL after the acknowledgements', () => {
  it(`every one of ${N} acknowledged /help requests becomes exactly one ticket with one answer`, async () => {
    child = await startRuntimeChild(env, STARTUP_MS);
    const url = `http://127.0.0.1:${child.port}/slack/events`;
    const statuses = await flood(N, 50, async (i) => {
      const { body, headers } = signedHelp(i);
      const r = await fetch(url, { method: 'POST', headers, body }).catch((err: Error) => {
        throw new Error(`request ${i}: ${err.message} (${String((err.cause as Error | undefined)?.message)})\n${child!.output().slice(-3000)}`);
      });
      await r.arrayBuffer();
      return r.status;
    });
    // The default process model: acknowledgements here, processing in a worker child, both killed.
    expect(child.output()).toContain('worker role started in its own process');
    child.kill('SIGKILL');
    await child.exited;
    // The intake's Redis dies too: what it acknowledged must come back from its append-only file.
    process.kill(intakeRedis!.pid()!, 'SIGKILL');
    await intakeRedis!.stop();
    intakeRedis = await startRedis({ dataDir: intakeDir, port: intakePort });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(N);
    const storedAtKill = await db.collection('tickets').countDocuments();
    // The kill must have caught work in flight, or this test would prove nothing.
    expect(storedAtKill).toBeLessThan(N);

    child = await startRuntimeChild(env, STARTUP_MS);
    const deadline = Date.now() + 420_000; // the drain on a loaded 2-core machine (≈ 2 tickets/s at load 30)
    const main = testRedis();
    try {
      // Nothing was recorded on the jobs' Redis: the intake lives on its own server.
      expect(await main.keys(`${env.HELPDESK_QUEUE_PREFIX}:${INTAKE_QUEUE}:*`)).toEqual([]);
    } finally {
      main.disconnect();
    }
    const redis = new Redis(intakeRedis.url, { maxRetriesPerRequest: null });
    const q = new Queue(INTAKE_QUEUE, { connection: redis, prefix: env.HELPDESK_QUEUE_PREFIX });
    try {
      for (;;) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
        const tickets = await db.collection('tickets').countDocuments();
        const answered = new Set(fake.responses.map((r) => r.id)).size;
        if (counts.completed === N && tickets === N && answered === N) break;
        if (Date.now() > deadline) {
          const active = await q.getJobs(['active'], 0, 10);
          throw new Error(`not drained: ${JSON.stringify({ counts, tickets, answered, storedAtKill, active: active.map((j) => ({ id: j.id, attemptsMade: j.attemptsMade, stalled: j.stalledCounter })) })}\n${child.output().slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await q.getJobCounts('failed')).toEqual({ failed: 0 });
    } finally {
      await q.close();
      redis.disconnect();
    }
    const tickets = await db.collection('tickets').find({}, { projection: { number: 1, idempotencyKey: 1, requester: 1 } }).toArray();
    expect(tickets).toHaveLength(N);
    expect(new Set(tickets.map((t) => t.number)).size).toBe(N);
    expect(new Set(tickets.map((t) => (t.requester as { user: string }).user)).size).toBe(N);
    const byUrl = new Map<string, SlackResponse[]>();
    for (const r of fake.responses) byUrl.set(r.id, [...(byUrl.get(r.id) ?? []), r]);
    const notOne = [...byUrl].filter(([, rs]) => visibleAnswers(rs) !== 1).map(([id, rs]) => `${id}: ${rs.length}`);
    expect(notOne).toEqual([]);
    for (let i = 0; i < N; i++) {
      const text = JSON.stringify(byUrl.get(`storm-${i}`)?.at(-1)?.body ?? {});
      expect(text).toMatch(/IT-\d+/);
    }
  }, 900_000);
});
