import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { PlatformError, type ChatPlatform, type PlatformCapabilities, type Posted, type PostTarget } from '../../core/ports/chat-platform.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { View } from '../../core/views/view.js';
import { oneLine } from './email.parse.js';
import { renderMail, type RenderContext } from './email.renderer.js';
import type { EmailStats } from './email.stats.js';
import type { MailTokens } from './email.tokens.js';
import type { MailTransport } from './email.transport.js';

/** What the email adapter keeps on a requester link (opaque to core). */
export interface EmailLinkData {
  /** The desk address the request was sent to: our From and the base of the signed Reply-To. */
  desk: string;
  /** Set when automatic mail (acknowledgements, notices, surveys) must not be sent: why. */
  noAuto?: string;
  /** Set when a bounce said the address does not accept mail. */
  undeliverable?: string;
}

/** Allows an automatic message to this address now? (Redis counter per sender and hour.) */
export type AutoReplyLimiter = (address: string) => Promise<boolean>;

export interface EmailPlatformOptions {
  store: TicketStore;
  directory: Directory;
  tokens: MailTokens;
  transport: MailTransport;
  limiter: AutoReplyLimiter;
  log: Logger;
  stats: EmailStats;
  rateUrl?: (ticket: Ticket, score: number) => string | undefined;
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

/**
 * The outbound side: every view becomes one multipart (text + HTML) message to the requester, threaded
 * with In-Reply-To/References under their original mail, with a signed Reply-To and Message-ID so their
 * answer finds the ticket. Automatic messages (everything but a person's relayed words) are never sent
 * to a sender whose mail was automatic, to an address that bounced, or beyond the per-sender rate limit.
 */
export class EmailPlatform implements ChatPlatform {
  readonly platform = 'email' as const;
  readonly capabilities: PlatformCapabilities = { ephemeral: false, reactions: false, threads: true, editMessages: false };

  constructor(private readonly o: EmailPlatformOptions) {}

  private defaultDeskAddress(): string | undefined {
    return this.o.directory.desks().find((d) => d.channels?.email?.address)?.channels?.email?.address;
  }

  async post(target: PostTarget, view: View): Promise<Posted> {
    const ticket = await this.o.store.findByLink({ platform: 'email', workspace: target.workspace, channel: target.channel, thread: target.thread });
    return this.send(target.channel, target.thread, (target.data ?? {}) as Partial<EmailLinkData>, view, ticket);
  }

  async dm(person: Identity, view: View): Promise<Posted> {
    return this.send(person.user, undefined, {}, view, null);
  }

  /**
   * Mail cannot be edited once sent (`editMessages: false`): an update of a sent message changes nothing.
   * A link that names no message is a caller's mistake: a permanent PlatformError, as on every platform.
   */
  async update(link: Link, _view: View): Promise<void> {
    if (!link.message) throw new PlatformError('email: update needs the message of a link', false);
  }

  private async send(to: string, thread: string | undefined, data: Partial<EmailLinkData>, view: View, ticket: Ticket | null): Promise<Posted> {
    const link = ticket?.links.find((l) => l.platform === 'email' && l.role === 'requester' && l.channel === to);
    const state = { ...data, ...((link?.data ?? {}) as Partial<EmailLinkData>) };
    const deskAddress = state.desk ?? (ticket ? this.o.directory.desk(ticket.deskId).channels?.email?.address : undefined) ?? this.defaultDeskAddress();
    const skipped = (reason: string): Posted => {
      this.o.stats.count('outbound_skipped', reason);
      this.o.log.info({ to, ticket: ticket?.number, view: view.kind, reason }, 'email not sent');
      return { channel: to, message: '', thread };
    };
    if (!deskAddress) return skipped('no_desk_address');
    if (state.undeliverable) return skipped('undeliverable');
    const automatic = view.kind !== 'relay';
    if (automatic && state.noAuto) return skipped('automatic_sender');
    if (automatic && !(await this.o.limiter(to))) return skipped('rate_limited');

    const desk = ticket ? this.o.directory.desk(ticket.deskId) : this.o.directory.desks().find((d) => d.channels?.email?.address === deskAddress);
    const locale = ticket?.locale ?? desk?.locale;
    const ctx: RenderContext = { locale, number: ticket?.number, rateUrl: ticket && this.o.rateUrl ? (n) => this.o.rateUrl!(ticket, n) : undefined };
    const { text, html } = renderMail(view, ctx);
    const domain = domainOf(deskAddress);
    const messageId = `<${this.o.tokens.messageId(domain, ticket?.id)}>`;
    const replyTo = ticket ? this.o.tokens.replyAddress(deskAddress, ticket.id) : deskAddress;
    const base = ticket ? `[${ticket.number}] ${oneLine(ticket.subject, 200)}` : oneLine(view.title ?? view.fallback, 200);
    const subject = thread ? `Re: ${base}` : base;
    const refs = thread ? `<${thread}>` : undefined;
    await this.o.transport.send({
      from: { name: oneLine(desk?.name ?? 'Helpdesk', 100), address: deskAddress },
      to,
      replyTo,
      subject,
      text,
      html,
      messageId,
      ...(refs ? { inReplyTo: refs, references: refs } : {}),
      // Bounces come back to the signed address, so they find the ticket (and open none).
      envelope: { from: replyTo, to },
      headers: automatic ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
    });
    this.o.stats.count('outbound_sent');
    return { channel: to, message: messageId.slice(1, -1), thread };
  }
}
