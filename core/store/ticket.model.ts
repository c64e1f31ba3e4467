import { Schema, type Connection, type Model } from 'mongoose';
import { PRIORITIES, TICKET_STATUSES } from '../domain/ticket.js';
import { identitySchema, linkSchema } from './schemas.js';

export interface TicketDoc {
  _id: string;
  deskId: string;
  number: string;
  seq: number;
  idempotencyKey: string;
  requester: { platform: string; workspace: string; user: string; name?: string };
  locale?: string;
  subject: string;
  description: string;
  category?: string;
  priority: string;
  status: string;
  tier: number;
  assignee?: { platform: string; workspace: string; user: string; name?: string };
  assigneeAgentId?: string;
  links: Array<Record<string, unknown>>;
  sla: Record<string, Date | number | undefined>;
  csat?: { score: number; comment?: string; at: Date };
  deflectedBy?: string;
  suggestedArticles?: string[];
  escalationReason?: string;
  incidentId?: string;
  lastEvent?: string;
  /** One JSON string (core/store/public-log.codec.ts). */
  publicLog?: string;
  createdAt: Date;
  updatedAt: Date;
  claimedAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  version: number;
}

const slaSchema = new Schema(
  {
    firstResponseDueAt: Date,
    resolutionDueAt: Date,
    firstRespondedAt: Date,
    pausedAt: Date,
    pausedMs: Number,
    firstResponseBreachedAt: Date,
    resolutionBreachedAt: Date,
    warnedAt: Date,
  },
  { _id: false },
);

const ticketSchema = new Schema<TicketDoc>(
  {
    _id: { type: String, required: true },
    deskId: { type: String, required: true },
    number: { type: String, required: true },
    seq: { type: Number, required: true },
    idempotencyKey: { type: String, required: true },
    requester: { type: identitySchema, required: true },
    locale: String,
    subject: { type: String, required: true, maxlength: 200 },
    description: { type: String, required: true },
    category: String,
    priority: { type: String, required: true, enum: PRIORITIES },
    status: { type: String, required: true, enum: TICKET_STATUSES },
    tier: { type: Number, required: true, min: 1 },
    assignee: identitySchema,
    assigneeAgentId: String,
    links: { type: [linkSchema], default: [] },
    sla: { type: slaSchema, default: {} },
    csat: new Schema({ score: { type: Number, min: 1, max: 5 }, comment: String, at: Date }, { _id: false }),
    deflectedBy: String,
    suggestedArticles: [String],
    incidentId: String,
    escalationReason: String,
    lastEvent: String,
    // Absent means "not carried" (read the timeline).
    publicLog: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    claimedAt: Date,
    resolvedAt: Date,
    closedAt: Date,
    version: { type: Number, required: true },
  },
  { collection: 'tickets', versionKey: false, minimize: false },
);

// Replays of the same inbound request must find the first ticket.
ticketSchema.index({ idempotencyKey: 1 }, { unique: true });
ticketSchema.index({ number: 1 }, { unique: true });
// The queues people look at.
ticketSchema.index({ deskId: 1, status: 1, tier: 1, priority: 1 });
ticketSchema.index({ assigneeAgentId: 1, status: 1 });
// The console's keyset pages (newest first within a desk's statuses).
ticketSchema.index({ deskId: 1, status: 1, createdAt: -1, _id: -1 });
ticketSchema.index({ 'requester.platform': 1, 'requester.workspace': 1, 'requester.user': 1, createdAt: -1 });
// Messages in linked threads find their ticket.
ticketSchema.index({ 'links.platform': 1, 'links.channel': 1 });

export const ticketModel = (c: Connection): Model<TicketDoc> =>
  (c.models.Ticket as Model<TicketDoc> | undefined) ?? c.model<TicketDoc>('Ticket', ticketSchema);
