import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { pendTicket } from '../../core/use-cases/pend-ticket.js';
import { postMessage } from '../../core/use-cases/post-message.js';
import { resolveTicket } from '../../core/use-cases/resolve-ticket.js';
import { setPriority } from '../../core/use-cases/set-ticket-fields.js';
import { handleSlaTimer } from '../../core/use-cases/sla-breach.js';
import { decodeTicket, encodeTicket } from '../../core/domain/ticket-snapshot.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { createQueues } from '../../jobs/queues.js';
import { addSlaTimer, JobsScheduler, pendingSlaSteps, slaChain, slaJobId } from '../../jobs/scheduler.js';
import { setSla } from '../../core/use-cases/sla-breach.js';
import { createSlaWorker } from '../../jobs/sla.worker.js';
import type { CoreDeps } from '../../core/use-cases/deps.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { redisClient } from '../../jobs/connection.js';
import { randomId, testRedisUrl } from '../support/services.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { harness, request, requester, tinySla, waitFor, type Harness } from './harness.js';

const agent = testAgent('a1', [person('slack', 'UAG1', 'T1', 'Ada')]);
const t2agent = testAgent('a2', [person('slack', 'UAG2', 'T1', 'Bo')], 2);
// P3: first response in 0.01 min (600 ms), resolution far away; P4 slow; P1 fast (for reschedule).
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
let h: Harness;
beforeAll(async () => {
  h = await harness(desk, [agent, t2agent]);
  // Two worker processes' worth of workers on the same queues (the second does not subscribe twice).
  await h.start();
  await h.start({ attachScheduler: false, schedulers: false });
});
afterAll(async () => h.close());

const timeline = async (id: string) => h.hd.store.timeline(id, { includeInternal: true });
/** Is this step (target, stage, deadline) among the ticket's pending SLA timers and the steps they carry? */
const pending = async (ticketId: string, target: 'firstResponse' | 'resolution', stage: 'warn' | 'breach', dueAt: number) =>
  (await pendingSlaSteps(h.client.queues.sla, ticketId)).some((x) => x.target === target && x.stage === stage && x.dueAt === dueAt);

describe('SLA timers', () => {
  it('a breach escalates exactly once with two workers running', async () => {
    const opened = await Promise.all([1, 2, 3, 4].map((i) => openTicket(h.hd.deps, request(`breach-${i}`, `printer on fire ${i}`))));
    expect(opened.every((o) => o.ticket.status === 'open' && o.ticket.tier === 1)).toBe(true);
    for (const { ticket } of opened) {
      await waitFor(async () => (await h.hd.store.get(ticket.id))?.tier === 2, 10_000, 'escalation');
    }
    // Tier 2 (the top) breaches too: that one is a notice, not another escalation.
    for (const { ticket } of opened) {
      await waitFor(async () => (await timeline(ticket.id)).filter((e) => e.event === 'sla_breach').length === 2, 10_000, 'tier-2 breach');
      const tl = await timeline(ticket.id);
      expect(tl.filter((e) => e.event === 'escalate')).toHaveLength(1);
      const t = (await h.hd.store.get(ticket.id))!;
      expect(t.escalationReason).toMatch(/breached its first response target/);
      await waitFor(() => h.slack.sent.some((s) => s.channel === 'C_TIER2' && s.view.kind === 'escalation' && s.view.title?.includes(t.number)));
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const { ticket } of opened) {
      const cards = h.slack.sent.filter((s) => s.channel === 'C_TIER2' && s.view.kind === 'escalation' && s.view.title?.includes(ticket.number));
      expect(cards).toHaveLength(1);
      const warnings = h.slack.sent.filter((s) => s.view.text?.includes(`${ticket.number} will breach`));
      expect(warnings.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('the same breach handled concurrently (duplicates, retries) escalates once', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('dup-breach', 'slow P4', { priority: 'P4' }));
    const timer = { ticketId: ticket.id, target: 'firstResponse' as const, stage: 'breach' as const, dueAt: new Date(ticket.sla.firstResponseDueAt!).getTime(), tier: 1 };
    const results = await Promise.all(Array.from({ length: 6 }, () => handleSlaTimer(h.hd.deps, h.client.delivery, timer)));
    expect(results.filter((r) => r.outcome === 'breached' && r.escalated)).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'breached' && r.firstTime)).toHaveLength(1);
    expect((await timeline(ticket.id)).filter((e) => e.event === 'escalate')).toHaveLength(1);
    expect((await h.hd.store.get(ticket.id))!.tier).toBe(2);
  });

  it('a breach that escalates is one write: the escalation records the breach (event, fact, timeline)', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('one-write', 'slow P4 too', { priority: 'P4' }));
    const seen: Array<{ type: string; v: number; before?: { v: number; breached: boolean } }> = [];
    const off = h.hd.deps.events.subscribe(async (e) => {
      if (e.ticket.id === ticket.id) seen.push({ type: e.type, v: e.ticket.version, ...(e.before ? { before: { v: e.before.version, breached: Boolean(e.before.sla.firstResponseBreachedAt) } } : {}) });
    });
    try {
      const timer = { ticketId: ticket.id, target: 'firstResponse' as const, stage: 'breach' as const, dueAt: new Date(ticket.sla.firstResponseDueAt!).getTime(), tier: 1 };
      const r = await handleSlaTimer(h.hd.deps, h.client.delivery, timer);
      expect(r).toMatchObject({ outcome: 'breached', firstTime: true, escalated: true });
      const esc = seen.find((e) => e.type === 'ticket.escalated')!;
      // One compare-and-set: the version moved by one, and the ticket before it already had the breach.
      expect(esc.v).toBe(esc.before!.v + 1);
      expect(esc.before!.breached).toBe(true);
      const t = (await h.hd.store.get(ticket.id))!;
      expect(t.tier).toBe(2);
      expect(t.sla.firstResponseBreachedAt).toBeUndefined(); // tier 2's own clock, as after two writes
      expect(new Date(t.sla.firstResponseDueAt!).getTime()).toBeGreaterThan(timer.dueAt);
      const tl = await timeline(ticket.id);
      expect(tl.filter((e) => e.event === 'sla_breach')).toHaveLength(1);
      expect(tl.filter((e) => e.event === 'escalate')).toHaveLength(1);
      const fact = await waitFor(async () => {
        const f = await h.db.connection.collection('ticket_facts').findOne({ _id: ticket.id as never });
        return f?.frBreached ? f : undefined;
      });
      expect(fact.frBreached).toBe(true);
      // The same timer again (a retry) finds tier 2's deadline: nothing more happens.
      expect((await handleSlaTimer(h.hd.deps, h.client.delivery, timer)).outcome).toBe('stale');
      expect((await timeline(ticket.id)).filter((e) => e.event === 'sla_breach')).toHaveLength(1);
    } finally {
      off();
    }
  });

  it('a routed ticket has one SLA timer: its nearest step, carrying the others', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('one-timer', 'slow one', { priority: 'P4' }));
    const fr = new Date(ticket.sla.firstResponseDueAt!).getTime();
    const res = new Date(ticket.sla.resolutionDueAt!).getTime();
    await waitFor(async () => (await pendingSlaSteps(h.client.queues.sla, ticket.id)).length > 0, 5_000, 'timer');
    const jobs = (await h.client.queues.sla.getJobs(['delayed', 'waiting'])).filter((j) => j?.data.ticketId === ticket.id);
    expect(jobs).toHaveLength(1); // was 4: a warning and a breach per target
    expect(jobs[0]!.data).toMatchObject({ target: 'firstResponse', stage: 'warn', dueAt: fr });
    const steps = await pendingSlaSteps(h.client.queues.sla, ticket.id);
    expect(steps.map((x) => `${x.target}.${x.stage}.${x.dueAt}`)).toEqual([`firstResponse.warn.${fr}`, `firstResponse.breach.${fr}`, `resolution.warn.${res}`, `resolution.breach.${res}`]);
    await resolveTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await waitFor(async () => (await pendingSlaSteps(h.client.queues.sla, ticket.id)).length === 0, 5_000, 'timer removed');
  });

  it('a priority change moves the deadline: the old timer goes, the new one fires', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('reprio', 'slow at first', { priority: 'P4' }));
    const oldDue = new Date(ticket.sla.firstResponseDueAt!).getTime();
    await waitFor(() => pending(ticket.id, 'firstResponse', 'breach', oldDue), 5_000, 'first timer');
    const p1 = await setPriority(h.hd.deps, { id: ticket.id }, agent.identities[0]!, 'P1');
    const newDue = new Date(p1.sla.firstResponseDueAt!).getTime();
    expect(newDue).toBeLessThan(oldDue);
    await waitFor(async () => !(await pending(ticket.id, 'firstResponse', 'breach', oldDue)), 5_000, 'old timer removed');
    await waitFor(async () => (await h.hd.store.get(ticket.id))?.tier === 2, 10_000, 'escalation on the new deadline');
    // A stale job for the old deadline does nothing even if it runs.
    const stale = await handleSlaTimer(h.hd.deps, h.client.delivery, { ticketId: ticket.id, target: 'firstResponse', stage: 'breach', dueAt: oldDue, tier: 1 });
    expect(stale.outcome).toBe('stale');
  });

  it('resolving cancels the timers', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('resolve-cancels', 'slow one', { priority: 'P4' }));
    const claimed = await claimTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    const due = new Date(claimed.sla.resolutionDueAt!).getTime();
    await waitFor(() => pending(ticket.id, 'resolution', 'breach', due), 5_000, 'resolution timer');
    // Claiming was the first response: its timers are gone.
    const frDue = new Date(ticket.sla.firstResponseDueAt!).getTime();
    await waitFor(async () => !(await pending(ticket.id, 'firstResponse', 'breach', frDue)), 5_000, 'first-response timer removed');
    await resolveTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await waitFor(async () => (await pendingSlaSteps(h.client.queues.sla, ticket.id)).length === 0, 5_000, 'resolution timer removed');
    const r = await handleSlaTimer(h.hd.deps, h.client.delivery, { ticketId: ticket.id, target: 'resolution', stage: 'breach', dueAt: due, tier: 1 });
    expect(r.outcome).toBe('stale');
    expect((await timeline(ticket.id)).some((e) => e.event === 'sla_breach')).toBe(false);
  });

  it('pending pauses the clock; the requester answering resumes it with the time that was left', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('pause', 'waiting on me', { priority: 'P4' }));
    const claimed = await claimTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    const due = new Date(claimed.sla.resolutionDueAt!).getTime();
    await pendTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    const paused = await waitFor(async () => {
      const t = await h.hd.store.get(ticket.id);
      return t?.sla.pausedAt ? t : undefined;
    });
    await waitFor(async () => (await pendingSlaSteps(h.client.queues.sla, ticket.id)).length === 0, 5_000, 'timer removed while paused');
    await new Promise((r) => setTimeout(r, 50));
    await postMessage(h.hd.deps, { ticket: { id: ticket.id }, author: requester, text: 'here is the info' });
    const resumed = await waitFor(async () => {
      const t = await h.hd.store.get(ticket.id);
      return t && !t.sla.pausedAt && t.status === 'claimed' ? t : undefined;
    });
    const newDue = new Date(resumed.sla.resolutionDueAt!).getTime();
    expect(newDue).toBeGreaterThan(due);
    expect(resumed.sla.pausedMs).toBeGreaterThan(0);
    expect(newDue - due).toBe(resumed.sla.pausedMs); // 24×7: shifted by exactly the paused time
    expect(new Date(paused.sla.pausedAt!).getTime()).toBeLessThan(Date.now());
    await waitFor(() => pending(ticket.id, 'resolution', 'breach', newDue), 5_000, 'timer rescheduled');
  });

  it('a timer that fails for good still passes the rest of the plan on (its next step is added)', async () => {
    // A store that is down for the whole retry span: the warning cannot run, the breach must stay planned.
    const queues = createQueues({ connection: testRedisUrl(), prefix: `slaf${randomId()}` });
    const down = { ...h.hd.deps, store: { ...h.hd.deps.store, get: async () => Promise.reject(new Error('store down')) } } as unknown as CoreDeps;
    const conn = redisClient(testRedisUrl());
    const worker = createSlaWorker({ deps: down, delivery: h.client.delivery, redis: queues.redis, prefix: queues.prefix, log: silentLogger, queue: queues.sla }, conn, 1);
    try {
      const dueAt = Date.now() + 3_600_000;
      const data = { ticketId: 'tkt-down', target: 'firstResponse' as const, stage: 'warn' as const, dueAt, tier: 1, next: [{ target: 'firstResponse' as const, stage: 'breach' as const, dueAt, at: dueAt }] };
      await queues.sla.add('firstResponse.warn', data, { jobId: slaJobId(data), attempts: 2, backoff: { type: 'fixed', delay: 50 } });
      await waitFor(async () => (await queues.sla.getJob(slaJobId(data)))?.failedReason !== undefined && (await queues.sla.getJobState(slaJobId(data))) === 'failed', 10_000, 'failed for good');
      const next = await queues.sla.getJob(slaJobId({ ticketId: 'tkt-down', target: 'firstResponse', stage: 'breach', dueAt }));
      expect(next?.data).toMatchObject({ stage: 'breach', dueAt });
      expect(await queues.sla.getJobState(next!.id!)).toBe('delayed');
    } finally {
      await worker.close(true);
      await queues.sla.obliterate({ force: true });
      await queues.close();
      conn.disconnect();
    }
  });

  /** Runs `fn` with deps whose store counts its reads of `id` (reads by other workers are not counted). */
  async function readsOf<T>(id: string, fn: (deps: CoreDeps) => Promise<T>): Promise<{ r: T; reads: number }> {
    const base = h.hd.deps.store;
    let reads = 0;
    const store = new Proxy(base, {
      get(target, prop) {
        if (prop === 'get') {
          return async (x: string) => {
            if (x === id) reads++;
            return target.get(x);
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return { r: await fn({ ...h.hd.deps, store }), reads };
  }
  /** The ticket once its background writes (the tier-1 card's link) are done: read twice, 300 ms apart, same version. */
  const settled = (id: string) =>
    waitFor(async () => {
      const a = await h.hd.store.get(id);
      await new Promise((r) => setTimeout(r, 300));
      const b = await h.hd.store.get(id);
      return a && b && a.version === b.version && b.links.some((l) => l.role === 'triage' && l.message) ? b : undefined;
    }, 10_000, 'ticket settled');
  const breachOf = (t: Ticket) => ({ ticketId: t.id, target: 'firstResponse' as const, stage: 'breach' as const, dueAt: new Date(t.sla.firstResponseDueAt!).getTime(), tier: 1 });

  it('a timer carrying the ticket as stored escalates it without reading it (one write), exactly once', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('known-fresh', 'slow P4, known', { priority: 'P4' }));
    const stored = await settled(ticket.id);
    // What a job carries: the ticket, exactly (Dates, links, the public log) after the round trip.
    const known = decodeTicket(encodeTicket(stored))!;
    expect(known).toStrictEqual(stored);
    const versions: Array<[number, number | undefined]> = [];
    const off = h.hd.deps.events.subscribe(async (e) => {
      if (e.ticket.id === ticket.id && e.type === 'ticket.escalated') versions.push([e.ticket.version, e.before?.version]);
    });
    try {
      const { r, reads } = await readsOf(ticket.id, (deps) => handleSlaTimer(deps, h.client.delivery, { ...breachOf(stored), known }));
      expect(r).toMatchObject({ outcome: 'breached', firstTime: true, escalated: true });
      expect(reads).toBe(0); // was 1: the timer's read
    } finally {
      off();
    }
    expect(versions).toEqual([[stored.version + 1, stored.version]]); // one write, from the copy's version
    expect((await h.hd.store.get(ticket.id))!.tier).toBe(2);
    const tl = await timeline(ticket.id);
    expect(tl.filter((e) => e.event === 'sla_breach')).toHaveLength(1);
    expect(tl.filter((e) => e.event === 'escalate')).toHaveLength(1);
    // Duplicates carrying the same copy, concurrently: still one escalation (the copy's version is won once).
    const { ticket: other } = await openTicket(h.hd.deps, request('known-dup', 'slow P4, dup', { priority: 'P4' }));
    const copy = await settled(other.id);
    const results = await Promise.all(Array.from({ length: 6 }, () => handleSlaTimer(h.hd.deps, h.client.delivery, { ...breachOf(copy), known: copy })));
    expect(results.filter((x) => x.outcome === 'breached' && x.escalated)).toHaveLength(1);
    expect(results.filter((x) => x.outcome === 'breached' && x.firstTime)).toHaveLength(1);
    expect((await timeline(other.id)).filter((e) => e.event === 'escalate')).toHaveLength(1);
    expect((await h.hd.store.get(other.id))!.tier).toBe(2);
  });

  it('a timer carrying an old copy of the ticket reads it and decides on it as it is now', async () => {
    // (1) The version moved (a card's link written after the timer was set), the breach still holds:
    // escalated once, from the ticket as stored — the new link is neither lost nor unknown to the escalation.
    const { ticket } = await openTicket(h.hd.deps, request('known-old', 'slow P4, old copy', { priority: 'P4' }));
    const old = await settled(ticket.id);
    const link = { platform: 'slack' as const, workspace: 'T1', channel: 'C_ELSEWHERE', message: '1700000000.000042', role: 'announce' as const };
    await h.hd.store.upsertLink(ticket.id, link, new Date());
    const befores: Ticket[] = [];
    const off = h.hd.deps.events.subscribe(async (e) => {
      if (e.ticket.id === ticket.id && e.type === 'ticket.escalated' && e.before) befores.push(e.before);
    });
    try {
      const { r, reads } = await readsOf(ticket.id, (deps) => handleSlaTimer(deps, h.client.delivery, { ...breachOf(old), known: old }));
      expect(r).toMatchObject({ outcome: 'breached', firstTime: true, escalated: true });
      expect(reads).toBe(1);
    } finally {
      off();
    }
    expect(befores).toHaveLength(1);
    expect(befores[0]!.links).toContainEqual(link);
    const t = (await h.hd.store.get(ticket.id))!;
    expect(t.tier).toBe(2);
    expect(t.version).toBeGreaterThanOrEqual(old.version + 2); // the link, then the escalation (then its cards' links)
    expect(t.links).toContainEqual(link);
    expect((await timeline(ticket.id)).filter((e) => e.event === 'escalate')).toHaveLength(1);

    // (2) Claimed since (the first response): the old copy's breach is stale, nothing is escalated.
    const { ticket: t2 } = await openTicket(h.hd.deps, request('known-claimed', 'slow P4, claimed', { priority: 'P4' }));
    const old2 = (await h.hd.store.get(t2.id))!;
    await claimTicket(h.hd.deps, { id: t2.id }, agent.identities[0]!);
    expect((await handleSlaTimer(h.hd.deps, h.client.delivery, { ...breachOf(old2), known: old2 })).outcome).toBe('stale');
    const after2 = (await h.hd.store.get(t2.id))!;
    expect(after2).toMatchObject({ tier: 1, status: 'claimed' });
    expect((await timeline(t2.id)).some((e) => e.event === 'escalate' || e.event === 'sla_breach')).toBe(false);

    // (3) Escalated by hand since: the old copy (tier 1) escalates nothing more.
    const { ticket: t3 } = await openTicket(h.hd.deps, request('known-escalated', 'slow P4, escalated', { priority: 'P4' }));
    const old3 = (await h.hd.store.get(t3.id))!;
    const { escalateTicket } = await import('../../core/use-cases/escalate-ticket.js');
    await escalateTicket(h.hd.deps, { id: t3.id }, agent.identities[0]!, 'by hand');
    expect((await handleSlaTimer(h.hd.deps, h.client.delivery, { ...breachOf(old3), known: old3 })).outcome).toBe('stale');
    expect((await h.hd.store.get(t3.id))!.tier).toBe(2);
    expect((await timeline(t3.id)).filter((e) => e.event === 'escalate')).toHaveLength(1);
  });

  it('a write that keeps the plan (a stored link) refreshes the breach timer\'s copy; an older copy never replaces a newer one', async () => {
    const planner = new JobsScheduler(h.client.queues, h.hd.deps, silentLogger);
    const { ticket } = await openTicket(h.hd.deps, request('known-refresh', 'slow P4, refreshed', { priority: 'P4' }));
    const settledT = await settled(ticket.id);
    // Warned already: the plan's first step is the breach, whose timer carries the ticket.
    const warned = (await setSla(h.hd.deps, settledT, (x) => ({ ...x, warnedAt: new Date(x.firstResponseDueAt!) }))).ticket!;
    const want = slaChain(warned.id, warned.tier, planner.planSla(warned, desk), warned)!;
    expect(want.data).toMatchObject({ stage: 'breach', target: 'firstResponse' });
    expect(decodeTicket(want.data.known)?.version).toBe(warned.version);
    await addSlaTimer(h.client.queues.sla, want, Date.now());
    const linked = await h.hd.store.upsertLink(ticket.id, { platform: 'slack', workspace: 'T1', channel: 'C_OTHER', message: '1700000000.000077', role: 'announce' }, new Date(), warned);
    await planner.refreshSlaCopy(linked);
    await planner.refreshSlaCopy(warned); // older: ignored
    const job = (await h.client.queues.sla.getJob(want.id))!;
    const copy = decodeTicket(job.data.known)!;
    expect(copy).toStrictEqual(linked);
    const { r, reads } = await readsOf(ticket.id, (deps) => handleSlaTimer(deps, h.client.delivery, { ...breachOf(linked), known: copy }));
    expect(r).toMatchObject({ outcome: 'breached', escalated: true });
    expect(reads).toBe(0);
    await h.client.queues.sla.remove(want.id).catch(() => 0);
  });
});
