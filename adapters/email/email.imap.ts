import type { Queue } from 'bullmq';
import { ImapFlow } from 'imapflow';
import type { Logger } from '../../core/ports/logger.port.js';
import { inboundJobId, type InboundMailJob } from './email.inbound-queue.js';
import type { EmailStats } from './email.stats.js';

/** Where the mailbox's progress is kept (MongoDB through the adapter state store): shared and durable. */
export interface ImapStateStore {
  get(platform: string, kind: string, key: string): Promise<unknown>;
  put(platform: string, kind: string, key: string, value: unknown): Promise<void>;
}

export interface ImapInboxOptions {
  /** `imap://user:pass@host:143/INBOX` or `imaps://…:993/INBOX` (the path is the mailbox; default INBOX). */
  url: string;
  /** The desk address this mailbox receives for (the envelope recipient of what is fetched). */
  deskAddress: string;
  queue: Queue<InboundMailJob>;
  state: ImapStateStore;
  log: Logger;
  stats: EmailStats;
  /**
   * Poll interval: the fallback when IDLE notifications do not come (servers without IDLE, NAT timeouts).
   * @defaultValue 60000
   */
  pollMs?: number;
  /** Flag set on each message once it is queued. @defaultValue '\\Seen' plus '$HelpdeskQueued' */
  flags?: string[];
}

interface Progress {
  uidValidity: string;
  uid: number;
}

/**
 * A real mailbox as an intake: new messages (UID above the last one stored, under the same
 * UIDVALIDITY) are queued exactly like SMTP mail (same job ids: fetching the same mail twice queues it
 * once), then flagged, then the UID is stored in MongoDB — so each message is processed once, also
 * across restarts and replicas (a crash between queueing and storing the UID refetches it, and the job
 * id dedupes it). New mail is noticed through IDLE (`exists`), with a poll as fallback.
 */
export class ImapInbox {
  private client?: ImapFlow;
  private timer?: NodeJS.Timeout;
  private running = false;
  private syncing: Promise<void> = Promise.resolve();
  private again = false;
  private readonly mailbox: string;
  private readonly key: string;

  constructor(private readonly o: ImapInboxOptions) {
    const u = new URL(o.url);
    this.mailbox = decodeURIComponent(u.pathname.slice(1)) || 'INBOX';
    this.key = `${decodeURIComponent(u.username)}@${u.hostname}:${u.port || (u.protocol === 'imaps:' ? 993 : 143)}/${this.mailbox}`;
  }

  private connect(): ImapFlow {
    const u = new URL(this.o.url);
    const secure = u.protocol === 'imaps:';
    return new ImapFlow({
      host: u.hostname,
      port: Number(u.port || (secure ? 993 : 143)),
      secure,
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
      logger: false,
      maxIdleTime: 5 * 60_000,
    });
  }

  async start(): Promise<void> {
    this.running = true;
    await this.open();
    this.timer = setInterval(() => this.kick(), this.o.pollMs ?? 60_000);
    this.timer.unref();
  }

  private async open(): Promise<void> {
    const c = this.connect();
    c.on('error', (err: Error) => this.o.log.warn({ err: err.message }, 'IMAP connection error'));
    c.on('exists', () => this.kick());
    c.on('close', () => {
      if (this.client === c) this.client = undefined;
    });
    await c.connect();
    await c.mailboxOpen(this.mailbox);
    this.client = c;
    this.kick();
  }

  /** Runs a sync now (or right after the one in progress). */
  kick(): void {
    if (!this.running) return;
    this.again = true;
    this.syncing = this.syncing.then(async () => {
      while (this.again && this.running) {
        this.again = false;
        await this.sync().catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'IMAP sync failed; retried at the next poll'));
      }
    });
  }

  /** Waits for the sync in progress (tests). */
  idle(): Promise<void> {
    return this.syncing;
  }

  private async sync(): Promise<void> {
    if (!this.client?.usable) await this.open();
    const c = this.client!;
    const box = c.mailbox;
    if (!box) return;
    const uidValidity = String(box.uidValidity);
    const prior = (await this.o.state.get('email', 'imap', this.key)) as Progress | undefined;
    const from = prior && prior.uidValidity === uidValidity ? prior.uid + 1 : 1;
    if (prior && prior.uidValidity !== uidValidity) this.o.log.warn({ mailbox: this.key }, 'IMAP UIDVALIDITY changed: rescanning the mailbox (already queued messages are recognised by their ids)');
    if (box.exists === 0) return;
    const found: Array<{ uid: number; source: Buffer }> = [];
    for await (const m of c.fetch(`${from}:*`, { uid: true, source: true }, { uid: true })) {
      // `n:*` always returns the last message even when its UID is below n.
      if (m.uid >= from && m.source) found.push({ uid: m.uid, source: m.source });
      if (found.length >= 200) break;
    }
    for (const m of found.sort((a, b) => a.uid - b.uid)) {
      const rcptTo = [this.o.deskAddress];
      const job: InboundMailJob = { raw: m.source.toString('base64'), mailFrom: '', rcptTo, remote: `imap:${this.key}`, receivedAt: Date.now(), via: 'imap' };
      // IMAP has no envelope sender: the worker reads the sender from the headers (automatic-mail checks included).
      job.mailFrom = envelopeFromHeaders(m.source);
      await this.o.queue.add('mail', job, { jobId: inboundJobId(m.source, rcptTo) });
      await c.messageFlagsAdd(String(m.uid), this.o.flags ?? ['\\Seen', '$HelpdeskQueued'], { uid: true });
      await this.o.state.put('email', 'imap', this.key, { uidValidity, uid: m.uid } satisfies Progress);
      this.o.stats.count('accepted', 'imap');
    }
    if (found.length >= 200) this.again = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.syncing.catch(() => {});
    await this.client?.logout().catch(() => this.client?.close());
    this.client = undefined;
  }
}

/** The Return-Path (or From) address of a fetched message, '' for `Return-Path: <>`; linear scan of the header block. */
function envelopeFromHeaders(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 65_536)).toString('latin1');
  const end = head.indexOf('\r\n\r\n');
  const block = end >= 0 ? head.slice(0, end) : head;
  let from: string | undefined;
  for (const line of block.split('\n')) {
    const lower = line.toLowerCase();
    if (lower.startsWith('return-path:')) {
      const v = line.slice(12).trim();
      const open = v.indexOf('<');
      const close = v.indexOf('>', open + 1);
      return (open >= 0 && close > open ? v.slice(open + 1, close) : v).trim().slice(0, 254);
    }
    if (from === undefined && lower.startsWith('from:')) {
      const v = line.slice(5);
      const open = v.indexOf('<');
      const close = v.indexOf('>', open + 1);
      from = (open >= 0 && close > open ? v.slice(open + 1, close) : v).trim().slice(0, 254);
    }
  }
  return from || 'unknown@invalid';
}
