import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';

/** Name of the BullMQ queue holding received mail until the inbound worker has turned it into tickets. */
export const EMAIL_INBOUND_QUEUE = 'email-inbound';

/** One received message, exactly as the SMTP transaction delivered it. */
export interface InboundMailJob {
  /** The raw RFC 5322 message, base64. */
  raw: string;
  /** Envelope: MAIL FROM ('' for the null sender of bounces) and the accepted RCPT TO addresses. */
  mailFrom: string;
  rcptTo: string[];
  /** Where it came from (logs). */
  remote?: string;
  receivedAt: number;
  /** `smtp` or `imap`. */
  via: 'smtp' | 'imap';
}

/**
 * The message's Message-ID header, found by one linear pass over the header block (folded lines
 * joined), without parsing the MIME body. Bounded: only the first 64 KiB are looked at.
 */
export function headerMessageId(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.min(raw.length, 65_536)).toString('latin1');
  let i = 0;
  while (i < head.length) {
    let end = head.indexOf('\n', i);
    if (end < 0) end = head.length;
    const line = head.slice(i, end).replace('\r', '');
    if (line === '') return undefined; // end of the header block
    if (line.length >= 11 && line.slice(0, 11).toLowerCase() === 'message-id:') {
      let value = line.slice(11);
      // Folded continuation lines start with whitespace.
      let j = end + 1;
      while (j < head.length && (head[j] === ' ' || head[j] === '\t')) {
        let e2 = head.indexOf('\n', j);
        if (e2 < 0) e2 = head.length;
        value += head.slice(j, e2).replace('\r', '');
        j = e2 + 1;
      }
      const v = value.trim();
      return v ? v.slice(0, 998) : undefined;
    }
    i = end + 1;
  }
  return undefined;
}

/**
 * The job id of a received message: the same message delivered twice (a client retrying after a lost
 * `250`, or the same mail fetched again over IMAP) gets the same id, so it is queued once. Keyed by
 * Message-ID and recipients; a message without Message-ID is keyed by a hash of its bytes.
 */
export function inboundJobId(raw: Buffer, rcptTo: readonly string[]): string {
  return jobIdFor(headerMessageId(raw), rcptTo, raw);
}

/** The job id of the message with this Message-ID header value (`<id@host>`) sent to `rcptTo`. */
export function jobIdFor(id: string | undefined, rcptTo: readonly string[], raw?: Buffer): string {
  const h = createHash('sha256');
  if (id) h.update(`mid:${id}`);
  else h.update('raw:').update(raw ?? Buffer.alloc(0));
  h.update(`|rcpt:${[...rcptTo].sort().join(',')}`);
  return `mail-${h.digest('hex').slice(0, 40)}`;
}

export function createInboundQueue(redis: Redis | Cluster, prefix: string): Queue<InboundMailJob> {
  return new Queue<InboundMailJob>(EMAIL_INBOUND_QUEUE, {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      // Completed ids are kept a day so a re-sent message is recognised; failures for inspection.
      removeOnComplete: { age: 24 * 3600, count: 50_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  });
}
