import { ComponentType, InteractionResponseType, TextInputStyle } from 'discord.js';
import { tierOf, type Desk } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { subjectFrom, type Ticket } from '../../core/domain/ticket.js';
import type { HandleResult } from '../../core/helpdesk.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import { translator } from '../../core/i18n/index.js';
import { suggestionsView } from '../../core/views/ticket-views.js';
import { HELP_MODAL_ID, MODAL_DETAILS, MODAL_SUBJECT } from './discord.custom-id.js';
import { PLATFORM, type DiscordInboundDeps } from './discord.inbound-context.js';
import { DiscordThreadLimitError } from './discord.platform.js';
import { unlessHeldElsewhere } from '../shared/intake.js';
import { renderView } from './discord.renderer.js';
import type { InteractionReplies, Ix } from './discord.replies.js';

/** A request to record: who asked, what, where, and the key that makes filing it idempotent. */
export interface FilingRequest {
  requester: Identity;
  text: string;
  subject?: string;
  channelId: string;
  key: string;
  skipSuggestions?: boolean;
  locale?: string;
  /** A durable intake tries again: a request whose claim an earlier attempt still holds is thrown back (BusyElsewhere). */
  retry?: boolean;
}

/** What filing produced: the ticket, whether this call created it, suggestions, and whether threads were over the cap. */
export interface Filed {
  ticket: Ticket;
  created: boolean;
  suggestions: Extract<HandleResult, { kind: 'opened' }>['suggestions'];
  limited: boolean;
  desk: Desk;
}

/**
 * Filing requests, whichever way they come (/help, the help modal behind it and the panel button,
 * "Create ticket" on a message, the file-ticket reaction): the private ticket thread, the ticket,
 * and the answer to the person who asked.
 */
export class DiscordIntake {
  constructor(
    private readonly d: DiscordInboundDeps,
    private readonly replies: InteractionReplies,
  ) {}

  /** Records a request from an interaction and answers it (suggestions, or where to follow the ticket). */
  async openHelp(ix: Ix, req: Omit<FilingRequest, 'locale' | 'retry'>): Promise<void> {
    const filed = await this.fileRequest({ ...req, locale: ix.locale, retry: ix.retry });
    if (!filed) return;
    const { ticket: t, suggestions, limited, desk } = filed;
    const tr = translator(ix.locale, desk.locale);
    if (suggestions.length && t.status === 'new') {
      const view = suggestionsView(t, suggestions, ix.locale);
      if (limited) view.text = `${tr('error.thread_limit')}\n${view.text ?? ''}`;
      return this.replies.editOriginal(ix, renderView(view).body);
    }
    const lines = [this.receivedText(t, ix.locale, desk, 'intake.received')];
    if (limited) lines.unshift(tr('error.thread_limit'));
    await this.replies.editOriginal(ix, this.replies.plain(lines.join('\n')));
  }

  /**
   * Records a request: private thread first (so core's notices land there), then the ticket.
   * Idempotent by `key`: a second call for the same key returns the same ticket and opens no thread.
   */
  async fileRequest(req: FilingRequest): Promise<Filed | undefined> {
    const guildId = req.requester.workspace;
    const desk = this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: req.channelId });
    // A request core would refuse opens no thread (it would stay open and orphaned).
    this.d.helpdesk.checkRequest({ text: req.text, ...(req.subject ? { subject: req.subject } : {}) });
    const existing = await this.d.helpdesk.requestFiled(req.key);
    let requesterLink: Omit<Link, 'role'> | undefined;
    let limited = false;
    const support = existing ? undefined : supportChannel(desk, guildId);
    if (support) {
      try {
        const posted = await this.d.platform.openTicketThread({ workspace: guildId, channel: support }, subjectFrom(req.subject || req.text), [req.requester]);
        requesterLink = { platform: PLATFORM, workspace: guildId, channel: posted.channel, data: posted.data };
      } catch (e) {
        if (!(e instanceof DiscordThreadLimitError)) throw e;
        // Over the guild's active-thread cap: the ticket still opens; core falls back to a DM.
        limited = true;
        this.d.log.warn({ guildId, desk: desk.id }, 'discord active thread limit reached; ticket continues in DMs');
      }
    }
    const r = await this.handleRequest(requesterLink, req.retry, {
      type: 'help.request',
      eventId: req.key,
      request: {
        idempotencyKey: req.key,
        requester: req.requester,
        locale: req.locale,
        text: req.text,
        subject: req.subject,
        origin: { platform: PLATFORM, workspace: guildId, channel: req.channelId },
        requesterLink,
        deskId: desk.id,
        skipSuggestions: req.skipSuggestions,
      },
    });
    if (r.kind !== 'opened') return undefined;
    const t = r.ticket;
    if (requesterLink) {
      if (r.created) {
        await this.d.platform.rename(requesterLink.channel, `${t.number} · ${t.subject}`).catch((err: unknown) => this.d.log.warn({ err }, 'thread rename failed'));
      } else {
        await this.d.platform.archive(requesterLink.channel).catch(() => {}); // lost a race: drop the spare thread
      }
    }
    return { ticket: t, created: r.created, suggestions: r.suggestions, limited, desk };
  }

  /**
   * Core's answer to the request. When it failed, was thrown back because an earlier attempt still
   * holds its claim (`retry`: BusyElsewhere, tried again after the lease), or found no ticket, the
   * thread made for it is archived rather than left open and orphaned — unless the stored ticket is
   * linked to it (the retry finishes the request there).
   */
  private async handleRequest(thread: Omit<Link, 'role'> | undefined, retry: boolean | undefined, e: Extract<InboundEvent, { type: 'help.request' }>): Promise<HandleResult> {
    let r: HandleResult;
    try {
      r = unlessHeldElsewhere(await this.d.helpdesk.handle(e), retry, `help request ${e.request.idempotencyKey}`);
    } catch (err) {
      await this.dropSpareThread(thread, e.request.idempotencyKey);
      throw err;
    }
    if (r.kind !== 'opened') await this.dropSpareThread(thread, e.request.idempotencyKey);
    return r;
  }

  private async dropSpareThread(thread: Omit<Link, 'role'> | undefined, key: string): Promise<void> {
    if (!thread) return;
    const stored = await this.d.helpdesk.requestFiled(key).catch(() => null);
    if (stored?.links.some((l) => l.role === 'requester' && l.platform === PLATFORM && l.channel === thread.channel)) return;
    await this.d.platform.archive(thread.channel).catch((e2: unknown) => this.d.log.warn({ err: e2 }, 'could not archive the thread of a request not filed here'));
  }

  /** "Thanks! IT-12 is recorded. Follow IT-12 in #thread." */
  receivedText(t: Ticket, locale: string | undefined, desk: Desk, key: string): string {
    const tr = translator(locale, desk.locale);
    const thread = t.links.find((l) => l.platform === PLATFORM && l.role === 'requester' && l.data?.kind === 'ticket_thread');
    const first = tr(key, { number: t.number, desk: desk.name }) as string;
    return thread ? `${first}\n${tr('discord.in_thread', { number: t.number, thread: `<#${thread.channel}>` })}` : first;
  }

  /** The help form (/help without text, or the panel's button); its submission files the request. */
  async showHelpModal(ix: Ix): Promise<void> {
    const tr = translator(ix.locale);
    await this.replies.respond(ix, InteractionResponseType.Modal, {
      custom_id: HELP_MODAL_ID,
      title: tr('intake.modal_title'),
      components: [
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: MODAL_SUBJECT, label: tr('intake.subject'), style: TextInputStyle.Short, required: true, max_length: 120 }] },
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: MODAL_DETAILS, label: tr('intake.details'), style: TextInputStyle.Paragraph, required: false, max_length: 4000 }] },
      ],
    });
    ix.ack = 'reply';
  }
}

/**
 * Where ticket threads go: the desk's Discord intake channel in this guild (customers must be able
 * to see the parent channel of a private thread), else the tier-1 Discord channel.
 */
export function supportChannel(desk: Desk, guildId: string): string | undefined {
  const intake = desk.intake.find((i) => i.platform === PLATFORM && i.workspace === guildId && i.channel);
  if (intake?.channel) return intake.channel;
  const t1 = tierOf(desk, 1)?.channels.discord;
  return t1 && (t1.workspace === guildId || t1.workspace === '*') ? t1.channel : undefined;
}
