import type { DeliveryOp } from '../core/ports/delivery.port.js';
import type { SlaTargetKind } from '../core/domain/sla.js';

/** Queue names (the BullMQ `prefix` separates deployments and test files). */
export const QUEUE = { delivery: 'delivery', sla: 'sla', automation: 'automation' } as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUE);

/**
 * Delivery carries the whole operation: views are built when the event happens (in the recipient's
 * language, with the ticket as it was), so the job must carry them; everything else carries ids.
 */
export interface DeliveryJob {
  op: DeliveryOp;
}

/** An SLA timer. `dueAt` (epoch ms) identifies the deadline: a job whose deadline moved is stale. */
export interface SlaJob {
  ticketId: string;
  target: SlaTargetKind;
  /** `warn` before the deadline, `breach` at it. */
  stage: 'warn' | 'breach';
  dueAt: number;
  /** Tier when scheduled: automatic escalation only moves the ticket from this tier (exactly once). */
  tier: number;
  /**
   * The ticket's later SLA steps when this timer was set, nearest first: a ticket has one SLA timer
   * at a time (its nearest step), and the worker adds the next one when this one has run
   * (jobs/scheduler.ts `slaChain`). Absent on timers of older versions (one job per step).
   */
  next?: SlaStep[];
  /**
   * The ticket this timer was planned from (`core/domain/ticket-snapshot.ts`), when it was small
   * enough: a breach escalates from it without reading the ticket while its version is still the
   * stored one (`SlaTimer.known`). Not part of the job id; absent on older timers (they read).
   */
  known?: string;
}

/** One step of a ticket's SLA plan: a warning or a breach of a target's deadline, due `at` (epoch ms). */
export interface SlaStep {
  target: SlaTargetKind;
  stage: 'warn' | 'breach';
  dueAt: number;
  at: number;
}

export type AutomationJob =
  | { kind: 'assign'; ticketId: string; tier: number }
  | { kind: 'deflection_timeout'; ticketId: string }
  | { kind: 'pending_reminder'; ticketId: string; since: number; n: number }
  | { kind: 'auto_resolve'; ticketId: string; since: number }
  | { kind: 'auto_close'; ticketId: string; resolvedAt: number }
  | { kind: 'digest'; deskId: string; days: number }
  | { kind: 'prune_processed' }
  /** One page of a resolved incident's linked tickets (`after`: the last ticket id of the previous page). */
  | { kind: 'incident_settle'; incidentId: string; after?: string }
  /** A spike card's delayed count edit (core/use-cases/fanout/detect-spike.ts), at the window's render time. */
  | { kind: 'spike_render'; spikeId: string; version: number };

/** BullMQ job ids may not contain ':' nor be all digits. Everything unsafe becomes '_'. */
export const safeId = (...parts: Array<string | number>): string => parts.map((p) => String(p).replace(/[^A-Za-z0-9_.-]/g, '_')).join('-');

export const DEFAULT_PREFIX = 'helpdesk';

export const isQueueName = (s: string): s is QueueName => (QUEUE_NAMES as readonly string[]).includes(s);
