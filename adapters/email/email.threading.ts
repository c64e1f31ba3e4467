import { sameIdentity, type Identity } from '../../core/domain/identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { MailTokens } from './email.tokens.js';

/** The idempotency key (and thread anchor) of a ticket opened by mail: its Message-ID. */
export const mailKey = (messageId: string): string => `email:${messageId}`;

/** `IT-1042` from a subject containing `[IT-1042]` (first bracketed ticket number; string scan, bounded). */
export function subjectTicketNumber(subject: string): string | undefined {
  const s = subject.slice(0, 500);
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('[', i);
    if (open < 0) return undefined;
    const close = s.indexOf(']', open + 1);
    if (close < 0) return undefined;
    const inner = s.slice(open + 1, close).trim().toUpperCase();
    const dash = inner.indexOf('-');
    if (inner.length <= 24 && dash > 0) {
      const prefix = inner.slice(0, dash);
      const num = inner.slice(dash + 1);
      const okPrefix = [...prefix].every((c) => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && prefix[0]! >= 'A';
      const okNum = num.length > 0 && num.length <= 12 && [...num].every((c) => c >= '0' && c <= '9');
      if (okPrefix && okNum) return `${prefix}-${num}`;
    }
    i = open + 1;
  }
  return undefined;
}

export interface ThreadMatch {
  ticket: Ticket;
  by: 'signed-address' | 'signed-reference' | 'reference' | 'subject';
}

/**
 * Which ticket a received mail continues, if any. A signed reply address or one of our signed
 * Message-IDs in In-Reply-To/References is proof of having received our mail; the requester's own
 * earlier Message-ID or a `[IT-1042]` subject count only when the sender is the requester (a stranger
 * guessing a number opens a new ticket instead).
 */
export async function findThread(
  store: Pick<TicketStore, 'get' | 'getByNumber' | 'findByIdempotencyKey'>,
  tokens: MailTokens,
  mail: { tags: string[]; refs: string[]; subject: string; sender: Identity },
): Promise<ThreadMatch | undefined> {
  for (const tag of mail.tags) {
    const id = tokens.verify(tag);
    const t = id ? await store.get(id).catch(() => null) : null;
    if (t) return { ticket: t, by: 'signed-address' };
  }
  for (const ref of mail.refs) {
    const id = tokens.ticketOfMessageId(ref);
    const t = id ? await store.get(id).catch(() => null) : null;
    if (t) return { ticket: t, by: 'signed-reference' };
  }
  for (const ref of mail.refs.slice(0, 10)) {
    const t = await store.findByIdempotencyKey(mailKey(ref));
    if (t && sameIdentity(t.requester, mail.sender)) return { ticket: t, by: 'reference' };
  }
  const number = subjectTicketNumber(mail.subject);
  if (number) {
    const t = await store.getByNumber(number);
    if (t && sameIdentity(t.requester, mail.sender)) return { ticket: t, by: 'subject' };
  }
  return undefined;
}
