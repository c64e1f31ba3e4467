import { Schema, type Connection, type Model } from 'mongoose';

/** One "This solved it" / "Didn't help" answer: kept for audit and reports. */
export interface KbFeedbackDoc {
  articleId: string;
  query: string;
  queryKey: string;
  helpful: boolean;
  deskId?: string;
  ticketId?: string;
  at: Date;
}

/**
 * Pre-aggregated counts per desk, article and normalised query (`queryKey` '' = all queries),
 * maintained with `$inc` so the ranking boost and reports never aggregate the raw events.
 */
export interface KbFeedbackTallyDoc {
  _id: string;
  deskId: string;
  articleId: string;
  queryKey: string;
  helpful: number;
  unhelpful: number;
  deflections: number;
}

const feedbackSchema = new Schema<KbFeedbackDoc>(
  {
    articleId: { type: String, required: true },
    query: { type: String, required: true },
    queryKey: { type: String, required: true },
    helpful: { type: Boolean, required: true },
    deskId: String,
    ticketId: String,
    at: { type: Date, required: true },
  },
  { collection: 'kb_feedback', versionKey: false },
);
feedbackSchema.index({ articleId: 1, at: -1 });

const tallySchema = new Schema<KbFeedbackTallyDoc>(
  {
    _id: { type: String, required: true },
    deskId: { type: String, required: true },
    articleId: { type: String, required: true },
    queryKey: { type: String, required: true },
    helpful: { type: Number, default: 0 },
    unhelpful: { type: Number, default: 0 },
    deflections: { type: Number, default: 0 },
  },
  { collection: 'kb_feedback_tallies', versionKey: false },
);
tallySchema.index({ deskId: 1, articleId: 1, queryKey: 1 });

export const kbFeedbackModel = (c: Connection): Model<KbFeedbackDoc> =>
  (c.models.KbFeedback as Model<KbFeedbackDoc> | undefined) ?? c.model<KbFeedbackDoc>('KbFeedback', feedbackSchema);

export const kbFeedbackTallyModel = (c: Connection): Model<KbFeedbackTallyDoc> =>
  (c.models.KbFeedbackTally as Model<KbFeedbackTallyDoc> | undefined) ?? c.model<KbFeedbackTallyDoc>('KbFeedbackTally', tallySchema);
