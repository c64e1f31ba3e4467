/** Why a received file was not kept. */
export type AttachmentRefusal = 'file_too_large' | 'ticket_bytes' | 'ticket_files';

/** A file a requester sent with a ticket: kept whole (`stored`) or not at all (`refused`, with the reason). */
export interface AttachmentRecord {
  /** Deterministic per message and position, so a retried intake stores nothing twice. */
  id: string;
  ticketId: string;
  /** Already sanitised (no path parts, no control characters, bounded length). */
  filename: string;
  /** `type/subtype` as declared by the sender (lowercase), or `application/octet-stream`. */
  contentType: string;
  size: number;
  status: 'stored' | 'refused';
  reason?: AttachmentRefusal;
  /** SHA-256 of the content (hex), for stored files. */
  sha256?: string;
  /** Where it came from (the message that carried it) and its place among that message's files. */
  source: { platform: string; message: string; position: number };
  at: Date;
}

export type NewAttachment = Omit<AttachmentRecord, 'status' | 'reason' | 'sha256'>;

/**
 * Files kept with tickets. A stored file is complete before its record exists: a reader never sees
 * half a file, and a crash part-way leaves only unreferenced chunks that the next attempt replaces.
 */
export interface AttachmentStore {
  /** Stores the whole content, then its record. Idempotent by `id` (an existing record is returned as is). */
  store(meta: NewAttachment, content: Uint8Array): Promise<AttachmentRecord>;
  /** Records that a file was not kept, and why. Idempotent by `id`. */
  refuse(meta: NewAttachment, reason: AttachmentRefusal): Promise<AttachmentRecord>;
  /** Every record of a ticket (stored and refused), oldest first. */
  list(ticketId: string): Promise<AttachmentRecord[]>;
  get(id: string): Promise<AttachmentRecord | null>;
  /** The content of a stored file, in chunks. */
  read(id: string): AsyncIterable<Uint8Array>;
}
