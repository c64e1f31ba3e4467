import type { Severity } from '../domain/incident.js';

/** What the alert intake remembers per fingerprint (kept in Redis by jobs/). */
export interface AlertState {
  /** Episode number: bumped when the incident it fed is resolved, so the next firing opens a new one. */
  gen: number;
  /** The open incident this fingerprint feeds. */
  incidentId?: string;
  firing: boolean;
  /** Epoch ms of recent state changes (firing ↔ resolved), newest last, at most 20. */
  changes: number[];
  /** The episode already proposed to tier 2 (propose rules): one card per episode. */
  proposedGen?: number;
  /** A resolution was held back because the alert was flapping: the quiet timer finishes it. */
  damped?: boolean;
}

/**
 * Per-fingerprint alert state plus a lock per service: every alert of one service is processed one
 * at a time across processes, so a group of alerts (or two worker sets) makes one incident.
 */
export interface AlertStateStore {
  /** Runs `fn` holding the lock of `scope` (waits for it; the lock expires if its holder dies). */
  withLock<T>(scope: string, fn: () => Promise<T>): Promise<T>;
  get(fingerprint: string): Promise<AlertState | null>;
  set(fingerprint: string, s: AlertState): Promise<void>;
}

/** The quiet timer: checks, after a resolution, that the alert stayed resolved (see apply-alert.ts). */
export interface QuietTimer {
  fingerprint: string;
  service: string;
  gen: number;
  /** Epoch ms of the state change the timer belongs to; a later change makes it stale. */
  changedAt: number;
  /** 0: after a resolution; 1: after a held-back (flapping) resolution was applied. Part of the timer's id. */
  stage?: number;
}

export interface AlertTimers {
  /** Runs `quietElapsed(timer)` at `at` (deterministic id: scheduling the same timer twice is one timer). */
  schedule(t: QuietTimer, at: Date): Promise<void>;
}

/** An incident suggested to a desk's tier 2 (a `propose` rule) instead of opened. */
export interface IncidentProposal {
  /** Declaring with this idempotency key (and `alertFingerprints: [fingerprint]`) links the alert to the incident. */
  key: string;
  deskId: string;
  title: string;
  services: string[];
  severity: Severity;
  description?: string;
  fingerprint: string;
  source: string;
  at: Date;
}

/** Shows a proposal to people (a card in the desk's tier-2 channels). */
export interface IncidentProposer {
  propose(p: IncidentProposal): Promise<void>;
}
