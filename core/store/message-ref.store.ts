import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { MessageRef, MessageRefStore, RefClaim } from '../ports/message-ref.port.js';
import { isDuplicateKey } from './schemas.js';
import { WriteGuard } from './write-guard.model.js';

interface RefDoc {
  /** The delivery's ref key, e.g. `incident:<id>:slack:T1:C1`. */
  _id: string;
  /** The posted message as JSON (absent until the first post is stored). */
  json?: string;
  version?: number;
  leaseToken?: string;
  leaseUntil?: Date;
  /** Bumped by every write after the first insert (absent on documents written before it: 0). */
  gen?: number;
  at: Date;
}

const refSchema = new Schema<RefDoc>(
  {
    _id: { type: String, required: true },
    json: String,
    version: Number,
    leaseToken: String,
    leaseUntil: Date,
    gen: Number,
    at: { type: Date, required: true },
  },
  { collection: 'message_refs', versionKey: false },
);

/** Attempts of one write before it gives up (each lost attempt means another writer moved the ref). */
const WRITE_ATTEMPTS = 20;

/**
 * Keyed message refs in MongoDB: single-document updates only (FerretDB subset), every one a
 * compare-and-set on `gen` made exactly-once by a write guard (`ref:<key>:<gen>`, write-guard.model.ts):
 * FerretDB 1.24 runs a conditional update as query, then write by `_id`, so a lease taken with a
 * plain `updateOne({_id, leaseToken: …})` was taken by several concurrent claimers at once (2 of 40
 * ran, and an older version was edited in last: tests/incidents/message-refs.test.ts). With the guard
 * of a generation won by one writer only, that holds across replicas, on MongoDB and FerretDB alike.
 * A worker that dies holding a lease blocks the key only until the lease expires.
 */
export class MongoMessageRefStore implements MessageRefStore {
  private readonly M: Model<RefDoc>;
  private readonly guard: WriteGuard;
  constructor(conn: Connection, private readonly now: () => Date = () => new Date()) {
    this.M = (conn.models.MessageRef as Model<RefDoc> | undefined) ?? conn.model<RefDoc>('MessageRef', refSchema);
    this.guard = new WriteGuard(conn);
  }

  /**
   * Writes `set`/`unset` over `doc` as read, if no other writer has written the ref since: true when
   * written, false when another writer won this generation (read again and decide again).
   */
  private async cas(doc: RefDoc, set: Partial<RefDoc>, unset: Array<keyof RefDoc> = []): Promise<boolean> {
    const gen = doc.gen ?? 0;
    const update: Record<string, unknown> = { $set: { ...set, gen: gen + 1 } };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, 1]));
    const won = await this.guard.exclusive(
      `ref:${doc._id}:${gen}`,
      async () => ((await this.M.findById(doc._id, { gen: 1 }).lean<Pick<RefDoc, 'gen'>>())?.gen ?? 0) === gen,
      async () => ((await this.M.updateOne({ _id: doc._id, gen: gen === 0 ? { $exists: false } : gen }, update)).matchedCount > 0 ? true : null),
    );
    return won === true;
  }

  async claim(key: string, leaseMs: number): Promise<RefClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const token = randomUUID();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const doc = await this.M.findById(key).lean<RefDoc>();
      if (!doc) {
        try {
          await this.M.create({ _id: key, leaseToken: token, leaseUntil, gen: 1, at: now });
          return { outcome: 'run', token, ref: null };
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          continue; // another worker created it first: read it again
        }
      }
      if (doc.leaseUntil && doc.leaseUntil.getTime() > now.getTime()) return { outcome: 'busy', retryInMs: doc.leaseUntil.getTime() - now.getTime() };
      if (await this.cas(doc, { leaseToken: token, leaseUntil, at: now })) return { outcome: 'run', token, ref: doc.json ? (JSON.parse(doc.json) as MessageRef) : null };
    }
    return { outcome: 'busy', retryInMs: 100 };
  }

  async save(key: string, token: string, ref: MessageRef): Promise<void> {
    const set = { json: JSON.stringify(ref), version: ref.version, at: this.now() };
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const doc = await this.M.findById(key).lean<RefDoc>();
      if (!doc) return;
      if (doc.leaseToken === token) {
        if (await this.cas(doc, set, ['leaseToken', 'leaseUntil'])) return;
        continue;
      }
      // The lease expired and another worker holds it now: still record a first post (forgetting
      // that this worker posted would post twice), never overwrite what that worker stores.
      if (doc.json !== undefined) return;
      if (await this.cas(doc, set)) return;
    }
    throw new Error(`message ref ${key}: saving kept conflicting`);
  }

  async release(key: string, token: string): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const doc = await this.M.findById(key).lean<RefDoc>();
      if (doc?.leaseToken !== token) return;
      if (await this.cas(doc, {}, ['leaseToken', 'leaseUntil'])) return;
    }
    throw new Error(`message ref ${key}: releasing kept conflicting`);
  }

  async get(key: string): Promise<MessageRef | null> {
    const doc = await this.M.findById(key).lean<RefDoc>();
    return doc?.json ? (JSON.parse(doc.json) as MessageRef) : null;
  }
}
