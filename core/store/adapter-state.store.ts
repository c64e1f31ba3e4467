import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './schemas.js';

interface AdapterStateDoc {
  /** `<platform>:<kind>:<key>`: every read is by `_id` (FerretDB's SQLite backend scans otherwise). */
  _id: string;
  platform: string;
  kind: string;
  key: string;
  /**
   * The adapter's value as JSON. A string, not a sub-document: adapter data is opaque to core and
   * may hold shapes FerretDB 1.24 rejects (nested arrays, `$`/`.` in keys); nothing queries inside it.
   */
  json: string;
  at: Date;
}

const stateSchema = new Schema<AdapterStateDoc>(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    kind: { type: String, required: true },
    key: { type: String, required: true },
    json: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'adapter_state', versionKey: false },
);
// Listing one kind (rare: admin views, not the request path) uses it on MongoDB.
stateSchema.index({ platform: 1, kind: 1 });

const idOf = (platform: string, kind: string, key: string): string => `${platform}:${kind}:${key}`;

/**
 * Small key/value state that adapters must share across replicas (Teams installs and service URLs):
 * kept in MongoDB so a second web replica, or the same one after a restart, sees it. Adapters use it
 * through a structural interface of their own and never import mongoose.
 */
export class MongoAdapterStateStore {
  private readonly M: Model<AdapterStateDoc>;
  constructor(conn: Connection, private readonly now: () => Date = () => new Date()) {
    this.M = (conn.models.AdapterState as Model<AdapterStateDoc> | undefined) ?? conn.model<AdapterStateDoc>('AdapterState', stateSchema);
  }

  /** The stored value (parsed JSON), or undefined. */
  async get(platform: string, kind: string, key: string): Promise<unknown> {
    const doc = await this.M.findById(idOf(platform, kind, key)).lean<AdapterStateDoc>();
    return doc ? (JSON.parse(doc.json) as unknown) : undefined;
  }

  /** Creates or replaces the value (last write wins). `value` must be JSON-serializable. */
  async put(platform: string, kind: string, key: string, value: unknown): Promise<void> {
    const _id = idOf(platform, kind, key);
    const write = () => this.M.updateOne({ _id }, { $set: { platform, kind, key, json: JSON.stringify(value), at: this.now() } }, { upsert: true });
    try {
      await write();
    } catch (e) {
      // Two first writers raced on the upsert: the loser's insert hit the unique _id; now it exists.
      if (!isDuplicateKey(e)) throw e;
      await write();
    }
  }

  /**
   * Stores `value` unless a value is stored, and returns the stored value: of concurrent callers in
   * any process the first insert wins (the unique `_id`, on MongoDB and FerretDB alike), and every
   * caller gets that value.
   */
  async putIfAbsent(platform: string, kind: string, key: string, value: unknown): Promise<unknown> {
    const json = JSON.stringify(value);
    try {
      await this.M.create({ _id: idOf(platform, kind, key), platform, kind, key, json, at: this.now() });
      return JSON.parse(json) as unknown;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return this.get(platform, kind, key);
    }
  }

  /** Every value of one kind, with its key. */
  async list(platform: string, kind: string): Promise<Array<{ key: string; value: unknown }>> {
    const docs = await this.M.find({ platform, kind }).lean<AdapterStateDoc[]>();
    return docs.map((d) => ({ key: d.key, value: JSON.parse(d.json) as unknown }));
  }

  /** Removes the value; true when there was one. */
  async delete(platform: string, kind: string, key: string): Promise<boolean> {
    return (await this.M.deleteOne({ _id: idOf(platform, kind, key) })).deletedCount > 0;
  }
}
