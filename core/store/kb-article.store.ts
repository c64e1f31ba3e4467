import type { Connection } from 'mongoose';
import { kbArticleModel } from './kb-article.model.js';

export interface SavedKbArticle {
  id: string;
  title: string;
  lang: string;
  category?: string;
  tags: string[];
  summary?: string;
  body: string;
  ticketId?: string;
  deskId?: string;
  createdBy?: string;
}

/** Articles agents saved from resolved tickets (`kb_articles`); the KB indexes them with the folder's. */
export class MongoKbArticleStore {
  constructor(private readonly c: Connection) {}

  /** Creates or replaces an article by id. */
  async save(a: SavedKbArticle): Promise<void> {
    const now = new Date();
    const { id, ...rest } = a;
    await kbArticleModel(this.c).updateOne(
      { _id: id },
      { $set: { ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true },
    );
  }

  async list(deskId?: string): Promise<SavedKbArticle[]> {
    const rows = await kbArticleModel(this.c).find(deskId ? { deskId } : {}).lean();
    return rows.map(({ _id, title, lang, category, tags, summary, body, ticketId, deskId: d, createdBy }) => ({
      id: _id,
      title,
      lang,
      tags,
      body,
      ...(category ? { category } : {}),
      ...(summary ? { summary } : {}),
      ...(ticketId ? { ticketId } : {}),
      ...(d ? { deskId: d } : {}),
      ...(createdBy ? { createdBy } : {}),
    }));
  }

  async remove(id: string): Promise<void> {
    await kbArticleModel(this.c).deleteOne({ _id: id });
  }
}
