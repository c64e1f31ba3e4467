import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../core/ports/logger.port.js';
import { inboundJobId, type InboundMailJob } from './email.inbound-queue.js';
import type { EmailStats } from './email.stats.js';
import { splitAddress, type MailTokens } from './email.tokens.js';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  /** Largest message in bytes; larger ones are refused with 552 while DATA streams in. */
  maxBytes: number;
  /** The desks' addresses (lowercase). Mail to anything else is refused at RCPT time. */
  addresses: ReadonlySet<string>;
  tokens: MailTokens;
  queue: Queue<InboundMailJob>;
  log: Logger;
  stats: EmailStats;
  /**
   * Recipients accepted per message (more get 452, which RFC 5321 clients treat as "try the rest later").
   * @defaultValue 50
   */
  maxRecipients?: number;
  /** @defaultValue 200 */
  maxClients?: number;
  /** Host name in the greeting. @defaultValue 'helpdesk' */
  name?: string;
}

const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP listener (a maintained server library, `smtp-server`): accepts mail only for the desks'
 * addresses and their signed reply addresses, enforces the size limit during DATA, and answers `250`
 * only once the message is stored as a BullMQ job in Redis (durable; the job id is derived from the
 * Message-ID, so a client re-sending after a lost answer queues nothing twice). Parsing, threading and
 * tickets happen in the inbound worker, after the answer.
 */
export function createSmtpListener(o: SmtpListenerOptions) {
  const maxRcpt = o.maxRecipients ?? 50;
  const server = new SMTPServer({
    name: o.name ?? 'helpdesk',
    banner: 'helpdesk mail intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: o.maxBytes,
    maxClients: o.maxClients ?? 200,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= maxRcpt) {
        o.stats.count('rejected', 'too_many_recipients');
        return cb(smtpError(452, `4.5.3 Too many recipients (at most ${maxRcpt} per message)`));
      }
      const parts = splitAddress(address.address);
      const known = parts && o.addresses.has(parts.base) && (parts.tag === undefined || o.tokens.verify(parts.tag) !== undefined);
      if (!known) {
        o.stats.count('rejected', 'unknown_recipient');
        return cb(smtpError(550, `5.1.1 <${address.address.slice(0, 100)}>: no such mailbox here`));
      }
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, done: (err?: Error | null, message?: string) => void) {
      let answered = false;
      const cb = (err?: Error | null, message?: string) => {
        if (answered) return;
        answered = true;
        done(err, message);
      };
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= o.maxBytes) chunks.push(c);
      });
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > o.maxBytes) {
          o.stats.count('rejected', 'too_large');
          o.log.info({ remote: session.remoteAddress, bytes: size, max: o.maxBytes }, 'email refused: over the size limit');
          return cb(smtpError(552, `5.3.4 Message too big (limit ${o.maxBytes} bytes)`));
        }
        const raw = Buffer.concat(chunks);
        const rcptTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const jobId = inboundJobId(raw, rcptTo);
        const job: InboundMailJob = { raw: raw.toString('base64'), mailFrom, rcptTo, remote: session.remoteAddress, receivedAt: Date.now(), via: 'smtp' };
        o.queue.add('mail', job, { jobId }).then(
          () => {
            o.stats.count('accepted');
            cb(null, `2.0.0 Queued as ${jobId}`);
          },
          (err: unknown) => {
            // Not stored: the client must keep the message and retry (4xx), never believe it was received.
            o.stats.count('rejected', 'queue_unavailable');
            o.log.error({ err, remote: session.remoteAddress }, 'email not queued (Redis unavailable?): answered 451');
            cb(smtpError(451, '4.3.0 Temporary failure storing the message, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => o.log.warn({ err: err.message }, 'SMTP listener: connection error'));
  return {
    server,
    listen(): Promise<number> {
      return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(o.port, o.host, () => {
          server.server.off('error', reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },
    close(): Promise<void> {
      return new Promise((r) => server.close(() => r()));
    },
  };
}
