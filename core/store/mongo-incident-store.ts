import { createHash, randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { Incident, IncidentStatus, IncidentUpdate, NewIncident } from '../domain/incident.js';
import type { IncidentPatch } from '../domain/incident.state-machine.js';
import type { IncidentQuery, IncidentStore } from '../ports/incident-store.port.js';
import { seqBatcher } from './counter.model.js';
import { incidentLinkModel, incidentModel, incidentUpdateModel, type IncidentDoc, type IncidentLinkDoc, type IncidentUpdateDoc } from './incident.model.js';
import { defined, isDuplicateKey } from './schemas.js';
import { WriteGuard } from './write-guard.model.js';

/** Numbers start at 1001 (`INC-1001`). */
const NUMBER_BASE = 1000;

/** An incident's id is derived from its declaration's idempotency key (a replay finds the first). */
export const incidentIdFor = (idempotencyKey: string): string => `in_${hash(idempotencyKey)}`;
/** A keyed incident timeline entry's id. */
export const incidentEntryIdFor = (key: string): string => `iu_${hash(key)}`;
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);
const linkId = (incidentId: string, ticketId: string) => `${incidentId}|${ticketId}`;

function toIncident(d: IncidentDoc): Incident {
  const { _id, seq: _seq, ...rest } = d as IncidentDoc & Record<string, unknown>;
  return { ...(rest as unknown as Omit<Incident, 'id'>), id: _id, services: [...(d.services ?? [])], alertFingerprints: [...(d.alertFingerprints ?? [])] };
}

function toUpdate(d: IncidentUpdateDoc): IncidentUpdate {
  const { _id, ...rest } = d;
  return { ...(rest as unknown as Omit<IncidentUpdate, 'id'>), id: _id };
}

/**
 * IncidentStore on MongoDB (or FerretDB 1.24) through mongoose. Single-document atomic writes
 * only; exactly-once comes from unique `_id`s (incident per declaration key, link per pair, keyed
 * timeline entries) and the write guard for version-conditioned updates (FerretDB's findAndModify
 * is not atomic, see write-guard.model.ts).
 */
export class MongoIncidentStore implements IncidentStore {
  private readonly incidents: Model<IncidentDoc>;
  private readonly entries: Model<IncidentUpdateDoc>;
  private readonly links: Model<IncidentLinkDoc>;
  private readonly guard: WriteGuard;
  /** Recent `list` answers for callers that accept a copy (`maxAgeMs`), by query; dropped on this store's incident writes. */
  private readonly listed = new Map<string, { at: number; gen: number; result: Promise<Incident[]> }>();
  /** Bumped by every incident write of this store: a copy read before it is not used after it. */
  private gen = 0;

  constructor(private readonly conn: Connection) {
    this.incidents = incidentModel(conn);
    this.entries = incidentUpdateModel(conn);
    this.links = incidentLinkModel(conn);
    this.guard = new WriteGuard(conn);
  }

  /** Creates collections and indexes (idempotent). Call once at start-up. */
  async init(): Promise<void> {
    await this.incidents.init();
    await this.entries.init();
    await this.links.init();
  }

  async create(input: NewIncident & { status: IncidentStatus }, now: Date): Promise<{ incident: Incident; created: boolean }> {
    const _id = incidentIdFor(input.idempotencyKey);
    const existing = await this.get(_id);
    if (existing) return { incident: existing, created: false };
    const numbers = seqBatcher(this.conn);
    for (let attempt = 0; ; attempt++) {
      const seq = NUMBER_BASE + (await numbers.next('incident'));
      const doc = defined({ ...input, _id, seq, number: `INC-${seq}`, createdAt: now, updatedAt: now, version: 1 }) as unknown as IncidentDoc;
      try {
        await this.incidents.create(doc);
        this.changed();
        return { incident: toIncident(doc), created: true };
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        // A concurrent replay won the _id (or the idempotency key), or another process took the number.
        const first = await this.get(_id);
        if (first) return { incident: first, created: false };
        if (attempt >= 50) throw e;
      }
    }
  }

  findByIdempotencyKey(key: string): Promise<Incident | null> {
    return this.get(incidentIdFor(key));
  }

  async get(id: string): Promise<Incident | null> {
    const d = await this.incidents.findById(id).lean<IncidentDoc>();
    return d ? toIncident(d) : null;
  }

  async getByNumber(number: string): Promise<Incident | null> {
    const d = await this.incidents.findOne({ number: number.trim().toUpperCase() }).lean<IncidentDoc>();
    return d ? toIncident(d) : null;
  }

  async update(id: string, expectedVersion: number, patch: IncidentPatch, now: Date): Promise<Incident | null> {
    const { unset, ...set } = patch;
    const update: Record<string, unknown> = { $set: { ...defined(set), updatedAt: now }, $inc: { version: 1 } };
    if (unset?.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    this.changed();
    const d = await this.guard.exclusive(
      `incident:${id}:${expectedVersion}`,
      async () => (await this.get(id))?.version === expectedVersion,
      async () => {
        const current = await this.incidents.findById(id, { version: 1 }).lean<{ version: number }>();
        if (current?.version !== expectedVersion) return null;
        return this.incidents.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after', lean: true });
      },
    );
    this.changed();
    return d ? toIncident(d as IncidentDoc) : null;
  }

  /** Drops the cached lists (an incident of this store changed). */
  private changed(): void {
    this.gen += 1;
    this.listed.clear();
  }

  async list(q: IncidentQuery): Promise<Incident[]> {
    if (!q.maxAgeMs || q.maxAgeMs <= 0) return this.read(q);
    const key = JSON.stringify([q.deskId, q.service, q.status, q.limit]);
    const now = Date.now();
    const hit = this.listed.get(key);
    if (hit && hit.gen === this.gen && now - hit.at < q.maxAgeMs) return (await hit.result).map((i) => structuredClone(i));
    // Concurrent callers share one read; a failed read is not kept.
    const entry = { at: now, gen: this.gen, result: this.read(q) };
    if (this.listed.size > 100) this.listed.clear();
    this.listed.set(key, entry);
    entry.result.catch(() => {
      if (this.listed.get(key) === entry) this.listed.delete(key);
    });
    return (await entry.result).map((i) => structuredClone(i));
  }

  private async read(q: IncidentQuery): Promise<Incident[]> {
    const filter: Record<string, unknown> = {};
    if (q.deskId) filter.deskId = q.deskId;
    if (q.service) filter.services = q.service;
    if (q.status) filter.status = q.status.length === 1 ? q.status[0] : { $in: [...q.status] };
    const limit = Math.min(Math.max(q.limit ?? 20, 1), 200);
    const docs = await this.incidents.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<IncidentDoc[]>();
    return docs.map(toIncident);
  }

  async appendTimeline(entry: Omit<IncidentUpdate, 'id'>, opts: { key?: string } = {}): Promise<IncidentUpdate & { created?: boolean }> {
    const _id = opts.key ? incidentEntryIdFor(opts.key) : randomUUID();
    const doc = defined({ ...entry, _id }) as unknown as IncidentUpdateDoc;
    try {
      await this.entries.create(doc);
    } catch (e) {
      if (!opts.key || !isDuplicateKey(e)) throw e;
      const first = await this.entries.findById(_id).lean<IncidentUpdateDoc>();
      if (first) return { ...toUpdate(first), created: false };
      throw e;
    }
    return { ...toUpdate(doc), created: true };
  }

  async keyedEntry(key: string): Promise<IncidentUpdate | null> {
    const d = await this.entries.findById(incidentEntryIdFor(key)).lean<IncidentUpdateDoc>();
    return d ? toUpdate(d) : null;
  }

  async timeline(incidentId: string, opts: { includeInternal?: boolean; limit?: number } = {}): Promise<IncidentUpdate[]> {
    const filter: Record<string, unknown> = { incidentId };
    if (!opts.includeInternal) filter.visibility = 'public';
    const docs = await this.entries.find(filter).sort({ at: 1, _id: 1 }).limit(Math.min(opts.limit ?? 500, 5000)).lean<IncidentUpdateDoc[]>();
    return docs.map(toUpdate);
  }

  async linkTickets(incidentId: string, ticketIds: readonly string[], now: Date, opts: { key?: string } = {}): Promise<string[]> {
    const ids = [...new Set(ticketIds)];
    const linked = new Set<string>();
    // A few inserts at a time: thousands of links must not become thousands of concurrent writes.
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(
        ids.slice(i, i + 8).map(async (ticketId) => {
          const _id = linkId(incidentId, ticketId);
          try {
            await this.links.create(defined({ _id, incidentId, ticketId, at: now, by: opts.key }));
            linked.add(ticketId);
          } catch (e) {
            if (!isDuplicateKey(e)) throw e;
            // Already linked: ours only if an earlier attempt of the same change made it.
            if (opts.key && (await this.links.findById(_id).lean<IncidentLinkDoc>())?.by === opts.key) linked.add(ticketId);
          }
        }),
      );
    }
    return ids.filter((t) => linked.has(t));
  }

  async linkedTickets(incidentId: string, opts: { after?: string; limit?: number } = {}): Promise<string[]> {
    const filter: Record<string, unknown> = { incidentId };
    if (opts.after) filter.ticketId = { $gt: opts.after };
    const limit = Math.min(Math.max(opts.limit ?? 500, 1), 5000);
    const docs = await this.links.find(filter).sort({ ticketId: 1 }).limit(limit).lean<IncidentLinkDoc[]>();
    return docs.map((d) => d.ticketId);
  }

  countLinked(incidentId: string): Promise<number> {
    return this.links.countDocuments({ incidentId });
  }

  async incidentsOfTicket(ticketId: string): Promise<string[]> {
    const docs = await this.links.find({ ticketId }).sort({ at: -1 }).limit(50).lean<IncidentLinkDoc[]>();
    return docs.map((d) => d.incidentId);
  }
}
