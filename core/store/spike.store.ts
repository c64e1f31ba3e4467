import { Schema, type Connection, type Model } from 'mongoose';
import { SPIKE_TICKETS_MAX, type Spike, type SpikeStore } from '../ports/spike-store.port.js';
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

  async addTicket(id: string, ticketId: string): Promise<Spike | null> {
    // One conditional update: not twice (a replayed event), not past the bound, not once declared.
    const d = await this.M.findOneAndUpdate({ _id: id, incidentId: { $exists: false }, ticketIds: { $ne: ticketId }, [`ticketIds.${SPIKE_TICKETS_MAX - 1}`]: { $exists: false } }, { $push: { ticketIds: ticketId } }, { returnDocument: 'after' }).lean<SpikeDoc>();
    return d ? toSpike(d) : this.get(id);
  }

  async markDeclared(id: string, incidentId: string): Promise<Spike | null> {
    await this.M.updateOne({ _id: id, incidentId: { $exists: false } }, { $set: { incidentId } });
    return this.get(id);
  }
}
