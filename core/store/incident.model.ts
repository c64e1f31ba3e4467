import { Schema, type Connection, type Model } from 'mongoose';
import { INCIDENT_STATUSES, SEVERITIES } from '../domain/incident.js';
import { actorSchema, identitySchema } from './schemas.js';

export interface IncidentDoc {
  _id: string;
  deskId: string;
  number: string;
  seq: number;
  idempotencyKey: string;
  title: string;
  services: string[];
  severity: string;
  status: string;
  owner?: { platform: string; workspace: string; user: string; name?: string };
  ownerAgentId?: string;
  alertFingerprints: string[];
  declaredBy: Record<string, unknown>;
  startedAt: Date;
  identifiedAt?: Date;
  monitoringAt?: Date;
  resolvedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  lastEvent?: string;
  version: number;
}

const incidentSchema = new Schema<IncidentDoc>(
  {
    _id: { type: String, required: true },
    deskId: { type: String, required: true },
    number: { type: String, required: true },
    seq: { type: Number, required: true },
    idempotencyKey: { type: String, required: true },
    title: { type: String, required: true, maxlength: 200 },
    services: { type: [String], default: [] },
    severity: { type: String, required: true, enum: SEVERITIES },
    status: { type: String, required: true, enum: INCIDENT_STATUSES },
    owner: identitySchema,
    ownerAgentId: String,
    alertFingerprints: { type: [String], default: [] },
    declaredBy: { type: actorSchema, required: true },
    startedAt: { type: Date, required: true },
    identifiedAt: Date,
    monitoringAt: Date,
    resolvedAt: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    lastEvent: String,
    version: { type: Number, required: true },
  },
  { collection: 'incidents', versionKey: false, minimize: false },
);
incidentSchema.index({ idempotencyKey: 1 }, { unique: true });
incidentSchema.index({ number: 1 }, { unique: true });
incidentSchema.index({ deskId: 1, status: 1, createdAt: -1 });
incidentSchema.index({ services: 1, status: 1 });

export const incidentModel = (c: Connection): Model<IncidentDoc> =>
  (c.models.Incident as Model<IncidentDoc> | undefined) ?? c.model<IncidentDoc>('Incident', incidentSchema);

export interface IncidentUpdateDoc {
  _id: string;
  incidentId: string;
  at: Date;
  kind: string;
  actor: Record<string, unknown>;
  visibility: string;
  text: string;
  status?: string;
  severity?: string;
  linked?: number;
  fingerprint?: string;
  clippedFrom?: number;
}

const updateSchema = new Schema<IncidentUpdateDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    at: { type: Date, required: true },
    kind: { type: String, required: true, enum: ['declared', 'status', 'note', 'severity', 'owner', 'link', 'alert'] },
    actor: { type: actorSchema, required: true },
    visibility: { type: String, required: true, enum: ['public', 'internal'] },
    text: { type: String, default: '' },
    status: { type: String, enum: INCIDENT_STATUSES },
    severity: { type: String, enum: SEVERITIES },
    linked: Number,
    fingerprint: String,
    clippedFrom: Number,
  },
  { collection: 'incident_timeline', versionKey: false },
);
updateSchema.index({ incidentId: 1, at: 1 });

export const incidentUpdateModel = (c: Connection): Model<IncidentUpdateDoc> =>
  (c.models.IncidentUpdate as Model<IncidentUpdateDoc> | undefined) ?? c.model<IncidentUpdateDoc>('IncidentUpdate', updateSchema);

/** One ticket linked to one incident; `_id` = `<incidentId>|<ticketId>` makes each link exactly-once. */
export interface IncidentLinkDoc {
  _id: string;
  incidentId: string;
  ticketId: string;
  at: Date;
  /** The key of the change that linked it (a retry of that change claims it again). */
  by?: string;
}

const linkSchema = new Schema<IncidentLinkDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    ticketId: { type: String, required: true },
    at: { type: Date, required: true },
    by: String,
  },
  { collection: 'incident_links', versionKey: false },
);
linkSchema.index({ incidentId: 1, ticketId: 1 });
linkSchema.index({ ticketId: 1, at: -1 });

export const incidentLinkModel = (c: Connection): Model<IncidentLinkDoc> =>
  (c.models.IncidentLink as Model<IncidentLinkDoc> | undefined) ?? c.model<IncidentLinkDoc>('IncidentLink', linkSchema);
