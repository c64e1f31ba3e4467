import { Schema, type Connection, type Model } from 'mongoose';
import { identitySchema } from './schemas.js';

export interface AgentDoc {
  _id: string;
  name: string;
  identities: Array<{ platform: string; workspace: string; user: string; name?: string }>;
  /** `platform:workspace:user` of each identity: an equality match works on MongoDB and FerretDB alike ($elemMatch with plain fields does not on FerretDB 1.24). */
  identityKeys: string[];
  desks: Array<{ desk: string; tier: number; lead: boolean }>;
  skills: string[];
  maxLoad: number;
  availability: 'available' | 'away';
  /** JSON of the agent's BusinessHours shift (FerretDB stores no nested arrays). */
  shift?: string | null;
  /** Round-robin bookkeeping: when this agent was last auto-assigned. */
  lastAssignedAt?: Date;
}

const agentSchema = new Schema<AgentDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    identities: { type: [identitySchema], default: [] },
    identityKeys: { type: [String], default: [] },
    desks: { type: [new Schema({ desk: String, tier: Number, lead: Boolean }, { _id: false })], default: [] },
    skills: { type: [String], default: [] },
    maxLoad: { type: Number, required: true },
    availability: { type: String, enum: ['available', 'away'], default: 'available' },
    shift: String,
    lastAssignedAt: Date,
  },
  { collection: 'agents', versionKey: false },
);
agentSchema.index({ identityKeys: 1 });
agentSchema.index({ 'desks.desk': 1 });

export const agentModel = (c: Connection): Model<AgentDoc> => (c.models.Agent as Model<AgentDoc> | undefined) ?? c.model<AgentDoc>('Agent', agentSchema);
