import { Schema } from 'mongoose';

/** Sub-schemas shared by several collections. `_id: false`: they are values, not documents. */
export const identitySchema = new Schema(
  { platform: { type: String, required: true }, workspace: { type: String, required: true }, user: { type: String, required: true }, name: String },
  { _id: false },
);

export const linkSchema = new Schema(
  {
    platform: { type: String, required: true },
    workspace: { type: String, required: true },
    channel: { type: String, required: true },
    thread: String,
    message: String,
    role: { type: String, required: true, enum: ['requester', 'triage', 'announce'] },
    tier: Number,
    data: Schema.Types.Mixed,
  },
  { _id: false },
);

export const actorSchema = new Schema(
  {
    kind: { type: String, required: true, enum: ['system', 'person'] },
    reason: String,
    identity: identitySchema,
    agent: new Schema({ id: String, tier: Number, lead: Boolean }, { _id: false }),
  },
  { _id: false },
);

/** True for MongoDB's duplicate-key error (also what FerretDB returns). */
export const isDuplicateKey = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

/** Drops undefined values (mongoose would otherwise $set them to null). */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
