import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { Identity } from '../domain/identity.js';
import { linkMatches, type Link } from '../domain/link.js';
import type { TicketPatch } from '../domain/ticket.state-machine.js';
import type { NewTicket, Ticket, TicketStatus } from '../domain/ticket.js';
import type { TimelineEntry } from '../domain/timeline.js';
import type { LinkLocation, TicketQuery, TicketStore } from '../ports/ticket-store.port.js';
import { nextSeq } from './counter.model.js';
import { defined, isDuplicateKey } from './schemas.js';
import { ticketModel, type TicketDoc } from './ticket.model.js';
import { timelineModel, type TimelineDoc } from './timeline.model.js';

/** Numbers start at 1001 so early tickets look like `IT-1001`, not `IT-1`. */
const NUMBER_BASE = 1000;

function toTicket(d: TicketDoc): Ticket {
  const { _id, seq: _seq, ...rest } = d as TicketDoc & Record<string, unknown>;
  return { ...(rest as unknown as Omit<Ticket, 'id'>), id: _id, links: (d.links ?? []) as unknown as Link[], sla: (d.sla ?? {}) as Ticket['sla'] };
}

function toEntry(d: TimelineDoc): TimelineEntry {
  const { _id, ...rest } = d;
  return { ...(rest as unknown as Omit<TimelineEntry, 'id'>), id: _id };
}

/** TicketStore on MongoDB (or FerretDB) through mongoose. Single-document atomic writes only. */
export class MongoTicketStore implements TicketStore {
  private readonly tickets: Model<TicketDoc>;
  private readonly entries: Model<TimelineDoc>;

  constructor(private readonly conn: Connection) {
    this.tickets = ticketModel(conn);
    this.entries = timelineModel(conn);
  }

  /** Creates collections and indexes (idempotent). Call once at start-up. */
  async init(): Promise<void> {
    await this.tickets.init();
    await this.entries.init();
  }

  async create(input: NewTicket & { status: TicketStatus; tier: number; prefix: string }, now: Date): Promise<{ ticket: Ticket; created: boolean }> {
    const existing = await this.findByIdempotencyKey(input.idempotencyKey);
    if (existing) return { ticket: existing, created: false };
    const seq = NUMBER_BASE + (await nextSeq(this.conn, `ticket:${input.deskId}`));
    const { prefix, ...fields } = input;
    const doc = defined({
      ...fields,
      _id: randomUUID(),
      seq,
      number: `${prefix}-${seq}`,
      sla: {},
      createdAt: now,
      updatedAt: now,
      version: 1,
    }) as unknown as TicketDoc;
    try {
      await this.tickets.create(doc);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // A concurrent replay of the same request won: return its ticket (a number may be skipped).
      const winner = await this.findByIdempotencyKey(input.idempotencyKey);
      if (winner) return { ticket: winner, created: false };
      throw e;
    }
    return { ticket: toTicket(doc), created: true };
  }

  async findByIdempotencyKey(key: string): Promise<Ticket | null> {
    const d = await this.tickets.findOne({ idempotencyKey: key }).lean<TicketDoc>();
    return d ? toTicket(d) : null;
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
    const docs = await this.tickets
      .find({ links: { $elemMatch: { platform: at.platform, workspace: at.workspace, channel: at.channel } } })
      .sort({ createdAt: -1 })
      .limit(50)
      .lean<TicketDoc[]>();
    const hit = docs.map(toTicket).find((t) => t.links.some((l) => linkMatches(l, at)));
    return hit ?? null;
  }

  async update(id: string, expectedVersion: number, patch: TicketPatch, now: Date): Promise<Ticket | null> {
    const { unset, ...set } = patch;
    const update: Record<string, unknown> = { $set: { ...defined(set), updatedAt: now }, $inc: { version: 1 } };
    if (unset?.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    const d = await this.tickets.findOneAndUpdate({ _id: id, version: expectedVersion }, update, { returnDocument: 'after', lean: true });
    return d ? toTicket(d as TicketDoc) : null;
  }

  async upsertLink(id: string, link: Link, now: Date): Promise<Ticket> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const t = await this.get(id);
      if (!t) throw new Error(`ticket ${id} not found`);
      const same = (l: Link) => l.platform === link.platform && l.role === link.role && (l.tier ?? 0) === (link.tier ?? 0) && (link.role !== 'requester' || l.channel === link.channel);
      const links = [...t.links.filter((l) => !same(l)), link];
      const updated = await this.update(id, t.version, { links }, now);
      if (updated) return updated;
    }
    throw new Error(`ticket ${id}: link update kept conflicting`);
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

  async activeLoad(agentIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.tickets.aggregate<{ _id: string; n: number }>([
      { $match: { assigneeAgentId: { $in: [...agentIds] }, status: { $in: ['claimed', 'pending', 'open'] } } },
      { $group: { _id: '$assigneeAgentId', n: { $sum: 1 } } },
    ]);
    const m = new Map<string, number>(agentIds.map((a) => [a, 0]));
    for (const r of rows) m.set(r._id, r.n);
    return m;
  }

  async appendTimeline(entry: Omit<TimelineEntry, 'id'>): Promise<TimelineEntry> {
    const doc = defined({ ...entry, _id: randomUUID() }) as unknown as TimelineDoc;
    await this.entries.create(doc);
    return toEntry(doc);
  }

  async timeline(ticketId: string, opts: { includeInternal?: boolean; limit?: number } = {}): Promise<TimelineEntry[]> {
    const filter: Record<string, unknown> = { ticketId };
    if (!opts.includeInternal) filter.visibility = 'public';
    const docs = await this.entries.find(filter).sort({ at: 1 }).limit(Math.min(opts.limit ?? 500, 5000)).lean<TimelineDoc[]>();
    return docs.map(toEntry);
  }
}
