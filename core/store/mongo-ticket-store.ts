import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Connection, Model } from 'mongoose';
import type { Identity } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import type { TicketPatch } from '../domain/ticket.state-machine.js';
import type { NewTicket, Ticket, TicketStatus } from '../domain/ticket.js';
import type { PublicLogEntry } from '../domain/public-log.js';
import type { TimelineEntry } from '../domain/timeline.js';
import type { CreateOptions, LinkLocation, TicketCursor, TicketPageQuery, TicketQuery, TicketStore } from '../ports/ticket-store.port.js';
import { seqBatcher } from './counter.model.js';
import { decodeLog, encodeLog } from './public-log.codec.js';
import { duplicateKeyError, insertBatcher } from './insert-batcher.js';
import { defined } from './schemas.js';
import { ticketModel, type TicketDoc } from './ticket.model.js';
import { timelineModel, type TimelineDoc } from './timeline.model.js';
import { WriteGuard } from './write-guard.model.js';
import { linkIndexModel, linkPlaceKey, locationKey } from './link-index.model.js';

/** Numbers start at 1001 so early tickets look like `IT-1001`, not `IT-1`. */
const NUMBER_BASE = 1000;

/**
 * A ticket's id is derived from its request's idempotency key, so the unique `_id` itself makes a
 * replayed request find (or lose to) the first one, and the lookup is by key on every backend.
 */
export const ticketIdFor = (idempotencyKey: string): string => `tk_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;

/** A keyed timeline entry's id (see `appendTimeline`). */
export const entryIdFor = (key: string): string => `te_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/**
 * At most this many ticket inserts at once per connection: a burst of creations in one process
 * (1,000 concurrent opens) must not turn into as many concurrent backend writes (FerretDB opens a
 * PostgreSQL connection per concurrent statement, and PostgreSQL refuses clients past its limit).
 */
const MAX_CONCURRENT_INSERTS = 16;
const insertSlots = new WeakMap<Connection, { free: number; queue: Array<() => void> }>();
async function withInsertSlot<T>(c: Connection, fn: () => Promise<T>): Promise<T> {
  let s = insertSlots.get(c);
  if (!s) insertSlots.set(c, (s = { free: MAX_CONCURRENT_INSERTS, queue: [] }));
  const slots = s;
  if (slots.free > 0) slots.free -= 1;
  else await new Promise<void>((r) => slots.queue.push(r));
  try {
    return await fn();
  } finally {
    const next = slots.queue.shift();
    if (next) next();
    else slots.free += 1;
  }
}

function toTicket(d: TicketDoc): Ticket {
  const { _id, seq: _seq, publicLog, ...rest } = d as TicketDoc & Record<string, unknown>;
  const log = typeof publicLog === 'string' ? { publicLog: decodeLog(publicLog) } : publicLog ? { publicLog: publicLog as unknown as PublicLogEntry[] } : {};
  return { ...(rest as unknown as Omit<Ticket, 'id'>), id: _id, links: (d.links ?? []) as unknown as Link[], sla: (d.sla ?? {}) as Ticket['sla'], ...log };
}

/** Fields as stored: the public log as one string (public-log.codec.ts). */
function stored<T extends { publicLog?: unknown }>(fields: T): T {
  return Array.isArray(fields.publicLog) ? { ...fields, publicLog: encodeLog(fields.publicLog as PublicLogEntry[]) } : fields;
}

/** `d` with `patch` applied as `update` applies it (set, unset, next version, `updatedAt`). */
function patched(d: TicketDoc, patch: TicketPatch, now: Date): TicketDoc {
  const { unset, ...set } = patch;
  const out = { ...d, ...defined(set), updatedAt: now, version: d.version + 1 } as unknown as Record<string, unknown>;
  for (const k of unset ?? []) delete out[k];
  return out as unknown as TicketDoc;
}

/** The stored document of a ticket (its `seq`, not part of a Ticket, is not needed to return one). */
const fromTicket = (t: Ticket): TicketDoc => {
  const { id, ...rest } = t;
  return { ...rest, _id: id } as unknown as TicketDoc;
};

/** Plain objects without their undefined values at any depth, as the store keeps them (Dates as they are). */
function noUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noUndefined);
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, noUndefined(x)]));
}

/** `t` with `patch` applied as `update` stores it (see `patched`). */
const afterPatch = (t: Ticket, patch: TicketPatch, now: Date): Ticket => toTicket(patched(fromTicket(t), noUndefined(patch) as TicketPatch, now));

function toEntry(d: TimelineDoc): TimelineEntry {
  const { _id, ...rest } = d;
  return { ...(rest as unknown as Omit<TimelineEntry, 'id'>), id: _id };
}

/** TicketStore on MongoDB (or FerretDB) through mongoose. Single-document atomic writes only. */
export class MongoTicketStore implements TicketStore {
  /**
   * Test aid: every result `update` computes from a known version (instead of the store sending it
   * back) is compared with a read, and a difference throws. Set by tests/support/verify-updates.ts
   * when HELPDESK_VERIFY_UPDATES=1.
   */
  static verifyUpdates = false;
  private readonly tickets: Model<TicketDoc>;
  private readonly entries: Model<TimelineDoc>;
  private readonly guard: WriteGuard;
  private readonly linkIndex: ReturnType<typeof linkIndexModel>;

  constructor(private readonly conn: Connection) {
    this.tickets = ticketModel(conn);
    this.entries = timelineModel(conn);
    this.guard = new WriteGuard(conn);
    this.linkIndex = linkIndexModel(conn);
  }

  /** Creates collections and indexes (idempotent). Call once at start-up. */
  async init(): Promise<void> {
    await this.tickets.init();
    await this.entries.init();
    await this.linkIndex.init();
  }

  /** Forgets write guards of long-superseded versions (a scheduled job calls this). */
  pruneGuards(before: Date): Promise<number> {
    return this.guard.prune(before);
  }

  /**
   * Inserts the ticket with the next number of its desk. No read first: the insert itself finds a
   * replay (duplicate `_id`), and numbers come from a per-process batcher (one `$inc` serves every
   * creation waiting for it) instead of a per-desk lock around the whole insert.
   */
  async create(input: NewTicket & { status: TicketStatus; tier: number; prefix: string }, now: Date, opts: CreateOptions = {}): Promise<{ ticket: Ticket; created: boolean; initial?: Ticket }> {
    const _id = ticketIdFor(input.idempotencyKey);
    const { prefix, ...fields } = input;
    const numbers = seqBatcher(this.conn);
    const r = await withInsertSlot(this.conn, async (): Promise<{ ticket: Ticket; created: boolean; initial?: Ticket }> => {
      for (let attempt = 0; ; attempt++) {
        const seq = NUMBER_BASE + (await numbers.next(`ticket:${input.deskId}`));
        // As stored: the model's default for `suggestedArticles` is [] (a read returns it).
        const v1 = defined({ ...fields, suggestedArticles: fields.suggestedArticles ?? [], _id, seq, number: `${prefix}-${seq}`, sla: {}, createdAt: now, updatedAt: now, version: 1 }) as unknown as TicketDoc;
        const initial = opts.then ? toTicket(v1) : undefined;
        const patch = initial ? opts.then!(initial) : null;
        // Version 2 in the same insert: what `update(_id, 1, patch)` would store right after it.
        const doc = patch ? patched(v1, patch, now) : v1;
        // Concurrent creations go to the server together (one insert command, each decided alone).
        if ((await insertBatcher(this.tickets).insert(stored(doc) as unknown as Record<string, unknown>)) === 'inserted') return { ticket: toTicket(doc), created: true, ...(patch ? { initial } : {}) };
        // Either a concurrent replay of this request won the _id, or another process took the number.
        const first = await this.get(_id);
        if (first) return { ticket: first, created: false };
        if (attempt >= 50) throw duplicateKeyError('tickets', `${prefix}-${seq}`);
      }
    });
    if (r.created) for (const l of r.ticket.links) await this.indexLink(r.ticket.id, l);
    return r;
  }

  async findByIdempotencyKey(key: string): Promise<Ticket | null> {
    return this.get(ticketIdFor(key));
  }

  async get(id: string): Promise<Ticket | null> {
    const d = await this.tickets.findById(id).lean<TicketDoc>();
    return d ? toTicket(d) : null;
  }

  async getByNumber(number: string): Promise<Ticket | null> {
    const d = await this.tickets.findOne({ number }).lean<TicketDoc>();
    return d ? toTicket(d) : null;
  }

  async findByLink(at: LinkLocation): Promise<Ticket | null> {
    const hit = await this.linkIndex.findById(locationKey(at)).lean<{ ticketId: string }>();
    return hit ? this.get(hit.ticketId) : null;
  }

  async update(id: string, expectedVersion: number, patch: TicketPatch, now: Date, known?: Ticket, opts: { trial?: boolean } = {}): Promise<Ticket | null> {
    const { unset, ...set } = patch;
    const update: Record<string, unknown> = { $set: { ...stored(defined(set)), updatedAt: now }, $inc: { version: 1 } };
    if (unset?.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    // Knowing the stored version, the stored result is that version with the patch applied: an
    // `updateOne` without the document sent back (FerretDB: ≈ 1.2 CPU ms less than findAndModify).
    const blind = known?.id === id && known.version === expectedVersion ? known : undefined;
    const d = await this.guard.exclusive(
      `ticket:${id}:${expectedVersion}`,
      async () => (await this.get(id))?.version === expectedVersion,
      // The version in the filter re-checks under the guard in the same round trip: a writer that
      // read an old version must not overwrite a newer one. (FerretDB runs this as query-then-write
      // without a transaction; the guard makes this caller the only writer of `expectedVersion`.)
      async () => {
        if (!blind) return this.tickets.findOneAndUpdate({ _id: id, version: expectedVersion }, update, { returnDocument: 'after', lean: true });
        const r = await this.tickets.updateOne({ _id: id, version: expectedVersion }, update);
        return r.matchedCount ? fromTicket(afterPatch(blind, patch, now)) : null;
      },
      // A trial from an old copy: its version's guard is normally long taken (and older than 30 s),
      // and checking whether that writer died would cost a guard read and a ticket read.
      { breakStale: !opts.trial },
    );
    if (!d) return null;
    const ticket = toTicket(d as TicketDoc);
    if (blind && MongoTicketStore.verifyUpdates) await this.verify(ticket);
    if (patch.links) for (const l of ticket.links) await this.indexLink(id, l);
    return ticket;
  }

  /** See `verifyUpdates`: a computed write result must be what a read returns. */
  private async verify(computed: Ticket): Promise<void> {
    const stored = await this.get(computed.id);
    if (stored?.version !== computed.version) return; // written again meanwhile: nothing to compare
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(stored)), JSON.parse(JSON.stringify(computed))) || !isDeepStrictEqual(stored, computed)) {
      throw new Error(`computed ticket differs from the stored one:\n${JSON.stringify(computed)}\n${JSON.stringify(stored)}`);
    }
  }

  async upsertLink(id: string, link: Link, now: Date, known?: Pick<Ticket, 'id' | 'version' | 'links'> | null): Promise<Ticket> {
    for (let attempt = 0; attempt < 20; attempt++) {
      // A stale `known` only loses the version race below and the next attempt reads.
      const t = attempt === 0 && known?.id === id ? known : await this.get(id);
      if (!t) throw new Error(`ticket ${id} not found`);
      const same = (l: Link) => l.platform === link.platform && l.role === link.role && (l.tier ?? 0) === (link.tier ?? 0) && (link.role !== 'requester' || l.channel === link.channel);
      const links = [...t.links.filter((l) => !same(l)), link];
      const updated = await this.update(id, t.version, { links }, now);
      if (updated) return updated;
    }
    throw new Error(`ticket ${id}: link update kept conflicting`);
  }

  /** Where messages for this link arrive → ticket (one place belongs to one ticket; the newest wins). */
  private async indexLink(ticketId: string, l: Link): Promise<void> {
    await this.linkIndex.updateOne({ _id: linkPlaceKey(l) }, { $set: { ticketId } }, { upsert: true });
  }

  async list(q: TicketQuery): Promise<Ticket[]> {
    const filter: Record<string, unknown> = {};
    if (q.deskId) filter.deskId = q.deskId;
    if (q.status) filter.status = { $in: [...q.status] };
    if (q.tier !== undefined) filter.tier = q.tier;
    if (q.assigneeAgentId) filter.assigneeAgentId = q.assigneeAgentId;
    if (q.requester) {
      const r: Pick<Identity, 'platform' | 'workspace' | 'user'> = q.requester;
      Object.assign(filter, { 'requester.platform': r.platform, 'requester.workspace': r.workspace, 'requester.user': r.user });
    }
    const limit = Math.min(Math.max(q.limit ?? 20, 1), 200);
    const docs = await this.tickets.find(filter).sort({ createdAt: -1 }).limit(limit).lean<TicketDoc[]>();
    return docs.map(toTicket);
  }

  async page(q: TicketPageQuery): Promise<{ tickets: Ticket[]; next?: TicketCursor }> {
    // Plain equalities at the top level: MongoDB uses the {deskId, status, createdAt, _id} index, and
    // FerretDB's PostgreSQL backend pushes top-level equalities down to SQL ($in, $or are filtered in Go).
    const filter: Record<string, unknown> = {};
    const one = <T>(xs: readonly T[]) => (xs.length === 1 ? xs[0] : { $in: [...xs] });
    filter.deskId = one(q.deskIds);
    filter.status = one(q.status);
    if (q.tier !== undefined) filter.tier = q.tier;
    if (q.priority?.length) filter.priority = one(q.priority);
    if (q.assigneeAgentId) filter.assigneeAgentId = q.assigneeAgentId;
    else if (q.unassigned) filter.assigneeAgentId = { $exists: false };
    const and: Record<string, unknown>[] = [];
    if (q.dueBefore) {
      and.push({ $or: [{ 'sla.firstResponseDueAt': { $lte: q.dueBefore }, 'sla.firstRespondedAt': { $exists: false } }, { 'sla.resolutionDueAt': { $lte: q.dueBefore } }] });
    }
    if (q.after) and.push({ $or: [{ createdAt: { $lt: q.after.createdAt } }, { createdAt: q.after.createdAt, _id: { $lt: q.after.id } }] });
    if (and.length) filter.$and = and;
    const limit = Math.min(Math.max(q.limit, 1), 100);
    const docs = await this.tickets.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).lean<TicketDoc[]>();
    const tickets = docs.slice(0, limit).map(toTicket);
    const last = tickets[tickets.length - 1];
    return docs.length > limit && last ? { tickets, next: { createdAt: last.createdAt, id: last.id } } : { tickets };
  }

  /** Every active (open, claimed, pending) ticket, streamed (rebuilding read models). */
  async *activeTickets(): AsyncIterable<Ticket> {
    for await (const d of this.tickets.find({ status: { $in: ['open', 'claimed', 'pending'] } }).lean<TicketDoc[]>().cursor()) yield toTicket(d as unknown as TicketDoc);
  }

  async activeLoad(agentIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.tickets.aggregate<{ _id: string; n: number }>([
      { $match: { assigneeAgentId: { $in: [...agentIds] }, status: { $in: ['claimed', 'pending', 'open'] } } },
      { $group: { _id: '$assigneeAgentId', n: { $sum: 1 } } },
    ]);
    const m = new Map<string, number>(agentIds.map((a) => [a, 0]));
    for (const r of rows) m.set(r._id, r.n);
    return m;
  }

  async appendTimeline(entry: Omit<TimelineEntry, 'id'>, opts: { key?: string; logged?: boolean } = {}): Promise<TimelineEntry & { created?: boolean }> {
    // A public entry the ticket's log does not hold: the log is dropped first (a crash in between
    // leaves the ticket reading its timeline, never a log that misses an entry).
    if (entry.visibility === 'public' && !opts.logged) await this.dropPublicLog(entry.ticketId, entry.at);
    const _id = opts.key ? entryIdFor(opts.key) : randomUUID();
    const doc = defined({ ...entry, _id }) as unknown as TimelineDoc;
    if ((await insertBatcher(this.entries).insert(doc as unknown as Record<string, unknown>)) === 'duplicate') {
      // The unique `_id` makes a keyed entry exactly-once: a retry finds the first attempt's entry.
      const first = opts.key ? await this.entries.findById(_id).lean<TimelineDoc>() : null;
      if (first) return { ...toEntry(first), created: false };
      throw duplicateKeyError('timeline', _id);
    }
    return { ...toEntry(doc), created: true };
  }

  async dropPublicLog(ticket: Ticket | string, now: Date): Promise<Ticket | null> {
    const id = typeof ticket === 'string' ? ticket : ticket.id;
    let t = typeof ticket === 'string' ? null : ticket;
    for (let attempt = 0; attempt < 20; attempt++) {
      // A stale `ticket` only loses the version race below and the next attempt reads.
      t ??= await this.get(id);
      if (!t?.publicLog) return t;
      const updated = await this.update(id, t.version, { unset: ['publicLog'] }, now, t);
      if (updated) return updated;
      t = null;
    }
    throw new Error(`ticket ${id}: dropping its public log kept conflicting`);
  }

  async keyedEntry(key: string): Promise<TimelineEntry | null> {
    const d = await this.entries.findById(entryIdFor(key)).lean<TimelineDoc>();
    return d ? toEntry(d) : null;
  }

  async timeline(ticketId: string, opts: { includeInternal?: boolean; limit?: number } = {}): Promise<TimelineEntry[]> {
    const filter: Record<string, unknown> = { ticketId };
    if (!opts.includeInternal) filter.visibility = 'public';
    const docs = await this.entries.find(filter).sort({ at: 1 }).limit(Math.min(opts.limit ?? 500, 5000)).lean<TimelineDoc[]>();
    return docs.map(toEntry);
  }
}
