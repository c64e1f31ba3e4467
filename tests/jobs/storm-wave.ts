import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import { handleSlaTimer } from '../../core/use-cases/sla-breach.js';
import { createJobsClient, startWorkers, type JobsClient, type RunningWorkers, type StormOptions } from '../../jobs/index.js';
import { textSignature } from '../../kb/signature.js';
import { KeywordKb } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';
import { fileConcurrently, waitFor } from './harness.js';

/**
 * Shared by the storm tests of every platform (tests/jobs/slack-storm.ts, teams-storm.ts,
 * discord-storm.ts and the tests): the helpdesk and jobs behind a platform rig, filing a burst, an SLA
 * breach wave escalating it into tier 2 (tests/jobs/storm-escalation*.test.ts), and waiting for the
 * storm to be over.
 */

export interface StormBackend {
  client: JobsClient;
  hd: Composed;
  /** Starts the workers, once the rig has set its platform adapter on `hd.platforms`. */
  startWorkers(): Promise<void>;
  /** Stops the workers and the jobs client, drops the database. */
  close(): Promise<void>;
}

/**
 * A helpdesk for one desk on a fresh database, a jobs client with the storm thresholds `storm`, and
 * workers at the production rate limits with fast retries (the same `storm` thresholds).
 */
export async function stormBackend(o: { tag: string; desk: Desk; agents: Agent[]; storm?: Omit<StormOptions, 'limits'> }): Promise<StormBackend> {
  const db = await freshDb();
  const client = createJobsClient({ connection: testRedisUrl(), prefix: `${o.tag}${randomId()}`, ...(o.storm ? { storm: o.storm } : {}) });
  const hd = await composeHelpdesk({ connection: db.connection, desks: [o.desk], agents: o.agents, kb: new KeywordKb([]), delivery: () => client.delivery, storm: client.storm });
  let workers: RunningWorkers | undefined;
  return {
    client,
    hd,
    async startWorkers() {
      workers = await startWorkers({ connection: testRedisUrl(), prefix: client.queues.prefix, deps: hd.deps, platforms: hd.platforms, signature: textSignature(), ...(o.storm ? { storm: o.storm } : {}), delivery: { backoffBaseMs: 200, backoffMaxMs: 2000 }, tuning: { drainDelay: 1 } });
    },
    async close() {
      await workers?.close(true).catch(() => {});
      await client.close();
      await db.drop();
    },
  };
}

/** An escalation wave's size in the tier-2 storm tests; `STORM_ESC_N=…` to try others. */
export const ESCALATION_WAVE_N = Number(process.env.STORM_ESC_N ?? 300);
/** The escalation tests' storm settings: the production threshold and capacity; a short arrival-rate window so the storm ends within the test. */
export const ESCALATION_STORM = { windowMs: 5000 };
/** A tier-2 storm card's title ("N escalated tickets (M unclaimed)"). */
export const isEscalatedStormText = (text: string): boolean => text.includes('escalated tickets');

/** What people write in a storm: a few outages, each in many near-identical words. */
export const STORM_PROBLEMS = ['VPN keeps dropping every few minutes', 'cannot log in to my email, password rejected', 'the printer on floor 3 is offline'];

/** Files `n` help requests through core, 16 at a time as the intake workers would; `requester(i)` and `origin` per platform. */
export async function fileStorm(hd: Composed, n: number, o: { tag: string; requester: (i: number) => Identity; origin: { platform: Identity['platform']; workspace: string; channel?: string } }): Promise<Ticket[]> {
  return fileConcurrently(n, 16, (i) =>
    hd.helpdesk.handle({ type: 'help.request', eventId: `${o.tag}-${i}`, request: { idempotencyKey: `${o.tag}-${i}`, requester: o.requester(i), text: `${STORM_PROBLEMS[i % STORM_PROBLEMS.length]} (${i})`, origin: o.origin, skipSuggestions: true } }),
  );
}

/** The SLA worker's breach of a ticket's first-response deadline (auto-escalation to tier 2). */
export const breachFirstResponse = (hd: Composed, delivery: Delivery, t: Ticket) => handleSlaTimer(hd.deps, delivery, { ticketId: t.id, target: 'firstResponse', stage: 'breach', dueAt: new Date(t.sla.firstResponseDueAt!).getTime(), tier: 1 });

export interface EscalationWave {
  /** When the wave started (Date.now()). */
  started: number;
  /** How long handling every breach took. */
  tookMs: number;
  /** Per ticket number, when its breach was handed to the use case (before: lateness is counted generously). */
  escalatedAt: Map<string, number>;
  /** Numbers the use case reported breached and escalated. */
  escalated: string[];
}

/** The wave: a first-response breach of every ticket, handled 16 at a time, as SLA workers would. */
export async function escalationWave(hd: Composed, delivery: Delivery, wave: readonly Ticket[]): Promise<EscalationWave> {
  const escalatedAt = new Map<string, number>();
  const escalated: string[] = [];
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < wave.length; i = next++) {
        const t = wave[i]!;
        escalatedAt.set(t.number, Date.now());
        const o = await breachFirstResponse(hd, delivery, t);
        if (o.outcome === 'breached' && o.escalated) escalated.push(t.number);
      }
    }),
  );
  return { started, tookMs: Date.now() - started, escalatedAt, escalated };
}

/** The longest time from a wave's escalation to its ticket first shown (`shown`: number → when). */
export function worstLateness(w: EscalationWave, shown: ReadonlyMap<string, number>): number {
  return Math.max(...[...w.escalatedAt].map(([number, at]) => shown.get(number)! - at));
}

/** The most of `times` (ms) within any window of `windowMs`. */
export function mostInWindow(times: readonly number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
}

/**
 * Waits until the storm is over: the delivery queue drained, then 15 s for the arrival rate (averaged
 * over a 5 s window) to fall under half the channel's rate. The next card is a normal one again.
 */
export async function stormOver(client: JobsClient): Promise<void> {
  const pending = async () => Object.values(await client.queues.delivery.getJobCounts('wait', 'delayed', 'active', 'prioritized')).reduce((a, b) => a + (b ?? 0), 0);
  await waitFor(async () => (await pending()) === 0, 60_000, 'the delivery queue drained');
  await new Promise((res) => setTimeout(res, 15_000));
}

/**
 * After a claim from a storm card: the ticket's requester writes in their conversation (as an adapter
 * hands it to core); returns the text once core has recorded it. A storm-card ticket has no thread in
 * that channel, so the tests check the message reaches none of its posts and is on the ticket's
 * timeline (what the console's ticket page shows).
 */
export async function requesterWrites(hd: Composed, ticketId: string): Promise<string> {
  const t = (await hd.store.get(ticketId))!;
  const text = `still broken after the claim of ${t.number}`;
  const r = await hd.helpdesk.handle({ type: 'ticket.message', eventId: `storm-reply-${ticketId}`, actor: t.requester, ticket: { id: ticketId }, text });
  if (r.kind !== 'message' || !r.recorded) throw new Error(`the requester's message on ${t.number} was not recorded: ${JSON.stringify(r)}`);
  return text;
}

/** Whether the ticket's timeline (the console's ticket page) has `text`. */
export async function onTimeline(hd: Composed, ticketId: string, text: string): Promise<boolean> {
  return (await hd.store.timeline(ticketId)).some((e) => e.text === text);
}
