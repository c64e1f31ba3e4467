import {
  ChannelType,
  ComponentType,
  InteractionResponseType,
  TextInputStyle,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  type PartialUser,
  type REST,
  type User,
} from 'discord.js';
import { tierOf, type Desk } from '../../core/domain/desk.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent, TicketRefInput } from '../../core/domain/inbound.js';
import type { Link } from '../../core/domain/link.js';
import { subjectFrom, type Ticket } from '../../core/domain/ticket.js';
import type { HandleResult, Helpdesk } from '../../core/helpdesk.js';
import { listMacros } from '../../core/use-cases/apply-macro.js';
import { translator } from '../../core/i18n/index.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { LinkLocation, TicketStore } from '../../core/ports/ticket-store.port.js';
import { noticeView, suggestionsView, ticketCard, ticketListView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { CMD_HELP, CMD_TICKET, OPT_NAME, OPT_TEXT, OPT_TICKET, SUB_CLOSE, SUB_MACRO, SUB_MINE, SUB_PENDING, SUB_STATUS } from './discord.commands.js';
import { ESCALATE_MODAL_PREFIX, HELP_MODAL_ID, MODAL_DETAILS, MODAL_REASON, MODAL_SUBJECT, PANEL_ID, decodeCustomId } from './discord.custom-id.js';
import { emojiMatches } from './discord.emoji.js';
import { DiscordThreadLimitError, type DiscordPlatform } from './discord.platform.js';
import { renderView } from './discord.renderer.js';
import { InteractionReplies, type Ix } from './discord.replies.js';

export interface DiscordInboundDeps {
  helpdesk: Helpdesk;
  directory: Directory;
  store: TicketStore;
  platform: DiscordPlatform;
  rest: REST;
  applicationId: string;
  /** Guilds this bot serves; DMs are attributed to the first guild where the person has a ticket. */
  guildIds: readonly string[];
  log: Logger;
}

const PLATFORM = 'discord' as const;

/**
 * Turns Discord interactions, thread messages and reactions into core InboundEvents. Every
 * interaction is acknowledged first (a deferral is one quick REST call), then worked on, so the
 * 3-second window is never at the mercy of the database or the KB.
 */
export class DiscordInbound {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly replies: InteractionReplies;

  constructor(private readonly d: DiscordInboundDeps) {
    this.replies = new InteractionReplies(d);
  }

  attach(client: Client): void {
    client.on('interactionCreate', (ix) => this.track(this.onInteraction(ix)));
    client.on('messageCreate', (m) => this.track(this.onMessage(m, client.user?.id)));
    client.on('messageReactionAdd', (r, u) => this.track(this.onReaction(r, u, client.user?.id)));
  }

  /**
   * Resolves once the handlers of every event received so far have finished (graceful shutdown;
   * tests use it to assert that something did *not* happen without sleeping).
   */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  // ---------------------------------------------------------------- interactions

  async onInteraction(interaction: Interaction): Promise<void> {
    const ix: Ix = { id: interaction.id, token: interaction.token, locale: interaction.locale, ack: 'none' };
    // Suggestions while typing: answered on every keystroke, never an error message.
    if (interaction.isAutocomplete()) return this.autocomplete(ix, interaction);
    try {
      // Gateway replays of the same interaction do nothing (and could not answer again anyway).
      if (!(await this.d.helpdesk.deps.idempotency.firstTime(`discord:interaction:${interaction.id}`))) return;
      const who = this.identity(interaction.user, interaction.guildId ?? this.d.guildIds[0] ?? '');
      if (interaction.isChatInputCommand()) {
        if (interaction.commandName === CMD_HELP) {
          const text = interaction.options.getString(OPT_TEXT)?.trim();
          if (!text) return await this.showHelpModal(ix);
          await this.replies.deferReply(ix);
          return await this.openHelp(ix, { requester: who, text, channelId: interaction.channelId, key: `discord:${interaction.id}` });
        }
        if (interaction.commandName === CMD_TICKET) {
          await this.replies.deferReply(ix);
          return await this.ticketCommand(ix, interaction, who);
        }
        return await this.replies.ackUpdateOrNothing(ix);
      }
      if (interaction.isMessageContextMenuCommand()) {
        const target = interaction.targetMessage;
        if (target.author.bot) throw new HelpdeskError('INPUT.INVALID', 'cannot file a ticket on a bot message', { detail: 'bot message' });
        await this.replies.deferReply(ix);
        const author = this.identity(target.author, interaction.guildId ?? '');
        // Filing on someone else's message: they did not ask the bot, so no suggestions for them.
        return await this.openHelp(ix, {
          requester: author,
          text: target.content,
          channelId: interaction.channelId,
          key: `discord:msg:${target.id}`,
          skipSuggestions: author.user !== who.user,
        });
      }
      if (interaction.isModalSubmit()) {
        if (interaction.customId.startsWith(ESCALATE_MODAL_PREFIX)) {
          // Opened from the card's button: acknowledge as an update; the notifier edits the card.
          await this.replies.ackUpdateOrNothing(ix);
          // `<ticketId>[:<tier the card showed>]`: two modals from one card escalate once.
          const [ticketId = '', tierText] = interaction.customId.slice(ESCALATE_MODAL_PREFIX.length).split(':');
          const tier = Number(tierText);
          const actor = interaction.guildId ? who : await this.dmIdentity(interaction.user, ticketId);
          const reason = interaction.fields.getTextInputValue(MODAL_REASON)?.trim() ?? '';
          await this.handleTicket({ type: 'ticket.escalate', eventId: interaction.id, actor, ticket: { id: ticketId }, ...(reason ? { reason } : {}), ...(Number.isInteger(tier) && tier > 0 ? { expectTier: tier } : {}) });
          return;
        }
        if (interaction.customId !== HELP_MODAL_ID) return await this.replies.ackUpdateOrNothing(ix);
        await this.replies.deferReply(ix);
        const subject = interaction.fields.getTextInputValue(MODAL_SUBJECT).trim();
        const details = interaction.fields.getTextInputValue(MODAL_DETAILS)?.trim() ?? '';
        return await this.openHelp(ix, { requester: who, subject, text: details || subject, channelId: interaction.channelId ?? '', key: `discord:${interaction.id}` });
      }
      if (interaction.isButton() || interaction.isStringSelectMenu()) {
        if (interaction.customId === PANEL_ID) return await this.showHelpModal(ix);
        const a = decodeCustomId(interaction.customId);
        if (!a) return await this.replies.ackUpdateOrNothing(ix);
        // Escalate asks for an (optional) reason first; the modal's submission does the escalation.
        if (a.action === 'escalate') return await this.showEscalateModal(ix, a.arg ? `${a.ticketId}:${a.arg}` : a.ticketId);
        await this.replies.respond(ix, InteractionResponseType.DeferredMessageUpdate);
        ix.ack = 'update';
        const ticket: TicketRefInput = { id: a.ticketId };
        const actor = interaction.guildId ? who : await this.dmIdentity(interaction.user, a.ticketId);
        const base = { eventId: interaction.id, actor, ticket };
        switch (a.action) {
          case 'solved': {
            const r = await this.handleTicket({ type: 'deflection.solved', ...base, articleId: a.arg ?? '' });
            if (r) await this.replies.editOriginal(ix, this.replies.plain(translator(ix.locale)('intake.self_served', { number: r.number })));
            return;
          }
          case 'need_help': {
            const r = await this.handleTicket({ type: 'deflection.need_help', ...base });
            if (r) await this.replies.editOriginal(ix, this.replies.plain(this.receivedText(r, ix.locale, this.desk(r), 'intake.routed')));
            return;
          }
          case 'rate': {
            const r = await this.handleTicket({ type: 'ticket.rate', ...base, score: Number(a.arg) });
            if (r) await this.replies.editOriginal(ix, this.replies.plain(translator(ix.locale)('csat.thanks', { number: r.number, score: a.arg })));
            return;
          }
          case 'priority': {
            const value = interaction.isStringSelectMenu() ? interaction.values[0] : a.arg;
            await this.handleTicket({ type: 'ticket.set_priority', ...base, priority: value ?? '' });
            return;
          }
          case 'claim':
          case 'unclaim':
          case 'resolve':
          case 'reopen':
            // The notifier edits the card in place; nothing else to say here.
            await this.handleTicket({ type: `ticket.${a.action}`, ...base });
            return;
          default:
            return;
        }
      }
      if (interaction.isRepliable()) await this.replies.ackUpdateOrNothing(ix);
    } catch (err) {
      await this.replies.fail(ix, err);
    }
  }

  private async handleTicket(e: InboundEvent): Promise<Ticket | undefined> {
    const r = await this.d.helpdesk.handle(e);
    return r.kind === 'ticket' ? r.ticket : undefined;
  }

  /** Records a request from an interaction and answers it (suggestions, or where to follow the ticket). */
  private async openHelp(
    ix: Ix,
    req: { requester: Identity; text: string; subject?: string; channelId: string; key: string; skipSuggestions?: boolean },
  ): Promise<void> {
    const filed = await this.fileRequest({ ...req, locale: ix.locale });
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
  private async fileRequest(req: {
    requester: Identity;
    text: string;
    subject?: string;
    channelId: string;
    key: string;
    skipSuggestions?: boolean;
    locale?: string;
  }): Promise<{ ticket: Ticket; created: boolean; suggestions: Extract<HandleResult, { kind: 'opened' }>['suggestions']; limited: boolean; desk: Desk } | undefined> {
    const guildId = req.requester.workspace;
    const desk = this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: req.channelId });
    const existing = await this.d.store.findByIdempotencyKey(req.key);
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
    const r = await this.d.helpdesk.handle({
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

  /** "Thanks! IT-12 is recorded. Follow IT-12 in #thread." */
  private receivedText(t: Ticket, locale: string | undefined, desk: Desk, key: string): string {
    const tr = translator(locale, desk.locale);
    const thread = t.links.find((l) => l.platform === PLATFORM && l.role === 'requester' && l.data?.kind === 'ticket_thread');
    const first = tr(key, { number: t.number, desk: desk.name }) as string;
    return thread ? `${first}\n${tr('discord.in_thread', { number: t.number, thread: `<#${thread.channel}>` })}` : first;
  }

  private async ticketCommand(ix: Ix, interaction: ChatInputCommandInteraction, who: Identity): Promise<void> {
    const tr = translator(ix.locale);
    const sub = interaction.options.getSubcommand();
    const number = interaction.options.getString(OPT_TICKET) ?? undefined;
    if (sub === SUB_MINE) {
      const r = await this.d.helpdesk.handle({ type: 'query.mine', eventId: ix.id, actor: who });
      const tickets = r.kind === 'tickets' ? r.tickets : [];
      return this.replies.editOriginal(ix, renderView(ticketListView(tr('list.mine_title'), tickets, ix.locale)).body);
    }
    const ref = await this.ticketRef(number, who.workspace, interaction.channelId, interaction.client);
    if (sub === SUB_STATUS) {
      const r = await this.d.helpdesk.handle({ type: 'query.status', eventId: ix.id, actor: who, ticket: ref });
      if (r.kind !== 'ticket') return;
      // The requester's view of the card: no agent buttons.
      const view: View = { ...ticketCard(r.ticket, this.desk(r.ticket), ix.locale), actions: [], select: undefined };
      return this.replies.editOriginal(ix, renderView(view).body);
    }
    if (sub === SUB_CLOSE) {
      const r = await this.d.helpdesk.handle({ type: 'ticket.close', eventId: ix.id, actor: who, ticket: ref });
      const t = r.kind === 'ticket' ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('notify.closed', { number: t?.number ?? number ?? '' })));
    }
    if (sub === SUB_MACRO) {
      const name = interaction.options.getString(OPT_NAME, true);
      // No `at`: a slash command leaves no message of the agent's in this channel, so the relay
      // must reach every place of the ticket, this one included (core skips only `at`).
      const r = await this.d.helpdesk.handle({ type: 'ticket.macro', eventId: ix.id, actor: who, ticket: ref, name });
      const t = r.kind === 'message' && r.recorded ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('macro.sent', { name, number: t?.number ?? number ?? '' })));
    }
    if (sub === SUB_PENDING) {
      const r = await this.d.helpdesk.handle({ type: 'ticket.pend', eventId: ix.id, actor: who, ticket: ref });
      const t = r.kind === 'ticket' ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('macro.pended', { number: t?.number ?? number ?? '' })));
    }
  }

  /** A typed number, else the ticket whose thread (ticket thread, or thread under its card) the command was used in. */
  private async ticketRef(number: string | undefined, guildId: string, channelId: string, client: Client): Promise<TicketRefInput> {
    if (number?.trim()) return { number: number.trim() };
    const t = await this.ticketAt(guildId, channelId, client);
    if (t) return { id: t.id };
    throw new HelpdeskError('INPUT.INVALID', 'no ticket given outside a ticket thread', { detail: translator(undefined)('discord.cmd_ticket_opt') as string });
  }

  private async ticketAt(guildId: string, channelId: string, client: Client): Promise<Ticket | null> {
    const t = await this.d.store.findByLink({ platform: PLATFORM, workspace: guildId, channel: channelId });
    if (t) return t;
    const ch = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
    const parentId = ch?.isThread() ? ch.parentId : null;
    return parentId ? this.d.store.findByLink({ platform: PLATFORM, workspace: guildId, channel: parentId, thread: channelId }) : null;
  }

  /**
   * `/ticket macro name:` suggestions: the macro names of the ticket's desk (typed ticket, or the
   * thread's), else of the channel's desk. Only agents get names; any failure answers no choices.
   */
  private async autocomplete(ix: Ix, interaction: AutocompleteInteraction): Promise<void> {
    let choices: Array<{ name: string; value: string }> = [];
    try {
      const focused = interaction.options.getFocused(true);
      const guildId = interaction.guildId ?? this.d.guildIds[0] ?? '';
      const who = this.identity(interaction.user, guildId);
      if (focused.name === OPT_NAME && (await this.d.directory.agentByIdentity(who))) {
        const number = interaction.options.getString(OPT_TICKET)?.trim();
        const t = number ? await this.d.store.getByNumber(number) : await this.ticketAt(guildId, interaction.channelId, interaction.client);
        const desk = t ? this.desk(t) : this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: interaction.channelId });
        const q = String(focused.value).trim().toLowerCase();
        choices = listMacros(desk)
          .filter((n) => n.toLowerCase().includes(q))
          .slice(0, 25) // Discord's maximum
          .map((n) => ({ name: n.slice(0, 100), value: n.slice(0, 100) }));
      }
    } catch (err) {
      this.d.log.warn({ err }, 'discord macro autocomplete failed');
    }
    await this.replies.respond(ix, InteractionResponseType.ApplicationCommandAutocompleteResult, { choices }).catch((err: unknown) => this.d.log.warn({ err }, 'could not answer autocomplete'));
  }

  /** `target` is `<ticketId>[:<tier the card showed>]`, carried through the modal's custom id. */
  private async showEscalateModal(ix: Ix, target: string): Promise<void> {
    const tr = translator(ix.locale);
    await this.replies.respond(ix, InteractionResponseType.Modal, {
      custom_id: `${ESCALATE_MODAL_PREFIX}${target}`,
      title: tr('discord.escalate_title'),
      components: [
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: MODAL_REASON, label: tr('discord.escalate_reason'), style: TextInputStyle.Paragraph, required: false, max_length: 500 }] },
      ],
    });
    ix.ack = 'reply';
  }

  private async showHelpModal(ix: Ix): Promise<void> {
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

  // ---------------------------------------------------------------- messages and reactions

  async onMessage(m: Message, botId: string | undefined): Promise<void> {
    // Our own posts (cards, relays) and other bots never count as conversation.
    if (m.author.bot || m.webhookId || m.system || m.author.id === botId) return;
    const text = [m.content, ...m.attachments.map((a) => a.url)].join('\n').trim();
    if (!text) return;
    try {
      const found = await this.locate(m);
      if (!found) return;
      const { ticket, at } = found;
      const actor = this.identity(m.author, at.workspace);
      const r = await this.d.helpdesk.handle({ type: 'ticket.message', eventId: m.id, actor, at, text, messageId: m.id });
      if (r.kind !== 'message' || !r.recorded) return;
      // An agent's internal note typed in the requester's own thread must not stay visible there:
      // core relays it to the agents' places; remove the original from the requester's thread.
      const desk = this.desk(ticket);
      const inRequesterThread = ticket.links.some((l) => l.role === 'requester' && l.platform === PLATFORM && l.channel === m.channelId);
      if (inRequesterThread && desk.notePrefix && text.toLowerCase().startsWith(desk.notePrefix.toLowerCase())) {
        const agent = await this.d.directory.agentByIdentity(actor);
        if (agent?.desks.some((x) => x.desk === desk.id)) {
          await this.d.platform.deleteMessage(m.channelId, m.id).catch((err: unknown) => this.d.log.warn({ err }, 'could not remove internal note from requester thread'));
        }
      }
    } catch (err) {
      await this.replies.replyInChannel(m.channelId, err);
    }
  }

  /** The ticket a message belongs to: a private ticket thread, a thread under a card, or a DM link. */
  private async locate(m: Message): Promise<{ ticket: Ticket; at: LinkLocation } | null> {
    const store = this.d.store;
    if (!m.guildId) {
      for (const workspace of this.d.guildIds) {
        const at = { platform: PLATFORM, workspace, channel: m.channelId };
        const t = await store.findByLink(at);
        if (t) return { ticket: t, at };
      }
      return null;
    }
    const at: LinkLocation = { platform: PLATFORM, workspace: m.guildId, channel: m.channelId };
    const t = await store.findByLink(at);
    if (t) return { ticket: t, at };
    let parentId = m.channel.isThread() ? m.channel.parentId : null;
    if (!parentId && m.channel.partial) {
      const ch = await m.client.channels.fetch(m.channelId).catch(() => null);
      parentId = ch?.isThread() ? ch.parentId : null;
    }
    if (!parentId) return null;
    const underCard: LinkLocation = { platform: PLATFORM, workspace: m.guildId, channel: parentId, thread: m.channelId };
    const t2 = await store.findByLink(underCard);
    return t2 ? { ticket: t2, at: underCard } : null;
  }

  async onReaction(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, botId: string | undefined): Promise<void> {
    if (user.bot || user.id === botId) return;
    const msg: Message | PartialMessage = reaction.message;
    if (!msg.guildId) return;
    const who = this.identity(user, msg.guildId);
    const emoji = reaction.emoji.name ?? '';
    try {
      // On a triage card (anchor = the card's message id) only the claim reaction means something.
      const t = await this.d.store.findByLink({ platform: PLATFORM, workspace: msg.guildId, channel: msg.channelId, thread: msg.id });
      if (t && t.links.some((l) => l.role === 'triage' && l.message === msg.id)) {
        if (!emojiMatches(emoji, this.desk(t).reactions.claim)) return;
        await this.d.helpdesk.handle({ type: 'ticket.claim', eventId: `reaction:${msg.id}:${user.id}:${emoji}`, actor: who, ticket: { id: t.id } });
        return;
      }
      await this.fileByReaction(msg, msg.guildId, who, emoji);
    } catch (err) {
      // No interaction to answer: tell the person privately.
      const view = this.replies.errorFor(err, undefined);
      await this.d.platform.dm(who, view).catch((e: unknown) => this.d.log.warn({ err: e }, 'could not DM reaction refusal'));
    }
  }

  /**
   * The desk's `fileTicket` reaction on a person's message in a watched channel files that message
   * as a ticket for its author, like "Create ticket" (same key `discord:msg:<id>`: one ticket per
   * message whichever way and however often it is filed). Anyone may react, as on Slack; the author
   * did not ask the bot, so there are no suggestions: straight to the desk.
   */
  private async fileByReaction(partial: Message | PartialMessage, guildId: string, who: Identity, emoji: string): Promise<void> {
    // Agents' channels are not intake: a 🎫 there is chatter (claiming uses the card's reaction).
    if (this.d.directory.tierChannel({ platform: PLATFORM, workspace: guildId, channel: partial.channelId })) return;
    const desk = this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: partial.channelId });
    if (!emojiMatches(emoji, desk.reactions.fileTicket) || !this.watched(guildId, partial)) return;
    // The same reaction dispatched twice (gateway replay) does nothing twice.
    if (!(await this.d.helpdesk.deps.idempotency.firstTime(`discord:reaction-file:${partial.id}:${who.user}:${emoji}`))) return;
    const m = partial.partial ? await partial.fetch() : partial;
    if (m.author.bot || m.webhookId || m.system) return;
    const text = [m.content, ...m.attachments.map((a) => a.url)].join('\n').trim();
    if (!text) return;
    const requester = this.identity(m.author, guildId);
    const filed = await this.fileRequest({ requester, text, channelId: m.channelId, key: `discord:msg:${m.id}`, skipSuggestions: true });
    if (!filed?.created) return;
    // Said where the reaction was made (no ephemeral outside interactions); `<@id>` names without pinging.
    const tr = translator(undefined, filed.desk.locale);
    const line = tr('discord.filed', { number: filed.ticket.number, author: `<@${requester.user}>` }) as string;
    const rendered = renderView(noticeView(filed.limited ? `${tr('error.thread_limit')}\n${line}` : line));
    await this.d.platform
      .send(m.channelId, { ...rendered, body: { ...rendered.body, message_reference: { message_id: m.id, fail_if_not_exists: false } } })
      .catch((err: unknown) => this.d.log.warn({ err }, 'could not confirm a filed message'));
  }

  /** The desk's Discord intake channels in this guild; with none configured, any guild text channel (not threads). */
  private watched(guildId: string, m: Message | PartialMessage): boolean {
    const intake = this.d.directory.desks().flatMap((k) => k.intake.filter((i) => i.platform === PLATFORM && i.workspace === guildId && i.channel));
    if (intake.length) return intake.some((i) => i.channel === m.channelId);
    const type = m.client.channels.cache.get(m.channelId)?.type;
    return type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement;
  }

  // ---------------------------------------------------------------- helpers

  private identity(u: User | PartialUser, workspace: string): Identity {
    const name = u.globalName ?? u.username ?? undefined;
    return { platform: PLATFORM, workspace, user: u.id, ...(name ? { name } : {}) };
  }

  /** Buttons in a DM (fallback conversation) carry no guild: use the guild of the person's identity on the ticket. */
  private async dmIdentity(u: User, ticketId: string): Promise<Identity> {
    const t = await this.d.store.get(ticketId);
    const ws = t?.requester.platform === PLATFORM && t.requester.user === u.id ? t.requester.workspace : (t?.links.find((l) => l.platform === PLATFORM)?.workspace ?? this.d.guildIds[0] ?? '');
    return this.identity(u, ws);
  }

  private desk(t: Ticket): Desk {
    return this.d.directory.desk(t.deskId);
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
