import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';
import { isHelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { HandleResult, Helpdesk } from '../../core/helpdesk.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import { BusyElsewhere, unlessHeldElsewhere } from '../shared/intake.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { suggestionsView } from '../../core/views/ticket-views.js';
import type { Queue } from 'bullmq';
import { EMAIL_INBOUND_QUEUE, jobIdFor, type InboundMailJob } from './email.inbound-queue.js';
import { parseMail, type InboundMail } from './email.parse.js';
import type { EmailLinkData } from './email.platform.js';
import type { EmailStats } from './email.stats.js';
import { firstWord, stripReply } from './email.text.js';
import { DEFAULT_ATTACHMENT_LIMITS, keepAttachments, limitsFor, type AttachmentDefaults } from './email.attachments.js';
import type { AttachmentStore } from '../../core/ports/attachment-store.port.js';
import { findThread, mailKey } from './email.threading.js';
import { splitAddress, type MailTokens } from './email.tokens.js';

export interface EmailInboundDeps {
  helpdesk: Helpdesk;
  store: TicketStore;
  directory: Directory;
  delivery: Delivery;
  tokens: MailTokens;
  log: Logger;
  stats: EmailStats;
  /** The inbound queue: a reply whose original is still queued waits for it (else it would open a second ticket). */
  queue?: Queue<InboundMailJob>;
  /** Where files are kept; without it they are logged and dropped. */
  attachments?: AttachmentStore;
  /** Deployment limits (a desk's `channels.email.attachments` overrides them). */
  attachmentLimits?: AttachmentDefaults;
}

/** Thrown (and retried with backoff) while the message a reply answers is still waiting in the queue. */
export class OriginalPendingError extends Error {
  override name = 'OriginalPendingError';
}

const SOLVED = new Set(['solved', 'resolved', 'resuelto', 'solucionado', 'resuelta']);
const MAX_TEXT = 100_000;

/** What became of one message (for logs and tests). */
export type InboundOutcome =
  | { kind: 'opened'; ticket: Ticket; created: boolean }
  | { kind: 'followup'; ticket: Ticket; by: string; as: 'message' | 'deflected' | 'rated' }
  | { kind: 'bounce'; ticket?: Ticket; failed: string[] }
  | { kind: 'ignored'; reason: string };

const identityOf = (from: { address: string; name?: string }): Identity => ({
  platform: 'email',
  workspace: from.address.slice(from.address.lastIndexOf('@') + 1),
  user: from.address,
  ...(from.name ? { name: from.name } : {}),
});

/** Where mail to this sender about the ticket goes (their requester link), if they have one. */
function requesterAt(t: Ticket, user: string): { workspace: string; channel: string; thread?: string; data?: Record<string, unknown> } | undefined {
  const link = t.links.find((l) => l.platform === 'email' && l.role === 'requester' && l.channel === user);
  return link ? { workspace: link.workspace, channel: link.channel, thread: link.thread, data: link.data } : undefined;
}

/** Keeps the message's files with the ticket (limits of its desk), listed on the timeline; the requester hears of refused ones. */
async function attach(d: EmailInboundDeps, t: Ticket, mail: InboundMail, messageKey: string, requester?: { workspace: string; channel: string; thread?: string; data?: Record<string, unknown> }): Promise<void> {
  if (mail.attachments.length === 0) return;
  if (!d.attachments) {
    d.log.warn({ ticket: t.number, files: mail.attachments.length }, 'email attachments not kept: no attachment store configured');
    return;
  }
  const desk = d.directory.desk(t.deskId);
  const limits = limitsFor(d.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS, desk.channels?.email?.attachments);
  const recs = await keepAttachments({ attachments: d.attachments, store: d.store, delivery: d.delivery }, t, mail.attachments, { messageKey, limits, requester, locale: t.locale ?? desk.locale, deskLocale: desk.locale, now: new Date() });
  for (const r of recs) d.stats.count('attachment', r.status === 'stored' ? 'stored' : `refused_${r.reason}`);
}

/**
 * Turns one received message into a ticket or a follow-up. Idempotent: every effect is keyed by the
 * Message-ID (a new ticket's idempotency key, a follow-up's event id), so a retried job creates nothing twice.
 */
export async function processInboundMail(d: EmailInboundDeps, job: InboundMailJob, jobId: string, o: { waitForOriginal?: boolean; retry?: boolean } = {}): Promise<InboundOutcome> {
  // The queue tries again (`retry`): an event whose claim an earlier attempt still holds (one killed
  // mid-way, until its lease ends) is thrown back and retried, not taken as done (mail never dropped).
  const handle = async (e: InboundEvent): Promise<HandleResult> => unlessHeldElsewhere(await d.helpdesk.handle(e), o.retry, `mail ${jobId} (${e.type})`);
  const raw = Buffer.from(job.raw, 'base64');
  let mail: InboundMail;
  try {
    mail = await parseMail(raw, job.mailFrom);
  } catch (err) {
    d.stats.count('rejected', 'malformed');
    d.log.warn({ err: (err as Error).message, job: jobId }, 'email rejected: the message could not be parsed');
    return { kind: 'ignored', reason: 'malformed' };
  }
  const addresses = new Map<string, string>();
  for (const desk of d.directory.desks()) if (desk.channels?.email?.address) addresses.set(desk.channels.email.address, desk.id);
  const rcpt = job.rcptTo.map((r) => splitAddress(r)).filter((r) => r !== undefined && addresses.has(r.base));
  if (rcpt.length === 0) return ignore(d, 'unknown_recipient', jobId);
  const tags = rcpt.flatMap((r) => (r!.tag ? [r!.tag] : []));
  const deskAddress = rcpt[0]!.base;
  const deskId = addresses.get(deskAddress)!;

  // Our own message coming back (a forward loop, a misconfigured alias): never act on it.
  if (mail.messageId && d.tokens.ticketOfMessageId(mail.messageId)) return ignore(d, 'own_message', jobId);

  if (mail.bounce || (mail.automatic && (mail.automatic === 'null sender' || mail.automatic === 'mailer-daemon') && tags.length > 0)) {
    return bounce(d, mail, tags, jobId);
  }
  if (!mail.from) return ignore(d, 'no_sender', jobId);
  const sender = identityOf(mail.from);
  const messageId = mail.messageId ?? jobId;
  const eventId = mailKey(messageId);

  const match = await findThread(d.store, d.tokens, { tags, refs: mail.refs, subject: mail.subject, sender });
  if (match) {
    const t = match.ticket;
    const text = stripReply(mail.text).slice(0, MAX_TEXT);
    const isRequester = t.requester.user === sender.user && t.requester.platform === 'email';
    const word = firstWord(text);
    if (isRequester && t.status === 'new' && SOLVED.has(word)) {
      const n = Number(text.trim().slice(word.length).trim().slice(0, 1));
      const articles = t.suggestedArticles ?? [];
      const articleId = articles[Number.isInteger(n) && n >= 1 && n <= articles.length ? n - 1 : 0];
      if (articleId) {
        const r = await handle({ type: 'deflection.solved', eventId, actor: sender, ticket: { id: t.id }, articleId });
        await attach(d, t, mail, eventId, requesterAt(t, sender.user));
        return { kind: 'followup', ticket: r.kind === 'ticket' ? r.ticket : t, by: match.by, as: 'deflected' };
      }
    }
    if (isRequester && (t.status === 'resolved' || t.status === 'closed') && word.length === 1 && word >= '1' && word <= '5') {
      const comment = text.trim().slice(1).trim().slice(0, 1000) || undefined;
      const r = await handle({ type: 'ticket.rate', eventId, actor: sender, ticket: { id: t.id }, score: Number(word), comment });
      await attach(d, t, mail, eventId, requesterAt(t, sender.user));
      return { kind: 'followup', ticket: r.kind === 'ticket' ? r.ticket : t, by: match.by, as: 'rated' };
    }
    const link = t.links.find((l) => l.platform === 'email' && l.role === 'requester' && l.channel === sender.user);
    if (!text.trim() && mail.attachments.length === 0) return ignore(d, 'empty_followup', jobId);
    const at = link ? { platform: 'email' as const, workspace: link.workspace, channel: link.channel, thread: link.thread } : undefined;
    if (text.trim()) await handle({ type: 'ticket.message', eventId, actor: sender, ticket: { id: t.id }, at, text, messageId });
    await attach(d, t, mail, eventId, requesterAt(t, sender.user));
    // Anything but "solved" to the suggestions means a person should take it.
    if (isRequester && t.status === 'new') await handle({ type: 'deflection.need_help', eventId: `${eventId}:need_help`, actor: sender, ticket: { id: t.id } });
    d.stats.count('followup', match.by);
    return { kind: 'followup', ticket: (await d.store.get(t.id)) ?? t, by: match.by, as: 'message' };
  }

  // A reply processed before the message it answers (workers run concurrently) waits for it.
  if (d.queue && o.waitForOriginal !== false && mail.refs.length > 0) {
    for (const ref of mail.refs.slice(0, 5)) {
      const original = await d.queue.getJob(jobIdFor(`<${ref}>`, job.rcptTo));
      const state = original ? await original.getState() : undefined;
      if (state && state !== 'completed' && state !== 'failed' && original!.id !== jobId) throw new OriginalPendingError(`waiting for <${ref.slice(0, 100)}> (${state}) to be processed first`);
    }
  }
  const text = stripReply(mail.text).slice(0, MAX_TEXT);
  if (!text.trim() && !mail.subject.trim() && mail.attachments.length === 0) {
    d.stats.count('rejected', 'empty');
    d.log.info({ job: jobId, from: sender.user }, 'email rejected: no subject and no text');
    return { kind: 'ignored', reason: 'empty' };
  }
  const data: EmailLinkData = { desk: deskAddress, ...(mail.automatic ? { noAuto: mail.automatic } : {}) };
  const requesterLink = { platform: 'email' as const, workspace: sender.workspace, channel: sender.user, thread: messageId, data: data as unknown as Record<string, unknown> };
  const locale = mail.language?.startsWith('es') ? 'es' : mail.language?.startsWith('en') ? 'en' : undefined;
  const r = await handle({
    type: 'help.request',
    eventId,
    request: {
      idempotencyKey: eventId,
      requester: sender,
      locale,
      text: text || mail.subject || (mail.attachments[0]?.filename ?? 'attachment'),
      subject: mail.subject || undefined,
      origin: { platform: 'email', workspace: deskAddress.slice(deskAddress.indexOf('@') + 1), channel: deskAddress },
      requesterLink,
      deskId,
    },
  });
  if (r.kind !== 'opened') return ignore(d, 'unexpected', jobId);
  await attach(d, r.ticket, mail, eventId, requesterLink);
  // Suggestions go out as the acknowledgement; without any, the "routed" notice (from core) is the acknowledgement.
  if (r.created && r.suggestions.length > 0) {
    const desk = d.directory.desk(r.ticket.deskId);
    await d.delivery.send({
      kind: 'post',
      key: `email-ack:${r.ticket.id}`,
      platform: 'email',
      target: { workspace: requesterLink.workspace, channel: requesterLink.channel, thread: requesterLink.thread, data: requesterLink.data },
      view: suggestionsView(r.ticket, r.suggestions, r.ticket.locale ?? desk.locale),
      ticketId: r.ticket.id,
    });
  }
  d.stats.count('opened');
  return { kind: 'opened', ticket: r.ticket, created: r.created };
}

function ignore(d: EmailInboundDeps, reason: string, jobId: string): InboundOutcome {
  d.stats.count('ignored', reason);
  d.log.info({ job: jobId, reason }, 'email ignored');
  return { kind: 'ignored', reason };
}

/** A delivery failure report: the address is marked undeliverable on the ticket (a timeline note); no ticket is opened. */
async function bounce(d: EmailInboundDeps, mail: InboundMail, tags: string[], jobId: string): Promise<InboundOutcome> {
  const failed = mail.bounce?.failed ?? [];
  const match = await findThread(d.store, d.tokens, { tags, refs: [...mail.refs, ...(mail.bounce?.original ?? [])], subject: '', sender: { platform: 'email', workspace: '', user: '' } });
  d.stats.count('bounce');
  if (!match) {
    d.log.info({ job: jobId, failed }, 'bounce for no known ticket: ignored');
    return { kind: 'bounce', failed };
  }
  const t = match.ticket;
  const now = new Date();
  const link = t.links.find((l) => l.platform === 'email' && l.role === 'requester' && (failed.length === 0 || failed.includes(l.channel)));
  if (link && !(link.data as Partial<EmailLinkData> | undefined)?.undeliverable) {
    await d.store.upsertLink(t.id, { ...link, data: { ...(link.data ?? {}), undeliverable: failed[0] ?? link.channel } }, now);
    await d.store.appendTimeline({
      ticketId: t.id,
      at: now,
      kind: 'system',
      actor: { kind: 'system', reason: 'email-bounce' },
      visibility: 'internal',
      text: `Mail to ${link.channel} bounced: the address is marked undeliverable; no more mail is sent to it for this ticket.`,
      event: 'email_undeliverable',
    });
  }
  return { kind: 'bounce', ticket: t, failed };
}

/** The BullMQ consumer of received mail. Failures other than our own coded refusals are retried. */
export function createInboundWorker(d: EmailInboundDeps, redis: Redis | Cluster, prefix: string, o: { concurrency?: number; onOutcome?: (o: InboundOutcome, jobId: string) => void } = {}): Worker<InboundMailJob> {
  const worker = new Worker<InboundMailJob>(
    EMAIL_INBOUND_QUEUE,
    async (job: Job<InboundMailJob>) => {
      let outcome: InboundOutcome;
      try {
        // After 5 tries (about 30 s) a reply stops waiting for its original and is handled as it is.
        const retry = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
        outcome = await processInboundMail(d, job.data, job.id ?? 'unknown', { waitForOriginal: job.attemptsMade < 5, retry });
      } catch (e) {
        if (isHelpdeskError(e) && !e.retryable) {
          d.stats.count('rejected', e.code);
          d.log.warn({ job: job.id, code: e.code, err: e.message }, 'email refused by the helpdesk');
          outcome = { kind: 'ignored', reason: e.code };
        } else throw e;
      }
      // The raw message is no longer needed once processed: keep Redis small.
      await job.updateData({ ...job.data, raw: '' }).catch(() => {});
      o.onOutcome?.(outcome, job.id ?? '');
      return outcome.kind === 'ignored' ? `ignored:${outcome.reason}` : outcome.kind;
    },
    // A message whose worker died is taken up again, not failed: it was acknowledged (250) already.
    { connection: redis, prefix, concurrency: o.concurrency ?? 5, maxStalledCount: 10 },
  );
  worker.on('failed', (job, err) => {
    if (err instanceof OriginalPendingError) return d.log.debug({ job: job?.id, err: err.message }, 'email reply waits for its original');
    if (err instanceof BusyElsewhere) return d.log.info({ job: job?.id, err: err.message }, 'email waits for an earlier attempt\'s lease');
    const final = job && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
    (final ? d.log.error : d.log.warn).call(d.log, { job: job?.id, err: err.message, attempts: job?.attemptsMade }, final ? 'email processing failed for good (kept in the failed set)' : 'email processing failed; will retry');
  });
  return worker;
}
