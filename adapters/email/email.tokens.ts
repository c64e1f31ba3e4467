import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed ticket references carried by mail: the reply address (`it+<token>@example.com`) and our
 * Message-IDs (`<rand.token@example.com>`). The token is `<ticketId>-<hmac>`: knowing a ticket number
 * (or id) is not enough to post into someone else's ticket; only a mail we sent carries a valid token.
 */
export class MailTokens {
  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('email signing secret: at least 32 characters');
  }

  private mac(ticketId: string): string {
    return createHmac('sha256', this.secret).update(`ticket:${ticketId}`).digest('hex').slice(0, 20);
  }

  /** `<ticketId>-<mac>`: lowercase hex and a dash, safe in a local part and in a Message-ID. */
  token(ticketId: string): string {
    return `${ticketId}-${this.mac(ticketId)}`;
  }

  /** The ticket id of a valid token, else undefined (constant-time comparison). */
  verify(token: string): string | undefined {
    if (token.length > 100) return undefined;
    const dash = token.lastIndexOf('-');
    if (dash <= 0) return undefined;
    const id = token.slice(0, dash).toLowerCase();
    const given = Buffer.from(token.slice(dash + 1).toLowerCase());
    const want = Buffer.from(this.mac(id));
    return given.length === want.length && timingSafeEqual(given, want) ? id : undefined;
  }

  /** `local+token@domain` for a desk address `local@domain`. */
  replyAddress(deskAddress: string, ticketId: string): string {
    const at = deskAddress.lastIndexOf('@');
    return `${deskAddress.slice(0, at)}+${this.token(ticketId)}${deskAddress.slice(at)}`;
  }

  /** A fresh Message-ID (without brackets) that names the ticket, signed. */
  messageId(domain: string, ticketId?: string): string {
    const r = randomBytes(9).toString('hex');
    return ticketId ? `${r}.${this.token(ticketId)}@${domain}` : `${r}@${domain}`;
  }

  /** The ticket named by one of our Message-IDs (`rand.token@domain`, brackets optional). */
  ticketOfMessageId(id: string): string | undefined {
    const bare = stripBrackets(id);
    const at = bare.indexOf('@');
    const local = at < 0 ? bare : bare.slice(0, at);
    const dot = local.indexOf('.');
    return dot < 0 ? undefined : this.verify(local.slice(dot + 1));
  }
}

export const stripBrackets = (id: string): string => {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t;
};

/** Splits `local+tag@domain` (lowercased) into base address and tag. */
export function splitAddress(address: string): { base: string; tag?: string; domain: string } | undefined {
  const a = address.trim().toLowerCase();
  if (a.length > 254) return undefined;
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1) return undefined;
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  const plus = local.indexOf('+');
  return plus < 0 ? { base: a, domain } : { base: `${local.slice(0, plus)}@${domain}`, tag: local.slice(plus + 1), domain };
}
