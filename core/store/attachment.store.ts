import { createHash } from 'node:crypto';
import { mongo, Schema, type Connection, type Model } from 'mongoose';
import type { AttachmentRecord, AttachmentRefusal, AttachmentStore, NewAttachment } from '../ports/attachment-store.port.js';
import { isDuplicateKey } from './schemas.js';

interface AttachmentDoc {
  _id: string;
  ticketId: string;
  filename: string;
  contentType: string;
  size: number;
  status: 'stored' | 'refused';
  reason?: string;
  sha256?: string;
  source: { platform: string; message: string; position: number };
  at: Date;
}

const attachmentSchema = new Schema<AttachmentDoc>(
  {
    _id: { type: String, required: true },
    ticketId: { type: String, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    status: { type: String, required: true, enum: ['stored', 'refused'] },
    reason: String,
    sha256: String,
    source: new Schema({ platform: { type: String, required: true }, message: { type: String, required: true }, position: { type: Number, required: true } }, { _id: false }),
    at: { type: Date, required: true },
  },
  { collection: 'attachments', versionKey: false },
);
attachmentSchema.index({ ticketId: 1, at: 1 });

const BUCKET = 'attachment_files';

const toRecord = (d: AttachmentDoc): AttachmentRecord => ({
  id: d._id,
  ticketId: d.ticketId,
  filename: d.filename,
  contentType: d.contentType,
  size: d.size,
  status: d.status,
  ...(d.reason ? { reason: d.reason as AttachmentRefusal } : {}),
  ...(d.sha256 ? { sha256: d.sha256 } : {}),
  source: { platform: d.source.platform, message: d.source.message, position: d.source.position },
  at: d.at,
});

/**
 * Attachments in MongoDB: the bytes in GridFS (bucket `attachment_files`, the driver's GridFSBucket;
 * works on FerretDB 1.24 too), one record per file in `attachments`. The record is written only after
 * GridFS has written every chunk and the file document, so a listed file is always whole.
 */
export class MongoAttachmentStore implements AttachmentStore {
  private readonly M: Model<AttachmentDoc>;
  private readonly bucket: mongo.GridFSBucket;
  constructor(private readonly conn: Connection) {
    this.M = (conn.models.Attachment as Model<AttachmentDoc> | undefined) ?? conn.model<AttachmentDoc>('Attachment', attachmentSchema);
    this.bucket = new mongo.GridFSBucket(conn.db!, { bucketName: BUCKET });
  }

  async init(): Promise<void> {
    await this.M.createIndexes();
  }

  async get(id: string): Promise<AttachmentRecord | null> {
    const d = await this.M.findById(id).lean<AttachmentDoc>();
    return d ? toRecord(d) : null;
  }

  async list(ticketId: string): Promise<AttachmentRecord[]> {
    const docs = await this.M.find({ ticketId }).sort({ at: 1, 'source.position': 1 }).limit(500).lean<AttachmentDoc[]>();
    return docs.map(toRecord);
  }

  private async insert(doc: AttachmentDoc): Promise<AttachmentRecord> {
    try {
      await this.M.create(doc);
      return toRecord(doc);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await this.get(doc._id))!;
    }
  }

  async refuse(meta: NewAttachment, reason: AttachmentRefusal): Promise<AttachmentRecord> {
    const existing = await this.get(meta.id);
    if (existing) return existing;
    return this.insert({ _id: meta.id, ticketId: meta.ticketId, filename: meta.filename, contentType: meta.contentType, size: meta.size, status: 'refused', reason, source: meta.source, at: meta.at });
  }

  async store(meta: NewAttachment, content: Uint8Array): Promise<AttachmentRecord> {
    const existing = await this.get(meta.id);
    if (existing) return existing;
    const fileId = meta.id;
    const files = await this.bucket.find({ _id: fileId as never }).limit(1).toArray();
    if (files.length === 0 || files[0]!.length !== content.byteLength) {
      // Chunks left by an attempt that died part-way (no file document yet): start again from nothing.
      if (files.length > 0) await this.bucket.delete(fileId as never).catch(() => {});
      await this.conn.db!.collection(`${BUCKET}.chunks`).deleteMany({ files_id: fileId });
      await new Promise<void>((resolve, reject) => {
        const up = this.bucket.openUploadStreamWithId(fileId as never, meta.filename, { metadata: { ticketId: meta.ticketId, contentType: meta.contentType } });
        up.once('error', reject);
        up.once('finish', () => resolve());
        up.end(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      });
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    return this.insert({ _id: meta.id, ticketId: meta.ticketId, filename: meta.filename, contentType: meta.contentType, size: content.byteLength, status: 'stored', sha256, source: meta.source, at: meta.at });
  }

  read(id: string): AsyncIterable<Uint8Array> {
    return this.bucket.openDownloadStream(id as never);
  }
}
