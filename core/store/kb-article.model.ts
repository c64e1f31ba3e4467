import { Schema, type Connection, type Model } from 'mongoose';
import type { SavedKbArticle } from './kb-article.store.js';

/** A knowledge-base article saved from a resolved ticket: the same fields as a Markdown article. */
export type KbArticleDoc = Omit<SavedKbArticle, 'id'> & { _id: string; createdAt: Date; updatedAt: Date };

const kbArticleSchema = new Schema<KbArticleDoc>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    lang: { type: String, required: true, default: 'en' },
    category: String,
    tags: { type: [String], default: [] },
    summary: String,
    body: { type: String, required: true },
    ticketId: String,
    deskId: String,
    createdBy: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'kb_articles', versionKey: false },
);

export const kbArticleModel = (c: Connection): Model<KbArticleDoc> =>
  (c.models.KbArticle as Model<KbArticleDoc> | undefined) ?? c.model<KbArticleDoc>('KbArticle', kbArticleSchema);
