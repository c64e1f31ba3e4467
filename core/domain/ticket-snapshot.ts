import type { Ticket } from './ticket.js';

/**
 * A ticket as a string that a job can carry (an SLA timer carries the ticket it was planned from,
 * so that its escalation can try the compare-and-set on that version without reading it first:
 * `SlaTimer.known`). JSON with every Date tagged, so that decoding gives back exactly the ticket
 * encoded (Dates as Dates, nothing else changed): a write computed from it must equal what a read
 * returns (the store's `update(…, known)`).
 */
const TAG = '$hdDate';

/** Largest snapshot carried (characters); a bigger ticket is not carried (its timer reads it). */
export const TICKET_SNAPSHOT_MAX = 16_000;

/** The ticket as a string, or undefined when it cannot be carried exactly (too big, or holding the tag key). */
export function encodeTicket(t: Ticket): string | undefined {
  let clash = false;
  const tags = new WeakSet<object>();
  const s = JSON.stringify(t, function (this: Record<string, unknown>, k: string, v: unknown) {
    if (k === TAG && !tags.has(this)) clash = true;
    const raw = this[k];
    if (!(raw instanceof Date)) return v;
    const tag = { [TAG]: raw.getTime() };
    tags.add(tag);
    return tag;
  });
  return clash || s.length > TICKET_SNAPSHOT_MAX ? undefined : s;
}

/** The ticket `encodeTicket` encoded; undefined for anything that is not one. */
export function decodeTicket(s: unknown): Ticket | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    const t = JSON.parse(s, (_k, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      return keys.length === 1 && keys[0] === TAG && typeof o[TAG] === 'number' ? new Date(o[TAG]) : v;
    }) as Ticket;
    return t && typeof t.id === 'string' && typeof t.version === 'number' && typeof t.deskId === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
