import { Counter, Registry } from 'prom-client';
import type { z } from 'zod';
import type { Logger } from '../../core/ports/logger.port.js';

/** Platform of a rejected payload (the `platform` label). */
export type PayloadPlatform = 'slack' | 'teams' | 'discord';

/** At most this many zod issues are logged per rejection, each path cut to a few short segments. */
const MAX_ISSUES = 5;
const MAX_PATH_SEGMENTS = 8;
const MAX_SEGMENT_CHARS = 40;

/**
 * Where an inbound payload failed validation, safe to log: zod issue codes and paths only (never the
 * values: a payload can be huge and holds what people wrote). Paths are cut short because their keys
 * come from the payload too.
 */
export function issueSummary(error: z.ZodError): string[] {
  return error.issues.slice(0, MAX_ISSUES).map((i) => {
    const path = i.path
      .slice(0, MAX_PATH_SEGMENTS)
      .map((p) => (typeof p === 'number' ? String(p) : String(p).slice(0, MAX_SEGMENT_CHARS)))
      .join('.');
    return `${path || '(root)'}: ${i.code}${i.path.length > MAX_PATH_SEGMENTS ? ' (path cut)' : ''}`;
  });
}

/**
 * Counts and logs inbound payloads an adapter refused at its boundary (malformed or of an unexpected
 * shape): `helpdesk_payload_rejections_total{platform, kind}` where `kind` names what the payload
 * claimed to be (`event.message`, `command`, `activity.invoke`, `INTERACTION_CREATE`…). One log
 * line per rejection, at `warn`, with the issue paths.
 */
export class PayloadRejections {
  readonly counter: Counter<'platform' | 'kind'>;

  /** @param registry the app's registry (exposed on /metrics). @defaultValue a registry of its own */
  constructor(readonly registry: Registry = new Registry()) {
    const existing = registry.getSingleMetric('helpdesk_payload_rejections_total');
    this.counter =
      (existing as Counter<'platform' | 'kind'> | undefined) ??
      new Counter({
        name: 'helpdesk_payload_rejections_total',
        help: 'Inbound platform payloads refused at the adapter boundary (malformed or unexpected shape)',
        labelNames: ['platform', 'kind'],
        registers: [registry],
      });
  }

  reject(platform: PayloadPlatform, kind: string, error: z.ZodError | string, log: Logger): void {
    const k = kind.slice(0, 60);
    this.counter.inc({ platform, kind: k });
    log.warn({ platform, kind: k, issues: typeof error === 'string' ? [error] : issueSummary(error) }, 'inbound payload rejected');
  }

  /** Rejections so far, for one platform (and kind). */
  async count(platform: PayloadPlatform, kind?: string): Promise<number> {
    const { values } = await this.counter.get();
    return values.filter((v) => v.labels.platform === platform && (kind === undefined || v.labels.kind === kind)).reduce((n, v) => n + v.value, 0);
  }
}
