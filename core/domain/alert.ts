import type { Severity } from './incident.js';

/**
 * A monitoring alert, as every source (Alertmanager, Grafana, the signed generic webhook, built-in
 * checks) is normalized before it reaches core. Strings are bounded by the intake's validation.
 */
export interface Alert {
  source: 'alertmanager' | 'grafana' | 'generic' | 'check';
  /** Stable identity of the alert across notifications (Alertmanager's fingerprint, a check's id…). */
  fingerprint: string;
  /** Affected service (normalized), matched against the rules. */
  service: string;
  title: string;
  /** The source's own severity, already mapped (critical → SEV1…), if it gave one. */
  severity?: Severity;
  status: 'firing' | 'resolved';
  description?: string;
  /** When the problem started (firing) or ended (resolved), per the source; else when it was received. */
  at: Date;
}

/** What a rule does when an alert of its services fires and no incident is open for it. */
export type AlertAction = 'open' | 'propose';

/**
 * A rule of the desk file's `alerts.rules`: which desk owns alerts of these services, at which
 * severity, and whether they open an incident or propose one to the desk's tier-2 channel.
 */
export interface AlertRule {
  /** Service names this rule covers (normalized); `*` matches any service. */
  services: string[];
  desk: string;
  /** Overrides the alert's own severity when set. */
  severity?: Severity;
  /** @defaultValue 'propose' */
  action: AlertAction;
  /**
   * Minutes an incident stays in `monitoring` after its alerts resolve before it is resolved
   * automatically (no re-firing meanwhile). `null`: agents resolve it by hand.
   * @defaultValue 15
   */
  resolveAfterMinutes: number | null;
}

/** Damping of flapping alerts (desk file `alerts.flapping`). */
export interface FlappingPolicy {
  /** State changes (firing ↔ resolved) within `windowMinutes` that make an alert "flapping". @defaultValue 4 */
  maxChanges: number;
  /** @defaultValue 30 */
  windowMinutes: number;
}

export interface HttpCheck {
  id: string;
  service: string;
  kind: 'http';
  url: string;
  /** Status codes that count as up. @defaultValue 200–399 */
  expectStatus?: number[];
  /** Slower than this counts as a failure. */
  maxLatencyMs?: number;
}

export interface TcpCheck {
  id: string;
  service: string;
  kind: 'tcp';
  host: string;
  port: number;
}

/** A built-in check (desk file `alerts.checks`), run by a BullMQ job scheduler once per interval. */
export type CheckDefinition = (HttpCheck | TcpCheck) & {
  intervalSeconds: number;
  timeoutMs: number;
  /** Consecutive failures before the check's alert fires. @defaultValue 3 */
  failuresBeforeAlert: number;
  /** Consecutive successes before a firing check's alert resolves. @defaultValue 2 */
  recoveriesBeforeResolve: number;
  title?: string;
  severity?: Severity;
};

export interface AlertingConfig {
  rules: AlertRule[];
  flapping: FlappingPolicy;
  checks: CheckDefinition[];
}

export const EMPTY_ALERTING: AlertingConfig = { rules: [], flapping: { maxChanges: 4, windowMinutes: 30 }, checks: [] };

/** The first rule covering `service` (exact names before `*`), if any. */
export function ruleFor(cfg: Pick<AlertingConfig, 'rules'>, service: string): AlertRule | undefined {
  return cfg.rules.find((r) => r.services.includes(service)) ?? cfg.rules.find((r) => r.services.includes('*'));
}

/** Common severity words of monitoring tools → SEV levels; undefined when unknown. */
export function severityFromLabel(label: string | undefined): Severity | undefined {
  const s = (label ?? '').trim().toLowerCase();
  if (s === 'sev1' || s === 'critical' || s === 'page' || s === 'p1' || s === 'disaster') return 'SEV1';
  if (s === 'sev2' || s === 'high' || s === 'error' || s === 'major' || s === 'p2') return 'SEV2';
  if (s === 'sev3' || s === 'warning' || s === 'warn' || s === 'medium' || s === 'minor' || s === 'p3') return 'SEV3';
  if (s === 'sev4' || s === 'info' || s === 'low' || s === 'none' || s === 'p4') return 'SEV4';
  return undefined;
}
