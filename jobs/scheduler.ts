import { createHash } from 'node:crypto';
import type { JobsOptions as BullJobOptions, Queue } from 'bullmq';
import type { Desk } from '../core/domain/desk.js';
import type { EventBus } from '../core/domain/event-bus.js';
import { changeIdOf, type IncidentEvent, type TicketEvent } from '../core/domain/events.js';
import { pauseSla, resumeSla, runningDeadline, slaWarnAt, type SlaTargetKind } from '../core/domain/sla.js';
import { ACTIVE_STATUSES, type Ticket } from '../core/domain/ticket.js';
import { decodeTicket, encodeTicket } from '../core/domain/ticket-snapshot.js';
import type { Logger } from '../core/ports/logger.port.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { setSla } from '../core/use-cases/sla-breach.js';
import { countForDigest } from './digest.js';
import { safeId, type AutomationJob, type SlaJob, type SlaStep } from './names.js';
import type { JobsQueues } from './queues.js';

const TARGETS: SlaTargetKind[] = ['firstResponse', 'resolution'];
const DAY = 24 * 3600_000;
const ms = (d: Date | string) => new Date(d).getTime();

/**
 * Deterministic id of an SLA timer: ticket, target, stage and deadline, and (when it carries later
 * steps) a hash of them, so that a plan whose later steps changed is a new job, not a duplicate of
 * the old one.
 */
export const slaJobId = (j: Pick<SlaJob, 'ticketId' | 'target' | 'stage' | 'dueAt' | 'next'>): string => {
  const id = safeId('sla', j.ticketId, j.target, j.stage, j.dueAt);
  if (!j.next?.length) return id;
  return `${id}-${createHash('sha1').update(JSON.stringify(j.next.map((n) => [n.target, n.stage, n.dueAt, n.at]))).digest('hex').slice(0, 12)}`;
};

interface Planned {
  id: string;
  data: SlaJob;
  at: number;
}

/**
 * The timer of a plan's first step, carrying the rest; undefined for an empty plan. `known`: the
 * ticket the plan was made from, carried when its first step is a breach (`SlaJob.known`).
 */
export function slaChain(ticketId: string, tier: number, steps: readonly SlaStep[], known?: Ticket): Planned | undefined {
  const [head, ...rest] = steps;
  if (!head) return undefined;
  const snap = known?.id === ticketId && head.stage === 'breach' ? encodeTicket(known) : undefined;
  const data: SlaJob = { ticketId, target: head.target, stage: head.stage, dueAt: head.dueAt, tier, ...(rest.length ? { next: rest } : {}), ...(snap ? { known: snap } : {}) };
  return { id: slaJobId(data), data, at: head.at };
}

/** Adds a timer (its deterministic id makes a repeat a no-op). */
export async function addSlaTimer(queue: Queue<SlaJob>, p: Planned, now: number): Promise<void> {
  await queue.add(`${p.data.target}.${p.data.stage}`, p.data, { jobId: p.id, delay: Math.max(0, p.at - now) });
}

/**
 * The SLA steps (warnings and breaches) of a queue's pending timers for one ticket, nearest first:
 * each timer and the steps it carries. Scans the queue's delayed and waiting jobs (tests, ops).
 */
export async function pendingSlaSteps(queue: Queue<SlaJob>, ticketId: string): Promise<SlaStep[]> {
  const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
  const out: SlaStep[] = [];
  for (const j of jobs) {
    if (j?.data.ticketId !== ticketId) continue;
    out.push({ target: j.data.target, stage: j.data.stage, dueAt: j.data.dueAt, at: j.timestamp + (j.opts.delay ?? 0) }, ...(j.data.next ?? []));
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Turns domain events into delayed jobs: SLA warnings and breaches (rescheduled when a deadline
 * moves, cancelled when the ticket leaves the active states, paused while pending if the desk says
 * so), the deflection window, auto-assignment, pending reminders, auto-resolve and auto-close.
 * Every job id is deterministic, so replicas handling the same event (or a replayed one) add it once.
 * Attach it in every process that changes tickets (web, worker, all): what a worker changes
 * (an automatic escalation) needs timers too.
 */
export class JobsScheduler {
  constructor(
    private readonly q: JobsQueues,
    private readonly deps: CoreDeps,
    private readonly log: Logger,
  ) {}

  attach(events: EventBus = this.deps.events): () => void {
    const offTickets = events.subscribe((e) => this.onEvent(e));
    const offIncidents = events.onIncident((e) => this.onIncident(e));
    return () => {
      offTickets();
      offIncidents();
    };
  }

  /** A resolved incident: its linked requesters are told (and tickets resolved) by a chain of page jobs. */
  async onIncident(e: IncidentEvent): Promise<void> {
    if (e.type !== 'incident.resolved') return;
    const data: AutomationJob = { kind: 'incident_settle', incidentId: e.incident.id };
    await this.q.automation.add(data.kind, data, { jobId: safeId('incset', e.incident.id, 'first') });
  }

  async onEvent(e: TicketEvent): Promise<void> {
    const desk = this.deps.directory.desk(e.ticket.deskId);
    if (e.type === 'ticket.created') await countForDigest(this.q.redis, this.q.prefix, desk, 'opened', e.at);
    if (e.type === 'ticket.resolved') await countForDigest(this.q.redis, this.q.prefix, desk, 'resolved', e.at);
    const t = await this.reconcilePause(e.ticket, desk);
    await this.syncSla(t, e.before, desk);
    await this.automation(e, t, desk);
  }

  /** Stops the SLA clock while pending (if the desk pauses), restarts it when the ticket moves on. */
  async reconcilePause(t: Ticket, desk: Desk): Promise<Ticket> {
    const now = this.deps.clock.now();
    const r = await setSla(this.deps, t, (s, fresh) => {
      const paused = desk.sla.pauseWhilePending && fresh.status === 'pending';
      if (paused && !s.pausedAt) return pauseSla(s, now);
      if (!paused && s.pausedAt) return resumeSla(desk, s, now);
      return null;
    });
    return r.ticket ?? t;
  }

  /** The SLA steps a ticket has right now (warnings and breaches of its running targets), nearest first. */
  planSla(t: Ticket, desk: Desk): SlaStep[] {
    if (!ACTIVE_STATUSES.includes(t.status) || t.sla.pausedAt) return [];
    const out: SlaStep[] = [];
    for (const target of TARGETS) {
      const due = runningDeadline(t, target);
      if (!due) continue;
      const dueAt = ms(due);
      out.push({ target, stage: 'breach', dueAt, at: dueAt });
      const warnAt = slaWarnAt(desk, t.priority, target, new Date(dueAt));
      const warned = t.sla.warnedAt && ms(t.sla.warnedAt) >= (warnAt?.getTime() ?? Infinity);
      if (warnAt && !warned) out.push({ target, stage: 'warn', dueAt, at: warnAt.getTime() });
    }
    // Nearest first; at the same time a warning before a breach, first response before resolution.
    return out.sort((a, b) => a.at - b.at || (a.stage === b.stage ? 0 : a.stage === 'warn' ? -1 : 1) || (a.target === b.target ? 0 : a.target === 'firstResponse' ? -1 : 1));
  }

  /**
   * One timer per ticket: its nearest SLA step, carrying the others (the SLA worker adds the next
   * when it has run, sla.worker.ts). A ticket change adds the new plan's timer and removes the old
   * plan's if it is still to come (one that is due is running or about to: it finds itself stale).
   * Was a timer per step (4 for a routed ticket: warning and breach of both targets).
   */
  async syncSla(t: Ticket, before: Ticket | undefined, desk: Desk): Promise<void> {
    const want = slaChain(t.id, t.tier, this.planSla(t, desk), t);
    const now = this.deps.clock.now().getTime();
    if (want) await addSlaTimer(this.q.sla, want, now);
    if (!before) return;
    const old = slaChain(before.id, before.tier, this.planSla({ ...before, sla: { ...before.sla, pausedAt: undefined } }, desk));
    // Same plan (the add above was a no-op): the pending timer gets this newer copy of the ticket.
    if (want?.data.known && old?.id === want.id) await this.refreshSlaCopy(t);
    // Removing is an optimisation: a timer that cannot be removed (running now) finds itself stale.
    if (old && old.id !== want?.id && old.at > now) await this.q.sla.remove(old.id).catch(() => 0);
  }

  /**
   * A write that changed the ticket without changing its plan (a delivery storing a card's link):
   * its pending SLA timer gets this copy, so that its breach escalates without a read (a timer whose
   * copy is older reads the ticket). Only a newer version replaces the copy; a timer already running
   * keeps the one it read; a timer gone (run, removed) is left alone.
   */
  async refreshSlaCopy(t: Ticket): Promise<void> {
    // The timer's id does not depend on the copy: find it first, encode the ticket only to write it.
    const want = slaChain(t.id, t.tier, this.planSla(t, this.deps.directory.desk(t.deskId)));
    if (want?.data.stage !== 'breach') return;
    const job = await this.q.sla.getJob(want.id);
    if (!job || (decodeTicket(job.data.known)?.version ?? -1) >= t.version) return;
    const known = encodeTicket(t);
    if (known) await job.updateData({ ...job.data, known }).catch(() => {});
  }

  private async add(queue: Queue<AutomationJob>, data: AutomationJob, jobId: string, at: number, extra: BullJobOptions = {}) {
    await queue.add(data.kind, data, { jobId, delay: Math.max(0, at - this.deps.clock.now().getTime()), ...extra });
  }

  private async automation(e: TicketEvent, t: Ticket, desk: Desk): Promise<void> {
    const a = this.q.automation;
    const auto = desk.automation;
    switch (e.type) {
      case 'ticket.created':
        // Only a ticket showing suggestions waits for the window: one without is routed by the same
        // call that created it (open-ticket.ts; its retry routes it too), so a storm of requests no
        // article answers queues no timer per ticket that would fire 30 minutes later for nothing.
        if (t.status === 'new' && desk.deflection.enabled && !t.incidentId && t.suggestedArticles?.length) {
          await this.add(a, { kind: 'deflection_timeout', ticketId: t.id }, safeId('defl', t.id), ms(t.createdAt) + desk.deflection.windowMinutes * 60_000);
        }
        break;
      case 'ticket.routed':
      case 'ticket.escalated':
      case 'ticket.reopened':
      case 'ticket.unclaimed':
        if (desk.assignment !== 'manual' && t.status === 'open') {
          await this.add(a, { kind: 'assign', ticketId: t.id, tier: t.tier }, safeId('assign', t.id, changeIdOf(e)), 0);
        }
        break;
      case 'ticket.pending': {
        const since = ms(e.at);
        if (auto.pendingReminderHours > 0) {
          await this.add(a, { kind: 'pending_reminder', ticketId: t.id, since, n: 1 }, safeId('remind', t.id, since, 1), since + auto.pendingReminderHours * 3600_000);
        }
        if (auto.autoResolveAfterDays > 0) {
          await this.add(a, { kind: 'auto_resolve', ticketId: t.id, since }, safeId('autoresolve', t.id, since), since + auto.autoResolveAfterDays * DAY);
        }
        break;
      }
      case 'ticket.resolved':
        if (t.resolvedAt && auto.reopenWindowDays >= 0) {
          const resolvedAt = ms(t.resolvedAt);
          await this.add(a, { kind: 'auto_close', ticketId: t.id, resolvedAt }, safeId('autoclose', t.id, resolvedAt), resolvedAt + auto.reopenWindowDays * DAY);
        }
        break;
      default:
        break;
    }
  }
}
