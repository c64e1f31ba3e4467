import path from 'node:path';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import type { TicketEvent } from '../../core/domain/events.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { Logger } from '../../core/ports/logger.port.js';
import { openKnowledgeBase, type OpenKb } from '../../kb/open-kb.js';
import { DiscordFake, fakeUser, type FakeUser } from '../fakes/discord.fake.js';
import { testAgent, testDesk } from '../support/fixtures.js';
import { randomId, freshDb, testRedisUrl } from '../support/services.js';
import { IntakeQueue } from '../../jobs/intake.queue.js';
import { createIntakeWorker } from '../../jobs/intake.worker.js';
import { redisClient } from '../../jobs/connection.js';
import type { Worker } from 'bullmq';
import { beforeEach } from 'vitest';

/**
 * How long a test waits for the helpdesk to do one thing. Generous: the suite's FerretDB is shared
 * and has stalled for seconds on a busy CI machine; Discord itself lets a deferred reply be edited
 * for 15 minutes, so a slow answer there is not a product failure. A hang still fails the test.
 */
export const WAIT_MS = 20_000;

/** Harnesses of the running test file: on a failed test, what they logged and the fake's last requests are printed. */
const live = new Set<Harness>();
beforeEach(({ onTestFailed }) => {
  const started = Date.now();
  onTestFailed(() => {
    for (const h of live) {
      const at = (t: number) => `+${t - started} ms`;
      console.error('[discord harness] logged:', JSON.stringify(h.logged.filter((l) => l.at >= started).map((l) => ({ at: at(l.at), level: l.level, msg: l.msg, err: String((l.obj as { err?: { stack?: string } }).err?.stack ?? '') }))));
      console.error('[discord harness] last requests:', h.fake.requests.filter((r) => r.at >= started).slice(-40).map((r) => `${at(r.at)} ${r.method} ${r.path}`).join('\n'));
    }
  });
});

/** Ids of the fake guild (numeric snowflakes, as discord.js expects). */
export const G = {
  guild: '900000000000000001',
  support: '900000000000000010',
  tier1: '900000000000000011',
  tier2: '900000000000000012',
  log: '900000000000000013',
  roleT1: '900000000000000021',
  roleT2: '900000000000000022',
} as const;

export const users = {
  customer: fakeUser('900000000000000101', 'Casey Customer'),
  agent: fakeUser('900000000000000102', 'Ana Agent'),
  expert: fakeUser('900000000000000103', 'Tomás Tier2'),
  stranger: fakeUser('900000000000000104', 'Sam Stranger'),
};

const did = (u: FakeUser) => ({ platform: 'discord' as const, workspace: G.guild, user: u.id, name: u.global_name ?? u.username });

/** A desk serving the fake guild: intake channel for threads, tier channels with roles, a log channel. */
export function discordDesk(over: Partial<Desk> = {}): Desk {
  const base = testDesk();
  return testDesk({
    intake: [{ platform: 'discord', workspace: G.guild, channel: G.support }],
    tiers: [
      { level: 1, name: 'Tier 1', channels: { discord: { workspace: G.guild, channel: G.tier1, role: G.roleT1 } } },
      { level: 2, name: 'Tier 2', channels: { discord: { workspace: G.guild, channel: G.tier2, role: G.roleT2 } } },
    ],
    logChannels: { discord: { workspace: G.guild, channel: G.log } },
    ...over,
    sla: over.sla ?? base.sla,
  });
}

export function discordAgents(): Agent[] {
  return [testAgent('ana', [did(users.agent)], 1), testAgent('tomas', [did(users.expert)], 2)];
}

export interface Harness {
  fake: DiscordFake;
  hd: Composed;
  adapter: DiscordAdapter;
  kb: OpenKb;
  /** What the helpdesk and adapter logged at warn/error level. */
  logged: Array<{ level: string; obj: object; msg?: string; at: number }>;
  /** Resolves with the first domain event matching `pred` from now on. */
  nextEvent(pred: (e: TicketEvent) => boolean, label: string): Promise<TicketEvent>;
  ticket(number: string): Promise<Ticket>;
  /** With `intake: true`: the durable intake the gateway records into, its worker (concurrency 4), and how often each job id completed. */
  intake?: { queue: IntakeQueue; worker: Worker; completed: Map<string, number> };
  close(): Promise<void>;
}

export async function startHarness(o: { desks?: Desk[]; agents?: Agent[]; heartbeatIntervalMs?: number; intake?: boolean } = {}): Promise<Harness> {
  const db = await freshDb();
  const fake = await DiscordFake.start({
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    guilds: [
      {
        id: G.guild,
        name: 'Acme Community',
        channels: [
          { id: G.support, name: 'support' },
          { id: G.tier1, name: 'tier-1' },
          { id: G.tier2, name: 'tier-2' },
          { id: G.log, name: 'helpdesk-log' },
        ],
        roles: [
          { id: G.roleT1, name: 'Support T1' },
          { id: G.roleT2, name: 'Support T2' },
        ],
      },
    ],
  });
  const kb = await openKnowledgeBase({ dir: path.resolve('kb/articles') });
  const logged: Harness['logged'] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => void logged.push({ level: 'warn', obj, msg, at: Date.now() }),
    error: (obj, msg) => {
      logged.push({ level: 'error', obj, msg, at: Date.now() });
      console.error('[helpdesk error]', msg, obj);
    },
    child: () => log,
  };
  const hd = await composeHelpdesk({ connection: db.connection, desks: o.desks ?? [discordDesk()], agents: o.agents ?? discordAgents(), kb: kb.kb, log });
  const prefix = `dintake${randomId()}`;
  const queue = o.intake ? new IntakeQueue({ connection: testRedisUrl(), prefix, log }) : undefined;
  const adapter = createDiscordAdapter({
    helpdesk: hd.helpdesk,
    directory: hd.directory,
    store: hd.store,
    token: 'fake-bot-token',
    applicationId: fake.applicationId,
    apiUrl: fake.apiUrl,
    guildIds: [G.guild],
    delivery: hd.delivery,
    restRetries: 0,
    log,
    ...(queue ? { intake: queue } : {}),
  });
  hd.platforms.set('discord', adapter.platform);
  const workerRedis = queue ? redisClient(testRedisUrl()) : undefined;
  const worker = queue
    ? createIntakeWorker({ handlers: new Map([['discord', (e, m) => adapter.replay(e, m)]]), redis: queue.redis, prefix: queue.prefix, log, concurrency: 4, tuning: { lockDuration: 5000, stalledInterval: 5000 } }, workerRedis!)
    : undefined;
  const completed = new Map<string, number>();
  worker?.on('completed', (job) => void completed.set(job.id!, (completed.get(job.id!) ?? 0) + 1));
  await adapter.start();
  const h: Harness = {
    fake,
    logged,
    hd,
    adapter,
    kb,
    ...(queue && worker ? { intake: { queue, worker, completed } } : {}),
    nextEvent(pred, label) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timed out waiting for event: ${label}`));
        }, WAIT_MS);
        const off = hd.events.subscribe((e) => {
          if (pred(e)) {
            clearTimeout(timer);
            off();
            resolve(e);
          }
        });
      });
    },
    async ticket(number) {
      const t = await hd.store.getByNumber(number);
      if (!t) throw new Error(`no ticket ${number}`);
      return t;
    },
    async close() {
      live.delete(h);
      await worker?.close();
      workerRedis?.disconnect();
      await queue?.queue.obliterate({ force: true }).catch(() => {});
      await queue?.close();
      await adapter.stop();
      await fake.close();
      await kb.close();
      await db.drop();
      if (fake.errors.length) throw new Error(`the Discord fake failed: ${String(fake.errors[0])}`);
    },
  };
  live.add(h);
  return h;
}

/** The message a component interaction needs for an ephemeral reply (which lives only on the interaction). */
export function ephemeralMessage(fake: DiscordFake, token: string, channelId: string): any {
  const original = fake.interactions.get(token)?.original;
  if (!original) throw new Error('no original response');
  return {
    type: 0,
    content: '',
    embeds: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    ...original,
    flags: 64,
    channel_id: channelId,
    author: fake.bot,
  };
}

/** Every custom_id in a message's components. */
export const customIds = (msg: any): string[] =>
  (msg?.components ?? []).flatMap((row: any) => (row.components ?? []).map((c: any) => c.custom_id).filter(Boolean));
