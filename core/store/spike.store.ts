import { Schema, type Connection, type Model } from 'mongoose';
import { SPIKE_TICKETS_MAX, type Spike, type SpikeStore } from '../ports/spike-store.port.js';
import { KeyedCoalescer } from './keyed-coalescer.js';
import { isDuplicateKey } from './schemas.js';
import { WriteGuard } from './write-guard.model.js';

interface SpikeDoc {
  _id: string;
  deskId: string;
  ticketIds: string[];
  windowMinutes: number;
  at: Date;
  incidentId?: string;
  /** Bumped by every write after the insert (absent on spikes stored before it: 0). */
  v?: number;
}

const spikeSchema = new Schema<SpikeDoc>(
  {
    _id: { type: String, required: true },
    deskId: { type: String, required: true },
    ticketIds: { type: [String], required: true },
    windowMinutes: { type: Number, required: true },
    at: { type: Date, required: true },
    incidentId: String,
    v: Number,
  },
  { collection: 'incident_spikes', versionKey: false },
);

const toSpike = (d: SpikeDoc): Spike => ({ id: d._id, deskId: d.deskId, ticketIds: [...d.ticketIds], windowMinutes: d.windowMinutes, at: d.at, ...(d.incidentId ? { incidentId: d.incidentId } : {}) });

/** Attempts of one write before it gives up (each lost attempt means another replica wrote the spike). */
const WRITE_ATTEMPTS = 50;
/** Spikes whose last written document this store keeps (to write the next batch without a read). */
const KNOWN_MAX = 200;

/**
 * Spike suggestions in MongoDB: insert-once by id; every later write (joins, the declaration) a
 * compare-and-set on the spike's version `v`, made exactly-once across processes by a write guard
 * (`spike:<id>:<v>`, write-guard.model.ts), on MongoDB and FerretDB alike.
 */
export class MongoSpikeStore implements SpikeStore {
  private readonly M: Model<SpikeDoc>;
  private readonly guard: WriteGuard;
  /** The document as this store last wrote or read it, by id (stale copies only lose the guard race). */
  private readonly known = new Map<string, SpikeDoc>();
  constructor(conn: Connection) {
    this.M = (conn.models.IncidentSpike as Model<SpikeDoc> | undefined) ?? conn.model<SpikeDoc>('IncidentSpike', spikeSchema);
    this.guard = new WriteGuard(conn);
  }

  async create(s: Spike): Promise<Spike> {
    try {
      await this.M.create({ _id: s.id, deskId: s.deskId, ticketIds: s.ticketIds, windowMinutes: s.windowMinutes, at: s.at, v: 1 });
      return s;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await this.get(s.id))!;
    }
  }

  async get(id: string): Promise<Spike | null> {
    const d = await this.read(id);
    return d ? toSpike(d) : null;
  }

  private async read(id: string): Promise<SpikeDoc | null> {
    const d = await this.M.findById(id).lean<SpikeDoc>();
    if (d) this.remember(d);
    else this.known.delete(id);
    return d;
  }

  private remember(d: SpikeDoc): void {
    if (this.known.size >= KNOWN_MAX && !this.known.has(d._id)) this.known.delete(this.known.keys().next().value!);
    this.known.set(d._id, d);
  }

  /**
   * Applies `change` to the spike's current document and writes the result, if no other writer (in
   * any process) has written the spike since: `change` returns the tickets to add and the
   * declaration, or null for nothing to write. The first attempt uses the copy this store last saw (no read);
   * losing the guard of its version means another writer moved the spike: read and decide again.
   */
  private async write(id: string, change: (d: SpikeDoc) => { add: string[]; incidentId?: string } | null): Promise<SpikeDoc | null> {
    const copy = this.known.get(id);
    let d = copy ?? (await this.read(id));
    let fresh = !copy;
    for (let attempt = 0; d && attempt < WRITE_ATTEMPTS; attempt++) {
      const next = change(d);
      // Nothing to write (stays true on a newer copy: tickets are only added, a declaration stays);
      // the caller is answered with the stored spike as it is now.
      if (!next) return fresh ? d : this.read(id);
      const v = d.v ?? 0;
      const after: SpikeDoc = { ...d, ticketIds: [...d.ticketIds, ...next.add], v: v + 1, ...(next.incidentId ? { incidentId: next.incidentId } : {}) };
      // Only what changes is sent (the guard and the version make `d` the stored document).
      const update: Record<string, unknown> = { $set: { v: after.v, ...(next.incidentId ? { incidentId: next.incidentId } : {}) } };
      if (next.add.length) update.$push = { ticketIds: { $each: next.add } };
      const won = await this.guard.exclusive(
        `spike:${id}:${v}`,
        async () => ((await this.M.findById(id, { v: 1 }).lean<Pick<SpikeDoc, 'v'>>())?.v ?? 0) === v,
        async () => ((await this.M.updateOne({ _id: id, v: v === 0 ? { $exists: false } : v }, update)).matchedCount ? true : null),
      );
      if (won) {
        this.remember(after);
        return after;
      }
      d = await this.read(id);
      fresh = true;
    }
    if (!d) return null;
    throw new Error(`spike ${id}: write kept conflicting`);
  }

  /**
   * Joins coalesce per spike: while one write for a spike is in flight, the tickets joining it wait
   * and go in the next write together, each caller answered once its ticket is stored. FerretDB
   * rewrites the whole document per update, so one join per write cost O(size): 2.4 / 7.0 / 14.6 /
   * 24.8 store CPU ms per join at 100 / 1,000 / 2,500 / 4,500 tickets (`npx tsx bench/spike-join.ts`),
   * half a storm's store CPU when near-identical requests join one spike. Alone (no write in flight)
   * a join is written at once. Coalescing also kept one process's joins from overwriting each other
   * (FerretDB applies an update as read, change, write back: 27 of 203 tickets kept with 200 `$push`es
   * at once); the version compare-and-set in `write` keeps other replicas' joins and the
   * declaration (tests/incidents/spike-store.test.ts).
   */
  addTicket(id: string, ticketId: string): Promise<Spike | null> {
    return this.joins.submit(id, (ids) => ids.add(ticketId));
  }

  private readonly joins = new KeyedCoalescer<Set<string>, Spike | null>(
    () => new Set(),
    async (id, ids) => {
      // Not twice (a replayed event), not once declared, not when full (a batch that starts under
      // the bound may pass it by its own size, ≤ the callers at once: the intake's concurrency).
      const d = await this.write(id, (cur) => {
        if (cur.incidentId || cur.ticketIds.length >= SPIKE_TICKETS_MAX) return null;
        const have = new Set(cur.ticketIds);
        const add = [...ids].filter((t) => !have.has(t));
        return add.length ? { add } : null;
      });
      return d ? toSpike(d) : null;
    },
  );

  async markDeclared(id: string, incidentId: string): Promise<Spike | null> {
    const d = await this.write(id, (cur) => (cur.incidentId ? null : { add: [], incidentId }));
    return d ? toSpike(d) : null;
  }
}
