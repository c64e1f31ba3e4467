import { createHash } from 'node:crypto';
import type { Alert } from '../../core/domain/alert.js';

/** One verified alert notification with the id that dedupes its redeliveries. */
export interface RecordedAlert {
  /** Deterministic: source + fingerprint + status + the source's timestamp (a repeat is the same job). */
  id: string;
  alert: Alert;
}

/**
 * Durable alert intake as the webhook receivers see it: `record` resolves once the alerts are
 * stored (Redis with AOF), and only then is the sender answered 2xx. Implemented by jobs/alerts.queue.ts.
 */
export interface AlertRecorder {
  record(alerts: readonly RecordedAlert[]): Promise<void>;
}

/** A BullMQ-safe job id part: no ':' and nothing but letters, digits, `_ . -` (long ones hashed). */
function part(p: string | number): string {
  const s = String(p).replace(/[^A-Za-z0-9_.-]/g, '_');
  return s.length <= 80 ? s : createHash('sha256').update(String(p)).digest('hex').slice(0, 32);
}

/** The job id of an alert notification: source + fingerprint + status + the source's timestamp. */
export const alertJobId = (source: string, fingerprint: string, status: string, timestamp: string | number): string => ['al', source, fingerprint, status, timestamp].map(part).join('-');
