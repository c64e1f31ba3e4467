import { z } from 'zod';
import { HelpdeskError, isHelpdeskError } from '../../../core/domain/errors.js';
import { sameIdentity, type Identity } from '../../../core/domain/identity.js';
import type { Ticket } from '../../../core/domain/ticket.js';
import type { Helpdesk } from '../../../core/helpdesk.js';
import type { WebStreamEvent } from '../web.platform.js';
import type { IntakeEnvelope } from '../../shared/intake.js';
import { chatText } from './chat.i18n.js';
import type { ChatStream } from './chat-stream.js';
import { actionBody, clientId, conversationId, MAX_VISITOR_TEXT } from './chat.schemas.js';

/**
 * The web chat's writes (a new conversation, a message, an action), as one function each that runs
 * either in the HTTP request (no intake configured) or in an intake worker on the request recorded
 * by the edge (docs/storm.md): the browser then got `202` and sees the outcome over its SSE stream.
 */

const identity = z.object({ platform: z.string().min(1).max(40), workspace: z.string().min(1).max(200), user: z.string().min(1).max(200), name: z.string().max(400).optional() });
const base = { desk: z.string().min(1).max(200), who: identity, name: z.string().max(400), conv: conversationId, clientId };

/** A recorded web request (the envelope's payload), validated again when taken off the queue. */
export const webRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('open'), ...base, text: z.string().min(1).max(MAX_VISITOR_TEXT), lang: z.string().max(35), solvedArticleId: z.string().min(1).max(200).optional() }).strict(),
  z.object({ op: z.literal('message'), ...base, text: z.string().min(1).max(MAX_VISITOR_TEXT) }).strict(),
  z.object({ op: z.literal('action'), ...base, action: actionBody }).strict(),
]);
export type WebRequest = z.infer<typeof webRequest>;

export const webRequestKey = (r: Pick<WebRequest, 'op' | 'who' | 'clientId'>): string => `web:${r.op}:${r.who.workspace}:${r.who.user}:${r.clientId}`;

const conversationOf = (t: Ticket) => t.links.find((l) => l.platform === 'web' && l.role === 'requester')?.channel;

/** What the browser may know about its conversation. */
export function summary(t: Ticket) {
  return {
    id: conversationOf(t),
    number: t.number,
    subject: t.subject,
    description: t.description.slice(0, 4000),
    status: t.status,
    rated: Boolean(t.csat),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
export type ConversationSummary = ReturnType<typeof summary>;

/** A conversation recorded by the intake and not opened yet: what the browser shows meanwhile. */
export function pendingSummary(conv: string, description: string) {
  const firstLine = description.split('\n', 1)[0] ?? '';
  return { id: conv, number: '', subject: firstLine.slice(0, 120), description: description.slice(0, 4000), status: 'new' as const, rated: false, pending: true };
}

export interface ChatWork {
  helpdesk: Helpdesk;
  stream: ChatStream;
  /** True through the intake: the outcome is also published on the conversation's stream. */
  announce: boolean;
}

const now = () => new Date().toISOString();

/** Opens (or finds again) the conversation; with "This solved it" records the deflection, else routes it to an agent. */
export async function openConversation(w: ChatWork, r: Extract<WebRequest, { op: 'open' }>): Promise<{ ticket: Ticket; created: boolean }> {
  const key = `web:${r.who.workspace}:${r.who.user}:${r.clientId}`;
  const place = { platform: 'web' as const, workspace: r.desk, channel: r.conv };
  const who = r.who as Identity;
  const opened = await w.helpdesk.handle({
    type: 'help.request',
    eventId: key,
    request: { idempotencyKey: key, requester: who, locale: r.lang, text: r.text, origin: place, requesterLink: place, deskId: r.desk },
  });
  if (opened.kind !== 'opened') throw new Error(`web conversation ${r.conv}: ${opened.kind === 'duplicate' ? 'claimed by an earlier attempt' : 'not opened'}`);
  // Through the intake, a request whose claim a killed attempt still holds may have stored its route
  // without announcing it (the person never told): retried after the lease, when the request's own
  // retry finishes the route (open-ticket → routeToTriage).
  if (opened.running && w.announce) throw new Error(`web conversation ${r.conv}: claimed by an earlier attempt; retried after its lease`);
  let ticket = opened.ticket;
  // The second step ("This solved it" or "I still need help") is an event of its own. It runs while
  // the ticket is new, and also when this is a retry of a request whose earlier attempt was killed
  // after storing its change (`lastEvent`, `…:route` or `…:self_serve`) but maybe before announcing it:
  // the use case finishes that (mutateTicket's retry path).
  const step = r.solvedArticleId ? `web:solved:${ticket.id}` : `web:needhelp:${ticket.id}`;
  if (ticket.status === 'new' || ticket.lastEvent?.startsWith(`${step}:`)) {
    const s = r.solvedArticleId
      ? await w.helpdesk.handle({ type: 'deflection.solved', eventId: step, actor: who, ticket: { id: ticket.id }, articleId: r.solvedArticleId })
      : await w.helpdesk.handle({ type: 'deflection.need_help', eventId: step, actor: who, ticket: { id: ticket.id } });
    // Through the intake, a step whose claim a killed attempt still holds is retried after its lease
    // (the intake's backoff outlasts it): skipping it would leave the person never told.
    if (s.kind === 'duplicate' && s.running && w.announce) throw new Error(`web conversation ${r.conv}: ${step} is held by an earlier attempt; retried after its lease`);
    if (s.kind === 'ticket') {
      ticket = s.ticket;
      if (r.solvedArticleId) await w.stream.append(r.conv, { type: 'message', msg: { kind: 'notice', text: chatText(r.lang, 'solved') }, at: now() } satisfies WebStreamEvent);
    }
  }
  if (w.announce) await w.stream.append(r.conv, { type: 'conversation', conversation: summary(ticket), at: now() } satisfies WebStreamEvent);
  return { ticket, created: opened.created };
}

/** The requester's ticket behind a recorded request's conversation; not there yet: retried (the open is queued before it). */
async function ticketOf(w: ChatWork, r: WebRequest): Promise<Ticket> {
  const t = await w.helpdesk.ticketAt({ platform: 'web', workspace: r.desk, channel: r.conv });
  if (!t) throw new Error(`web conversation ${r.conv} is not opened yet`);
  if (!sameIdentity(t.requester, r.who as Identity)) throw new HelpdeskError('TICKET.NOT_REQUESTER', 'not your conversation');
  return t;
}

/** A visitor's message; shown on the stream (with its client id, which confirms the browser's bubble). */
export async function postMessage(w: ChatWork, r: Extract<WebRequest, { op: 'message' }>, known?: Ticket): Promise<'recorded' | 'duplicate' | 'ignored'> {
  const t = known ?? (await ticketOf(w, r));
  const at = { platform: 'web' as const, workspace: t.deskId, channel: r.conv };
  const res = await w.helpdesk.handle({ type: 'ticket.message', eventId: `web:msg:${r.who.workspace}:${r.who.user}:${r.clientId}`, actor: r.who as Identity, at, text: r.text, messageId: r.clientId });
  if (res.kind === 'duplicate') return 'duplicate';
  if (res.kind === 'message' && res.recorded) {
    await w.stream.append(r.conv, { type: 'message', msg: { kind: 'mine', text: r.text, author: r.name }, at: now(), clientId: r.clientId } satisfies WebStreamEvent);
    return 'recorded';
  }
  return 'ignored';
}

/** Rate, reopen, "This solved it", "I still need help". */
export async function runAction(w: ChatWork, r: Extract<WebRequest, { op: 'action' }>, known?: Ticket): Promise<{ ticket: Ticket; duplicate: boolean }> {
  const t = known ?? (await ticketOf(w, r));
  const actor = r.who as Identity;
  const ref = { id: t.id };
  const eventId = `web:${r.action.action}:${actor.workspace}:${actor.user}:${r.clientId}`;
  const a = r.action;
  const res =
    a.action === 'rate'
      ? await w.helpdesk.handle({ type: 'ticket.rate', eventId, actor, ticket: ref, score: a.score, ...(a.comment ? { comment: a.comment } : {}) })
      : a.action === 'reopen'
        ? await w.helpdesk.handle({ type: 'ticket.reopen', eventId, actor, ticket: ref })
        : a.action === 'solved'
          ? await w.helpdesk.handle({ type: 'deflection.solved', eventId, actor, ticket: ref, articleId: a.articleId })
          : await w.helpdesk.handle({ type: 'deflection.need_help', eventId, actor, ticket: ref });
  if (res.kind === 'ticket' && a.action === 'rate') {
    await w.stream.append(r.conv, { type: 'message', msg: { kind: 'notice', text: chatText(t.locale, 'rated') }, at: now() } satisfies WebStreamEvent);
  }
  const ticket = res.kind === 'ticket' ? res.ticket : t;
  if (w.announce) await w.stream.append(r.conv, { type: 'conversation', conversation: summary(ticket), at: now() } satisfies WebStreamEvent);
  return { ticket, duplicate: res.kind === 'duplicate' };
}

/** The intake worker's handler for web requests. Coded refusals end the request (the browser was told 202; it sees no change). */
export async function replayWeb(w: ChatWork, e: IntakeEnvelope): Promise<void> {
  const parsed = webRequest.safeParse(e.payload);
  if (!parsed.success) throw new Error(`recorded web request ${e.id} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const r = parsed.data;
  try {
    if (r.op === 'open') await openConversation(w, r);
    else if (r.op === 'message') await postMessage(w, r);
    else await runAction(w, r);
  } catch (err) {
    if (isHelpdeskError(err)) {
      // Refused for good (reopen window passed, not an agent…): say so on the stream instead of retrying.
      await w.stream.append(r.conv, { type: 'message', msg: { kind: 'notice', text: err.message }, at: now() } satisfies WebStreamEvent);
      return;
    }
    throw err; // infrastructure: the intake retries with backoff
  }
}
