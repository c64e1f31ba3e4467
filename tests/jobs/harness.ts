import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import type { Identity, Platform } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { HandleResult } from '../../core/helpdesk.js';
import { PlatformError, type ChatPlatform, type Posted, type PostTarget } from '../../core/ports/chat-platform.port.js';
import type { View } from '../../core/views/view.js';
import { createJobsClient, startWorkers, type JobsClient, type JobsConnection, type RunningWorkers, type StartWorkersOptions } from '../../jobs/index.js';
import { KeywordKb, person } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

export interface Sent {
  kind: 'post' | 'update' | 'dm';
  channel: string;
  thread?: string;
  message: string;
  view: View;
  /** When it reached the platform (Date.now()). */
  at: number;
}

/** What the next call answers: a thrown PlatformError (429 with Retry-After, 500, 403) or success. */
export type Behaviour = { status: 429; retryAfterMs: number } | { status: 500 } | { status: 403 } | 'ok';

/**
 * A chat platform as seen through the ChatPlatform port: it records what "reached the platform"
 * and fails on demand the way adapters report failures (PlatformError with status and Retry-After).
 */
export class FakePlatform implements ChatPlatform {
  readonly capabilities = { ephemeral: true, reactions: true, threads: true, editMessages: true };
  readonly sent: Sent[] = [];
  readonly attempts: Array<{ at: number; outcome: string }> = [];
  private seq = 0;
  script: Behaviour[] = [];
  constructor(readonly platform: Platform = 'slack') {}

  private answer(): void {
    const b = this.script.shift() ?? 'ok';
    this.attempts.push({ at: Date.now(), outcome: b === 'ok' ? 'ok' : String(b.status) });
    if (b === 'ok') return;
    if (b.status === 429) throw new PlatformError('rate limited', true, b.retryAfterMs, 429);
    if (b.status === 500) throw new PlatformError('server error', true, undefined, 500);
    throw new PlatformError('forbidden', false, undefined, 403);
  }

  async post(target: PostTarget, view: View): Promise<Posted> {
    this.answer();
    const message = `m${++this.seq}`;
    this.sent.push({ kind: 'post', channel: target.channel, thread: target.thread, message, view, at: Date.now() });
    return { channel: target.channel, message, thread: target.thread };
  }
  async update(link: Link, view: View): Promise<void> {
    this.answer();
    this.sent.push({ kind: 'update', channel: link.channel, message: link.message ?? '', view, at: Date.now() });
  }
  async dm(p: Identity, view: View): Promise<Posted> {
    this.answer();
    const message = `m${++this.seq}`;
    this.sent.push({ kind: 'dm', channel: `D_${p.user}`, message, view, at: Date.now() });
    return { channel: `D_${p.user}`, message };
  }
  texts(): string[] {
    return this.sent.map((s) => s.view.text ?? s.view.fallback);
  }
}

export interface Harness {
  hd: Composed;
  db: Awaited<ReturnType<typeof freshDb>>;
  slack: FakePlatform;
  client: JobsClient;
  prefix: string;
  workers: RunningWorkers[];
  start(over?: Partial<StartWorkersOptions>): Promise<RunningWorkers>;
  close(): Promise<void>;
}

/** Limits the tests never reach (a test of the limits starts its own workers with tighter ones). */
const TEST_LIMITS = { slack: { perChannel: { rate: 100, burst: 100 }, global: { rate: 1000, burst: 1000 } } };

/** A helpdesk on a fresh database, with the queue Delivery and a random BullMQ prefix. */
export async function harness(desk: Desk | Desk[], agents: Agent[] = [], o: { redisUrl?: string; connection?: JobsConnection; prefix?: string; kb?: KeywordKb; limits?: typeof TEST_LIMITS } = {}): Promise<Harness> {
  const limits = o.limits ?? TEST_LIMITS;
  const db = await freshDb();
  const connection = o.connection ?? o.redisUrl ?? testRedisUrl();
  // The channel ledger (which holds a queued message until its posting slot) runs at the workers' limits.
  const client = createJobsClient({ connection, prefix: o.prefix ?? `t${randomId()}`, storm: { limits } });
  const prefix = client.queues.prefix; // on a Redis Cluster: the hash-tagged form
  const slack = new FakePlatform('slack');
  const platforms = new Map<Platform, ChatPlatform>([['slack', slack]]);
  const hd = await composeHelpdesk({ connection: db.connection, desks: Array.isArray(desk) ? desk : [desk], agents, kb: o.kb ?? new KeywordKb([]), platforms, delivery: () => client.delivery });
  const workers: RunningWorkers[] = [];
  return {
    hd,
    db,
    slack,
    client,
    prefix,
    workers,
    async start(over = {}) {
      const w = await startWorkers({
        connection,
        prefix,
        deps: hd.deps,
        platforms,
        idempotency: hd.idempotency,
        delivery: { backoffBaseMs: 20, backoffMaxMs: 200, limits },
        tuning: { drainDelay: 1 },
        ...over,
      });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.close(true).catch(() => {});
      await client.close();
      await db.drop();
    },
  };
}

/** Polls `cond` every 20 ms until it is truthy (or fails after `ms`). */
export async function waitFor<T>(cond: () => Promise<T> | T, ms = 10_000, what = 'condition'): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as Exclude<T, undefined | null | false | 0 | ''>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const requester = person('slack', 'UREQ', 'T1', 'Rita');
export const request = (key: string, text = 'my laptop will not boot', extra: Record<string, unknown> = {}) => ({
  idempotencyKey: key,
  requester,
  text,
  origin: { platform: 'slack' as const, workspace: 'T1', channel: 'C_ANY' },
  ...extra,
});

/** SLA targets in fractions of a minute (0.01 min = 600 ms) on a 24×7 desk. */
export const tinySla = (fr: number, res: number, over: Partial<Desk['sla']> = {}): Desk['sla'] => ({
  targets: {
    P1: { firstResponseMinutes: fr, resolutionMinutes: res },
    P2: { firstResponseMinutes: fr, resolutionMinutes: res },
    P3: { firstResponseMinutes: fr, resolutionMinutes: res },
    P4: { firstResponseMinutes: fr, resolutionMinutes: res },
  },
  pauseWhilePending: true,
  warnAtPercent: 80,
  escalateOnBreach: true,
  ...over,
});

/** Files `n` requests `concurrency` at a time, as the intake workers would process them; the tickets opened, in completion order. */
export async function fileConcurrently(n: number, concurrency: number, open: (i: number) => Promise<HandleResult>): Promise<Ticket[]> {
  const filed: Ticket[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = await open(i);
        if (r.kind === 'opened') filed.push(r.ticket);
      }
    }),
  );
  return filed;
}
