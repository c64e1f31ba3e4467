import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessageReaction,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
} from 'botbuilder';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import { ACTIVE_STATUSES, type Ticket } from '../../core/domain/ticket.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import { t, translator } from '../../core/i18n/index.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { HelpRequest } from '../../core/use-cases/open-ticket.js';
import { errorView, noticeView, suggestionsView, ticketCard, ticketListView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { runAgentCommand, isAgentCommand, type AgentCommand } from '../shared/agent-commands.js';
import { errorReply } from '../shared/reply-on-error.js';
import { parseTeamsCommand } from './teams.commands.js';
import { cardActionEvent, cleanText, conversationKind, eventIdOf, htmlToText, identityOf, mentionsBot, placeOf, tenantOf } from './teams.inbound.js';
import type { TeamsInstallStore } from './teams.installs.js';
import { threadedConversationId } from './teams.ids.js';
import type { TeamsPlatform } from './teams.platform.js';
import { parseCardAction, renderActivity, renderCard } from './teams.renderer.js';

export interface TeamsBotOptions {
  helpdesk: Helpdesk;
  directory: Directory;
  store: TicketStore;
  platform: TeamsPlatform;
  installs: TeamsInstallStore;
  /**
   * Reaction types that claim a ticket when added to its triage card.
   * @defaultValue `['like', '👀', 'eyes']` (Teams' 👍 and the desk-wide 👀)
   */
  claimReactions?: readonly string[];
  log: Logger;
}

const RELAY_STATUSES: readonly Ticket['status'][] = [...ACTIVE_STATUSES, 'new', 'resolved'];
const CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * The Teams turn logic: maps activities to core events, answers in the person's language
 * (`activity.locale`), and never lets a failure pass silently (coded errors become a short private
 * reply; anything else is logged with a reference the person also sees).
 */
export class TeamsHelpdeskBot extends TeamsActivityHandler {
  private readonly claimReactions: ReadonlySet<string>;

  constructor(private readonly o: TeamsBotOptions) {
    super();
    this.claimReactions = new Set(o.claimReactions ?? ['like', '👀', 'eyes']);
    this.onMessage(async (ctx, next) => {
      await this.guard(ctx, () => this.onText(ctx));
      await next();
    });
    this.onReactionsAdded(async (ctx, next) => {
      await this.guard(ctx, () => this.onReactions(ctx, ctx.activity.reactionsAdded ?? []));
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      await this.guard(ctx, () => this.onInstalled(ctx));
      await next();
    });
  }

  // ── messages ────────────────────────────────────────────────────────────────────────────────

  private async onText(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    // Loop protection: our own posts (relays, cards) never come back as input.
    if (a.from?.id === a.recipient?.id || a.from?.role === 'bot') return;
    const kind = conversationKind(a);
    const at = placeOf(a);
    const who = identityOf(a);
    const mentioned = mentionsBot(a);
    const text = cleanText(a);
    if (kind !== 'personal') {
      // A reply in a ticket's thread (a triage card's or the requester's) is conversation to relay.
      const linked = at.root ? null : await this.o.store.findByLink(at);
      if (linked) {
        // `@Helpdesk macro greeting IT-42` in a card thread is a command, not conversation.
        const cmd = mentioned ? parseTeamsCommand(text) : undefined;
        if (cmd && isAgentCommand(cmd)) return this.agentCommand(ctx, who, cmd);
        return this.relay(ctx, who, at, text);
      }
      // With RSC the bot sees every channel message: answer only what is addressed to it.
      if (!mentioned) return;
    }
    const cmd = parseTeamsCommand(text);
    switch (cmd.kind) {
      case 'usage':
        return void (await ctx.sendActivity(renderActivity(noticeView(`${t(a.locale, 'teams.usage')}\n\n${t(a.locale, 'teams.usage_agent')}`))));
      case 'macro':
      case 'macros':
      case 'pending':
        return this.agentCommand(ctx, who, cmd);
      case 'help':
        return this.request(ctx, who, cmd.text);
      case 'status':
        return this.status(ctx, who, cmd.ticket);
      case 'mine':
        return this.mine(ctx, who);
      case 'tickets':
        return this.queue(ctx, who);
      case 'text': {
        if (kind === 'personal') {
          const linked = await this.o.store.findByLink(at);
          if (linked && RELAY_STATUSES.includes(linked.status)) return this.relay(ctx, who, at, text);
          return this.request(ctx, who, text);
        }
        // `@Helpdesk <text>` in a channel without `help`: explain how to ask.
        return void (await ctx.sendActivity(renderActivity(noticeView(t(a.locale, 'teams.usage')))));
      }
    }
  }

  private async relay(ctx: TurnContext, who: Identity, at: ReturnType<typeof placeOf>, text: string): Promise<void> {
    const a = ctx.activity;
    await this.o.helpdesk.handle({ type: 'ticket.message', eventId: eventIdOf(a), actor: who, at: { platform: at.platform, workspace: at.workspace, channel: at.channel, thread: at.thread }, text, messageId: a.id });
  }

  private async request(ctx: TurnContext, who: Identity, text: string): Promise<void> {
    const a = ctx.activity;
    const at = placeOf(a);
    const personal = conversationKind(a) === 'personal';
    const ref = TurnContext.getConversationReference(a);
    if (!personal) ref.conversation = { ...ref.conversation!, id: threadedConversationId(at.channel, at.thread) };
    delete ref.activityId;
    const request: HelpRequest = {
      idempotencyKey: eventIdOf(a),
      requester: who,
      locale: a.locale,
      text,
      origin: { platform: 'teams', workspace: at.workspace, channel: at.channel },
      requesterLink: { platform: 'teams', workspace: at.workspace, channel: at.channel, ...(personal ? {} : { thread: at.thread }), data: { ref } },
    };
    const r = await this.o.helpdesk.handle({ type: 'help.request', eventId: eventIdOf(a), request });
    if (r.kind !== 'opened' || !r.created) return; // a replayed activity: the first delivery answered
    if (r.suggestions.length === 0) return; // routed to triage: the notifier tells the requester
    const view = suggestionsView(r.ticket, r.suggestions, a.locale);
    if (personal) return void (await ctx.sendActivity(renderActivity(view)));
    // In a channel, suggestions are private: a 1:1 chat; the thread gets a short acknowledgement.
    await ctx.sendActivity(renderActivity(noticeView(t(a.locale, 'teams.received_channel', { number: r.ticket.number }), 'new')));
    await this.o.platform.dm(who, view);
  }

  private async status(ctx: TurnContext, who: Identity, number: string | undefined): Promise<void> {
    const a = ctx.activity;
    if (!number) return this.mine(ctx, who);
    const r = await this.o.helpdesk.handle({ type: 'query.status', eventId: eventIdOf(a), actor: who, ticket: { number } });
    if (r.kind === 'ticket') await this.replyPrivately(ctx, ticketListView(r.ticket.number, [r.ticket], a.locale));
  }

  private async mine(ctx: TurnContext, who: Identity): Promise<void> {
    const a = ctx.activity;
    const r = await this.o.helpdesk.handle({ type: 'query.mine', eventId: eventIdOf(a), actor: who });
    if (r.kind === 'tickets') await this.replyPrivately(ctx, ticketListView(t(a.locale, 'list.mine_title'), r.tickets, a.locale));
  }

  private async queue(ctx: TurnContext, who: Identity): Promise<void> {
    const a = ctx.activity;
    const agent = await this.o.directory.agentByIdentity(who);
    const role = agent?.desks[0];
    if (!role) return this.replyPrivately(ctx, errorView(new HelpdeskError('TICKET.NOT_AGENT', 'tickets queue is for agents'), a.locale));
    const desk = this.o.directory.desk(role.desk);
    const r = await this.o.helpdesk.handle({ type: 'query.queue', eventId: eventIdOf(a), actor: who, deskId: desk.id, tier: role.tier });
    if (r.kind === 'tickets') await this.replyPrivately(ctx, ticketListView(t(a.locale, 'list.queue_title', { desk: desk.name, tier: role.tier }), r.tickets, a.locale));
  }

  /**
   * `macro` / `macros` / `pending`: answered privately. The macro goes out with no `at`, so the card
   * thread receives the rendered text through the relay just like the requester.
   */
  private async agentCommand(ctx: TurnContext, who: Identity, cmd: AgentCommand): Promise<void> {
    const a = ctx.activity;
    const place = placeOf(a);
    const role = (await this.o.directory.agentByIdentity(who))?.desks[0];
    const desk = role ? this.o.directory.desk(role.desk) : this.o.directory.deskFor({ platform: 'teams', workspace: place.workspace, channel: place.channel });
    const view = await runAgentCommand(cmd, { helpdesk: this.o.helpdesk, directory: this.o.directory, actor: who, eventId: eventIdOf(a), locale: a.locale, desk });
    if (view) await this.replyPrivately(ctx, view);
  }

  // ── reactions, installs ─────────────────────────────────────────────────────────────────────

  private async onReactions(ctx: TurnContext, reactions: MessageReaction[]): Promise<void> {
    const a = ctx.activity;
    const claim = reactions.find((r) => this.claimReactions.has(r.type));
    if (!claim || !a.replyToId) return;
    const place = placeOf(a);
    const ticket = await this.o.store.findByLink({ platform: 'teams', workspace: place.workspace, channel: place.channel, thread: a.replyToId });
    if (!ticket?.links.some((l) => l.platform === 'teams' && l.role === 'triage' && l.message === a.replyToId)) return; // not a triage card
    const who = identityOf(a);
    // One person's reaction on one card is one claim, however often Teams delivers it.
    const eventId = `teams:reaction:${place.channel}:${a.replyToId}:${who.user}:${claim.type}`;
    await this.o.helpdesk.handle({ type: 'ticket.claim', eventId, actor: who, ticket: { id: ticket.id } });
  }

  private async onInstalled(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    if (!a.membersAdded?.some((m) => m.id === a.recipient?.id)) return; // someone else joined
    const team = (a.channelData as { team?: { id?: string; name?: string } } | undefined)?.team;
    const tenantId = tenantOf(a);
    await this.o.installs.save({ tenantId, teamId: team?.id, teamName: team?.name, serviceUrl: a.serviceUrl, at: new Date() });
    this.o.log.info({ tenantId, teamId: team?.id, team: team?.name }, team ? 'teams: added to a team' : 'teams: installed for a person');
    const desk = this.o.directory.deskFor({ platform: 'teams', workspace: tenantId, channel: team?.id });
    const text = team ? t(a.locale, 'teams.welcome_team', { team: team.name ?? '', desk: desk.name }) : t(a.locale, 'teams.welcome_personal', { desk: desk.name });
    await ctx.sendActivity(renderActivity(noticeView(text)));
  }

  // ── invokes ─────────────────────────────────────────────────────────────────────────────────

  /** `Action.Execute` from any of our cards. The answer replaces the card for the person who acted. */
  protected override async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const a = ctx.activity;
    const data = parseCardAction(value.action?.data);
    const tr = translator(a.locale);
    if (!data) return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'not a helpdesk card action' } as never };
    const who = identityOf(a);
    const event = cardActionEvent(data, who, eventIdOf(a, 'invoke'));
    let failure: string | undefined;
    if (event) {
      try {
        await this.o.helpdesk.handle(event);
      } catch (err) {
        failure = this.failureText(err, a.locale);
      }
    }
    const ticket = await this.o.store.get(data.ticketId);
    if (!ticket) return this.messageResponse(failure ?? errorView({ code: 'INTERNAL', meta: { ref: 'gone' } }, a.locale).fallback);
    const desk = this.o.directory.desk(ticket.deskId);
    switch (data.action) {
      case 'solved':
      case 'need_help':
      case 'rate': {
        // Requester-side cards: a refusal leaves the card usable; success replaces it with the outcome.
        if (failure) return this.messageResponse(failure);
        const text =
          data.action === 'rate'
            ? tr('csat.thanks', { number: ticket.number, score: ticket.csat?.score ?? data.arg })
            : ticket.status === 'self_service'
              ? tr('intake.self_served', { number: ticket.number })
              : tr('list.status_line', { number: ticket.number, status: tr(`ticket.status.${ticket.status}`), subject: ticket.subject });
        return this.cardResponse(renderCard(noticeView(text, ticket.status === 'self_service' ? 'resolved' : undefined)));
      }
      default:
        // Triage cards show the truth as stored now (even if someone claimed it on Slack meanwhile),
        // with the refusal, if any, on top for the person who clicked.
        return this.cardResponse(renderCard(ticketCard(ticket, desk, desk.locale), { banner: failure }));
    }
  }

  /** Message action "Create ticket" on any message. */
  protected override async handleTeamsMessagingExtensionSubmitAction(ctx: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    const a = ctx.activity;
    try {
      const payload = action.messagePayload;
      const quoted = htmlToText(payload?.body?.content ?? '');
      const author = payload?.from?.user?.displayName;
      const details = typeof (action.data as { details?: unknown } | undefined)?.details === 'string' ? ((action.data as { details: string }).details.trim()) : '';
      const from = quoted ? `${author ? `${t(a.locale, 'teams.from_message', { author })}\n` : ''}> ${quoted.replace(/\n/g, '\n> ')}` : '';
      const text = [details, from].filter(Boolean).join('\n\n');
      const at = placeOf(a);
      const r = await this.o.helpdesk.handle({
        type: 'help.request',
        eventId: eventIdOf(a, 'extension'),
        request: {
          idempotencyKey: eventIdOf(a, 'extension'),
          requester: identityOf(a),
          locale: a.locale,
          text,
          subject: details || undefined,
          origin: { platform: 'teams', workspace: at.workspace, channel: at.channel },
          skipSuggestions: true, // filed deliberately from a message: straight to the desk
        },
      });
      const number = r.kind === 'opened' ? r.ticket.number : '';
      return { task: { type: 'message', value: t(a.locale, 'teams.created', { number }) } };
    } catch (err) {
      return { task: { type: 'message', value: this.failureText(err, a.locale) } };
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private cardResponse(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: CARD, value: card as never };
  }

  private messageResponse(text: string): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never };
  }

  /** The short, localized sentence for a failure; unknown failures are logged under a reference (shared error sink). */
  private failureText(err: unknown, locale: string | undefined): string {
    return errorReply(err, locale, this.o.log, { platform: 'teams' }).fallback;
  }

  /** Runs a turn step; a failure becomes a private reply instead of an HTTP 500 and a silent user. */
  private async guard(ctx: TurnContext, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      const text = this.failureText(err, ctx.activity.locale);
      await this.replyPrivately(ctx, { ...noticeView(text, 'error'), kind: 'error' }).catch((e: unknown) => this.o.log.warn({ err: e }, 'teams: could not report a failure'));
    }
  }

  /** In a 1:1 chat, a reply; elsewhere a message in the person's 1:1 chat (Teams has no ephemeral messages). */
  private async replyPrivately(ctx: TurnContext, view: View): Promise<void> {
    const a = ctx.activity;
    if (conversationKind(a) === 'personal' && a.type === 'message') return void (await ctx.sendActivity(renderActivity(view)));
    try {
      await this.o.platform.dm(identityOf(a), view);
    } catch (err) {
      this.o.log.warn({ err }, 'teams: private reply failed; answering in place');
      if (a.type === 'message') await ctx.sendActivity(renderActivity(view));
    }
  }
}

