import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { MessageRef, MessageRefStore, RefClaim } from '../ports/message-ref.port.js';
import { isDuplicateKey } from './schemas.js';

interface RefDoc {
  /** The delivery's ref key, e.g. `incident:<id>:slack:T1:C1`. */
  _id: string;
  /** The posted message as JSON (absent until the first post is stored). */
  json?: string;
  version?: number;
  leaseToken?: string;
  leaseUntil?: Date;
  at: Date;
}

const refSchema = new Schema<RefDoc>(
  {
    _id: { type: String, required: true },
    json: String,
    version: Number,
    leaseToken: String,
    leaseUntil: Date,
    at: { type: Date, required: true },
  },
  { collection: 'message_refs', versionKey: false },
);

/**
 * Keyed message refs in MongoDB: single-document atomic updates only (FerretDB subset). A lease is
 * taken by a conditional update on `leaseUntil`, so it is safe across replicas; a worker that dies
 * holding one blocks the key only until the lease expires.
 */
export class MongoMessageRefStore implements MessageRefStore {
  private readonly M: Model<RefDoc>;
  constructor(conn: Connection, private readonly now: () => Date = () => new Date()) {
    this.M = (conn.models.MessageRef as Model<RefDoc> | undefined) ?? conn.model<RefDoc>('MessageRef', refSchema);
  }

  async claim(key: string, leaseMs: number): Promise<RefClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const token = randomUUID();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const doc = await this.M.findById(key).lean<RefDoc>();
      if (!doc) {
        try {
          await this.M.create({ _id: key, leaseToken: token, leaseUntil, at: now });
          return { outcome: 'run', token, ref: null };
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          continue; // another worker created it first: read it again
        }
      }
      if (doc.leaseUntil && doc.leaseUntil.getTime() > now.getTime()) return { outcome: 'busy', retryInMs: doc.leaseUntil.getTime() - now.getTime() };
      const filter = doc.leaseToken ? { _id: key, leaseToken: doc.leaseToken } : { _id: key, leaseToken: { $exists: false } };
      const r = await this.M.updateOne(filter, { $set: { leaseToken: token, leaseUntil, at: now } });
      if (r.modifiedCount === 1) return { outcome: 'run', token, ref: doc.json ? (JSON.parse(doc.json) as MessageRef) : null };
    }
    return { outcome: 'busy', retryInMs: 100 };
  }

  async save(key: string, token: string, ref: MessageRef): Promise<void> {
    const set = { json: JSON.stringify(ref), version: ref.version, at: this.now() };
    const r = await this.M.updateOne({ _id: key, leaseToken: token }, { $set: set, $unset: { leaseToken: 1, leaseUntil: 1 } });
    // The lease expired and another worker holds it now: still record a first post (forgetting
    // that this worker posted would post twice), never overwrite what that worker stores.
    if (r.matchedCount === 0) await this.M.updateOne({ _id: key, json: { $exists: false } }, { $set: set });
  }

  async release(key: string, token: string): Promise<void> {
    await this.M.updateOne({ _id: key, leaseToken: token }, { $unset: { leaseToken: 1, leaseUntil: 1 } });
  }

  async get(key: string): Promise<MessageRef | null> {
    const doc = await this.M.findById(key).lean<RefDoc>();
    return doc?.json ? (JSON.parse(doc.json) as MessageRef) : null;
  }
}
