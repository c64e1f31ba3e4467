import type { Ticket } from '../domain/ticket.js';
import type { QueueIndex, QueueRow } from '../ports/queue-index.port.js';
import type { CoreDeps } from './deps.js';

/**
 * How long a row checked against the store is trusted before it is checked again when shown.
 * @defaultValue 5 s
 */
export const VERIFY_AFTER_MS = 5_000;
/** Ticket reads at once for one check (background work: the store serves requests first). */
const CONCURRENCY = 4;

/** When each index's rows were last checked (per process; a check is cheap to repeat elsewhere). */
const checkedAt = new WeakMap<QueueIndex, Map<string, number>>();

/**
 * Checks queue rows just shown against the store, in the background: a row whose ticket has
 * another version (changed by a process whose `record` was lost, or a Redis write that failed) or
 * no longer exists is written again from the store (`record` heals the sets and the row), so a
 * stale row is shown at most until this check finishes, not until the next change of its ticket.
 * Each row is checked at most once per VERIFY_AFTER_MS in this process.
 */
export function verifyQueueRows(deps: Pick<CoreDeps, 'store' | 'log' | 'clock'>, index: QueueIndex, rows: readonly QueueRow[]): Promise<void> {
  let seen = checkedAt.get(index);
  if (!seen) checkedAt.set(index, (seen = new Map()));
  const now = Date.now();
  if (seen.size > 50_000) for (const [id, at] of seen) if (now - at > VERIFY_AFTER_MS) seen.delete(id);
  const due = rows.filter((r) => now - (seen.get(r.id) ?? 0) > VERIFY_AFTER_MS);
  for (const r of due) seen.set(r.id, now);
  if (!due.length) return Promise.resolve();
  const work = async () => {
    const queue = [...due];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          const t = await deps.store.get(r.id);
          if (!t) {
            // Out of every queue: recorded as closed at the version the row had.
            await index.record({ ...r, status: 'closed' } as unknown as Ticket);
            deps.log.warn({ ticket: r.id }, 'queue index named a missing ticket; removed');
          } else if (t.version !== r.version || t.status !== r.status) await index.record(t);
        }
      }),
    );
  };
  return work().catch((err: unknown) => {
    for (const r of due) seen.delete(r.id); // check again next time
    deps.log.warn({ err }, 'queue row check failed');
  });
}
