import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { startHelpdesk } from '../../app/runtime.js';
import type { DeliveryOp } from '../../core/ports/delivery.port.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { setPriority } from '../../core/use-cases/set-ticket-fields.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { keyPrefix, type RedisClusterConnection } from '../../jobs/connection.js';
import { helperKey } from '../../jobs/queues.js';
import { pendingSlaSteps } from '../../jobs/scheduler.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { startRedisCluster, type RunningCluster } from '../../app/services/redis-cluster.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { randomId, testMongoUri } from '../support/services.js';
import { harness, request, tinySla, waitFor, type Harness } from './harness.js';

// The queue, SLA and delivery paths on a 3-primary Redis Cluster (redis-server in cluster mode on
// loopback ports, started here): the hash-tagged key prefix keeps each BullMQ script in one slot.
const agent = testAgent('a1', [person('slack', 'UAG1', 'T1', 'Ada')]);
const t2agent = testAgent('a2', [person('slack', 'UAG2', 'T1', 'Bo')], 2);
const desk = testDesk({
  sla: {
    ...tinySla(0.01, 60),
    targets: {
      P1: { firstResponseMinutes: 0.02, resolutionMinutes: 0.5 },
      P2: { firstResponseMinutes: 60, resolutionMinutes: 600 },
      P3: { firstResponseMinutes: 0.01, resolutionMinutes: 60 },
      P4: { firstResponseMinutes: 60, resolutionMinutes: 600 },
    },
  },
});

let cluster: RunningCluster;
let connection: RedisClusterConnection;
let h: Harness;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
  connection = { cluster: cluster.nodes };
  h = await harness(desk, [agent, t2agent], { connection });
  // Two worker processes' worth of workers on the same queues, as on two machines.
  await h.start();
  await h.start({ attachScheduler: false, schedulers: false });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

const timeline = async (id: string) => h.hd.store.timeline(id, { includeInternal: true });
const post = (key: string, channel = 'C_X', text = key): DeliveryOp => ({ kind: 'post', key, platform: 'slack', target: { workspace: 'T1', channel }, view: noticeView(text) });
const arrived = (text: string) => h.slack.sent.filter((s) => s.view.text === text).length;

describe('Redis Cluster', () => {
  it('the key prefix becomes a hash tag; without one BullMQ cannot add a job (CROSSSLOT)', async () => {
    expect(h.prefix).toMatch(/^\{t[0-9a-f]+\}$/);
    expect(keyPrefix(connection, '{given}')).toBe('{given}');
    expect(keyPrefix('redis://127.0.0.1:6379', 'plain')).toBe('plain');
    const raw = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
    const q = new Queue(`untagged${randomId()}`, { connection: raw, prefix: `plain${randomId()}` });
    try {
      await expect(q.add('x', {})).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await q.close();
      await raw.quit();
    }
    // Every key of the deployment (queues and our helper keys) is in the prefix's slot.
    const r = h.client.queues.redis;
    const slot = await r.call('CLUSTER', 'KEYSLOT', `${h.prefix}:sla:wait`);
    expect(await r.call('CLUSTER', 'KEYSLOT', helperKey(h.prefix, 'rl', 'slack', 'C_X'))).toBe(slot);
  });

  it('an SLA breach escalates exactly once with two worker sets', async () => {
    const opened = await Promise.all([1, 2, 3].map((i) => openTicket(h.hd.deps, request(`cl-breach-${i}`, `printer on fire ${i}`))));
    for (const { ticket } of opened) {
      await waitFor(async () => (await h.hd.store.get(ticket.id))?.tier === 2, 15_000, 'escalation');
      await waitFor(async () => (await timeline(ticket.id)).filter((e) => e.event === 'sla_breach').length === 2, 15_000, 'tier-2 breach');
      await waitFor(() => h.slack.sent.some((s) => s.channel === 'C_TIER2' && s.view.kind === 'escalation' && s.view.title?.includes(ticket.number)));
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const { ticket } of opened) {
      expect((await timeline(ticket.id)).filter((e) => e.event === 'escalate')).toHaveLength(1);
      expect(h.slack.sent.filter((s) => s.channel === 'C_TIER2' && s.view.kind === 'escalation' && s.view.title?.includes(ticket.number))).toHaveLength(1);
    }
  });

  it('a priority change moves the deadline: the old timer is removed, the new one fires', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('cl-reprio', 'slow at first', { priority: 'P4' }));
    const oldDue = new Date(ticket.sla.firstResponseDueAt!).getTime();
    const has = async () => (await pendingSlaSteps(h.client.queues.sla, ticket.id)).some((x) => x.target === 'firstResponse' && x.stage === 'breach' && x.dueAt === oldDue);
    await waitFor(has, 5_000, 'first timer');
    await setPriority(h.hd.deps, { id: ticket.id }, agent.identities[0]!, 'P1');
    await waitFor(async () => !(await has()), 5_000, 'old timer removed');
    await waitFor(async () => (await h.hd.store.get(ticket.id))?.tier === 2, 15_000, 'escalation on the new deadline');
  });

  it('delivery: 429 then 500 then success arrives once; a replayed key once; a burst under the channel limit all once', async () => {
    h.slack.script = [{ status: 429, retryAfterMs: 100 }, { status: 500 }, 'ok'];
    await h.client.delivery.send(post('cl-flaky'));
    await waitFor(() => arrived('cl-flaky') === 1, 10_000, 'delivery after retries');
    await Promise.all([h.client.delivery.send(post('cl-dup')), h.client.delivery.send(post('cl-dup'))]);
    const keys = Array.from({ length: 6 }, (_, i) => `cl-burst-${i}`);
    for (const k of keys) await h.client.delivery.send(post(k, 'C_BURST'));
    await waitFor(() => arrived('cl-dup') === 1 && keys.every((k) => arrived(k) === 1), 15_000, 'burst');
    await new Promise((r) => setTimeout(r, 150));
    expect([arrived('cl-flaky'), arrived('cl-dup'), ...keys.map(arrived)]).toEqual(Array(8).fill(1));
  });
});

describe('the helpdesk on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  it('is ready, and a signed /help becomes a triage card through the clustered delivery queue', async () => {
    const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-cluster-rt-'));
    const deskFile = path.join(dir, 'desks.yaml');
    writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
    const prefix = `rt${randomId()}`;
    const hd = await startHelpdesk(
      {
        PORT: '0',
        SMTP_LISTEN_PORT: '0',
        HOST: '127.0.0.1',
        HELPDESK_CONFIG: deskFile,
        HELPDESK_QUEUE_PREFIX: prefix,
        MONGODB_URI: testMongoUri(),
        REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
        SLACK_BOT_TOKEN: 'xoxb-cluster',
        SLACK_SIGNING_SECRET: 'cluster-secret',
        SLACK_API_URL: fake.apiUrl,
      },
      pino({ level: 'silent' }),
    );
    try {
      const base = `http://127.0.0.1:${hd.port}`;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true, checks: { mongodb: 'ok', redis: 'ok' } });
      const body = new URLSearchParams({
        team_id: 'T0000000', channel_id: 'CGEN', user_id: 'U0RITA', user_name: 'rita', command: '/help',
        text: 'the quarterly zorbl frobnicator emits purple smoke', api_app_id: 'A1', response_url: fake.responseUrl('cl-1'), trigger_id: 'trg.cl.1',
      }).toString();
      const r = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest('cluster-secret', body) }, body });
      expect(r.status).toBe(200);
      const card = await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => c.args.channel === 'C0TIER1'), 15_000);
      expect(String(card.args.text ?? '')).toMatch(/IT-\d+/);
      // The queues live under the hash-tagged prefix on the cluster.
      const probe = new Cluster(cluster.nodes);
      try {
        expect(await probe.exists(`{${prefix}}:delivery:id`)).toBe(1);
      } finally {
        await probe.quit();
      }
    } finally {
      await hd.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
