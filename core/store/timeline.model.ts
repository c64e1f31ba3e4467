import { Schema, type Connection, type Model } from 'mongoose';
import { actorSchema } from './schemas.js';

export interface TimelineDoc {
  _id: string;
  ticketId: string;
  at: Date;
  kind: string;
  actor: Record<string, unknown>;
  visibility: string;
  text: string;
  source?: { platform: string; channel: string; thread?: string; message?: string };
  event?: string;
  clippedFrom?: number;
}

const timelineSchema = new Schema<TimelineDoc>(
  {
    _id: { type: String, required: true },
    ticketId: { type: String, required: true },
    at: { type: Date, required: true },
    kind: { type: String, required: true, enum: ['message', 'note', 'status', 'system'] },
    actor: { type: actorSchema, required: true },
    visibility: { type: String, required: true, enum: ['public', 'internal'] },
    text: { type: String, default: '' },
    source: new Schema({ platform: String, channel: String, thread: String, message: String }, { _id: false }),
    event: String,
    clippedFrom: Number,
  },
  { collection: 'timeline', versionKey: false },
);
timelineSchema.index({ ticketId: 1, at: 1 });

export const timelineModel = (c: Connection): Model<TimelineDoc> =>
  (c.models.Timeline as Model<TimelineDoc> | undefined) ?? c.model<TimelineDoc>('Timeline', timelineSchema);
