import { randomBytes } from 'node:crypto';
import type { Worker } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { AttachmentStore } from '../../core/ports/attachment-store.port.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { AttachmentDefaults } from './email.attachments.js';
import { createInboundQueue } from './email.inbound-queue.js';
import { createInboundWorker, type InboundOutcome } from './email.inbound.js';
import { ImapInbox } from './email.imap.js';
import { createSmtpListener } from './email.listener.js';
import { EmailPlatform, type AutoReplyLimiter } from './email.platform.js';
import { EmailStats } from './email.stats.js';
import { MailTokens } from './email.tokens.js';
import { outboxTransport, smtpTransport, type MailTransport } from './email.transport.js';

/** Key/value state shared by replicas (the generated signing secret lives there). */
export interface EmailStateStore {
  get(platform: string, kind: string, key: string): Promise<unknown>;
  put(platform: string, kind: string, key: string, value: unknown): Promise<void>;
  /** Stores `value` unless a value is stored (first writer wins, in any process); returns the stored value. */
  putIfAbsent(platform: string, kind: string, key: string, value: unknown): Promise<unknown>;
}

export interface EmailAdapterOptions {
  helpdesk: Helpdesk;
  store: TicketStore;
  directory: Directory;
  delivery: Delivery;
  /** A Redis client for the inbound queue, its worker and the auto-reply counters. */
  redis: Redis | Cluster;
  /** Key prefix (the deployment's queue prefix). */
  prefix: string;
  log: Logger;
  /** Secret of signed addresses; without it one is generated once and kept in `state`. */
  signingSecret?: string;
  state?: EmailStateStore;
  /** `smtp(s)://…` to send; otherwise mail goes to `outboxDir` as .eml files. */
  smtpUrl?: string;
  outboxDir: string;
  /** A transport to use instead (tests). */
  transport?: MailTransport;
  smtp: { host: string; port: number; maxBytes: number; maxRecipients?: number };
  /**
   * Automatic messages (acknowledgements, notices, surveys) per recipient address and hour.
   * @defaultValue 20
   */
  autoRepliesPerHour?: number;
  onOutcome?: (o: InboundOutcome, jobId: string) => void;
  /** Where received files are kept (core's attachment store); without it they are dropped and logged. */
  attachments?: AttachmentStore;
  /** Per-file, per-ticket byte and file-count limits (desk file overrides per desk). */
  attachmentLimits?: AttachmentDefaults;
  /** One-click CSAT links (signed, served by the web channel); without it the survey says "reply with 1–5". */
  rateUrl?: (ticket: Ticket, score: number) => string | undefined;
  /** A mailbox to read over IMAP (`imap(s)://user:pass@host/INBOX`), for the desk `imapDesk` (default: the first with an address). */
  imapUrl?: string;
  imapDeskAddress?: string;
  /** @defaultValue 60000 */
  imapPollMs?: number;
}

/** The signing secret of signed addresses: the configured one, else the one generated and stored once for every process. */
export async function signingSecret(o: Pick<EmailAdapterOptions, 'signingSecret' | 'state'>): Promise<string> {
  if (o.signingSecret) return o.signingSecret;
  if (!o.state) throw new Error('email: EMAIL_SIGNING_SECRET is not set and no shared state store was given');
  const stored = await o.state.get('email', 'config', 'signing-secret');
  if (typeof stored === 'string' && stored.length >= 32) return stored;
  // Several processes start at once (web and worker by default): the first stored secret wins, and
  // one in use (in sent mail) is never replaced. (A stored value too short to use is replaced once.)
  if (stored === undefined) {
    const first = await o.state.putIfAbsent('email', 'config', 'signing-secret', randomBytes(32).toString('hex'));
    if (typeof first === 'string' && first.length >= 32) return first;
  }
  await o.state.put('email', 'config', 'signing-secret', randomBytes(32).toString('hex'));
  return (await o.state.get('email', 'config', 'signing-secret')) as string;
}

/** Per-address counter in Redis (one key per address and hour), shared by every replica. */
function redisLimiter(redis: Redis | Cluster, prefix: string, perHour: number): AutoReplyLimiter {
  return async (address) => {
    const hour = Math.floor(Date.now() / 3_600_000);
    const key = `${prefix}:hd:email-auto:${hour}:${address.slice(0, 254)}`;
    const n = await redis.incr(key);
    if (n === 1) await redis.expire(key, 7200);
    return n <= perHour;
  };
}

/**
 * The email channel: the outbound `ChatPlatform` (register it with core), the SMTP listener (role
 * web) and the inbound worker (role worker). Start either or both.
 */
export async function createEmailAdapter(o: EmailAdapterOptions) {
  const stats = new EmailStats();
  const tokens = new MailTokens(await signingSecret(o));
  const transport = o.transport ?? (o.smtpUrl ? smtpTransport(o.smtpUrl) : outboxTransport(o.outboxDir));
  const platform = new EmailPlatform({
    store: o.store,
    directory: o.directory,
    tokens,
    transport,
    limiter: redisLimiter(o.redis, o.prefix, o.autoRepliesPerHour ?? 20),
    log: o.log,
    stats,
    rateUrl: o.rateUrl,
  });
  const queue = createInboundQueue(o.redis, o.prefix);
  queue.on('error', (err) => o.log.warn({ err: err.message }, 'email inbound queue: Redis error'));
  const addresses = new Set(o.directory.desks().flatMap((d) => (d.channels?.email?.address ? [d.channels.email.address] : [])));
  const listener = createSmtpListener({ host: o.smtp.host, port: o.smtp.port, maxBytes: o.smtp.maxBytes, maxRecipients: o.smtp.maxRecipients, addresses, tokens, queue, log: o.log, stats });
  let worker: Worker | undefined;
  let listening = false;
  let imap: ImapInbox | undefined;
  return {
    platform,
    tokens,
    stats,
    queue,
    transport,
    addresses,
    /** Starts the SMTP listener; resolves with the port. */
    async listen(): Promise<number> {
      const port = await listener.listen();
      listening = true;
      o.log.info({ host: o.smtp.host, port, addresses: [...addresses], outbound: transport.kind === 'smtp' ? 'smtp' : o.outboxDir }, 'SMTP listener ready');
      return port;
    },
    /** Starts the inbound worker (parse → thread → helpdesk). */
    work(concurrency?: number): void {
      worker = createInboundWorker({ helpdesk: o.helpdesk, store: o.store, directory: o.directory, delivery: o.delivery, tokens, log: o.log, stats, queue, attachments: o.attachments, attachmentLimits: o.attachmentLimits }, o.redis, o.prefix, { concurrency, onOutcome: o.onOutcome });
    },
    /** Pauses / resumes taking new inbound jobs (operations; tests). */
    async pauseWorker(): Promise<void> {
      await worker?.pause(true);
    },
    resumeWorker(): void {
      worker?.resume();
    },
    /** Starts reading the IMAP mailbox (one reader per deployment is enough; more are safe). */
    async readImap(): Promise<ImapInbox> {
      const deskAddress = o.imapDeskAddress ?? [...addresses][0];
      if (!o.imapUrl || !deskAddress) throw new Error('email: IMAP needs IMAP_URL and a desk with channels.email.address');
      if (!o.state) throw new Error('email: IMAP needs the shared state store (UIDs are kept there)');
      imap = new ImapInbox({ url: o.imapUrl, deskAddress, queue, state: o.state, log: o.log, stats, pollMs: o.imapPollMs });
      await imap.start();
      o.log.info({ mailbox: o.imapUrl.replace(/\/\/[^@/]*@/, '//***@'), desk: deskAddress }, 'IMAP inbox ready');
      return imap;
    },
    async stop(): Promise<void> {
      await imap?.stop();
      if (listening) await listener.close();
      await worker?.close();
      await queue.close();
      transport.close();
    },
  };
}

export type EmailAdapter = Awaited<ReturnType<typeof createEmailAdapter>>;
