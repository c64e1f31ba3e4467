import { Schema, type Connection, type Model } from 'mongoose';
import { SPIKE_TICKETS_MAX, type Spike, type SpikeStore } from '../ports/spike-store.port.js';
import { KeyedCoalescer } from './keyed-coalescer.js';
import { isDuplicateKey } from './schemas.js';

interface SpikeDoc {
  _id: string;
  deskId: string;
  ticketIds: string[];
  windowMinutes: number;
  at: Date;
  incidentId?: string;
}

const spikeSchema = new Schema<SpikeDoc>(
  {
    _id: { type: String, required: true },
    deskId: { type: String, required: true },
    ticketIds: { type: [String], required: true },
    windowMinutes: { type: Number, required: true },
    at: { type: Date, required: true },
    incidentId: String,
  },
  { collection: 'incident_spikes', versionKey: false },
);

const toSpike = (d: SpikeDoc): Spike => ({ id: d._id, deskId: d.deskId, ticketIds: d.ticketIds, windowMinutes: d.windowMinutes, at: d.at, ...(d.incidentId ? { incidentId: d.incidentId } : {}) });

/** Spike suggestions in MongoDB: insert-once by id, single-document conditional updates. */
export class MongoSpikeStore implements SpikeStore {
  private readonly M: Model<SpikeDoc>;
  constructor(conn: Connection) {
    this.M = (conn.models.IncidentSpike as Model<SpikeDoc> | undefined) ?? conn.model<SpikeDoc>('IncidentSpike', spikeSchema);
  }

  async create(s: Spike): Promise<Spike> {
    try {
      await this.M.create({ _id: s.id, deskId: s.deskId, ticketIds: s.ticketIds, windowMinutes: s.windowMinutes, at: s.at });
      return s;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await this.get(s.id))!;
    }
  }

  async get(id: string): Promise<Spike | null> {
    const d = await this.M.findById(id).lean<SpikeDoc>();
    return d ? toSpike(d) : null;
  }

  /**
   * Joins coalesce per spike: while one write for a spike is in flight, the tickets joining it wait
   * and go in the next write together ($addToSet $each), each caller answered once its ticket is
   * stored. FerretDB rewrites the whole document per update, so one join per write cost O(size):
   * 2.4 / 7.0 / 14.6 / 24.8 store CPU ms per join at 100 / 1,000 / 2,500 / 4,500 tickets
   * (`npx tsx bench/spike-join.ts`), half a storm's store CPU when near-identical requests join one
   * spike. Alone (no write in flight) a join is written at once. It also keeps joins from being
   * lost: FerretDB applies an update as read, change, write back, so concurrent `$push`es on one
   * document overwrote each other (27 of 203 tickets kept with 200 at once:
   * tests/incidents/spike-store.test.ts). Replicas joining the same spike at the same moment can
   * still overwrite each other's batch there (not on MongoDB); a spike is a suggestion, and Declare
   * links what its card lists.
   */
  addTicket(id: string, ticketId: string): Promise<Spike | null> {
    return this.joins.submit(id, (ids) => ids.add(ticketId));
  }

  private readonly joins = new KeyedCoalescer<Set<string>, Spike | null>(
    () => new Set(),
    async (id, ids) => {
      // One conditional update: not twice (a replayed event: $addToSet), not once declared, not
      // when full (a batch that starts under the bound may pass it by its own size, ≤ the callers
      // at once: the intake's concurrency).
      const d = await this.M.findOneAndUpdate({ _id: id, incidentId: { $exists: false }, [`ticketIds.${SPIKE_TICKETS_MAX - 1}`]: { $exists: false } }, { $addToSet: { ticketIds: { $each: [...ids] } } }, { returnDocument: 'after' }).lean<SpikeDoc>();
      return d ? toSpike(d) : this.get(id);
    },
  );

  async markDeclared(id: string, incidentId: string): Promise<Spike | null> {
    await this.M.updateOne({ _id: id, incidentId: { $exists: false } }, { $set: { incidentId } });
    return this.get(id);
  }
}
