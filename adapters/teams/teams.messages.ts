import type { TurnContext } from 'botbuilder';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import { ACTIVE_STATUSES, type Ticket } from '../../core/domain/ticket.js';
import { t } from '../../core/i18n/index.js';
import { errorView, noticeView, ticketListView } from '../../core/views/ticket-views.js';
import { isAgentCommand, runAgentCommand, type AgentCommand } from '../shared/agent-commands.js';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { parseTeamsCommand } from './teams.commands.js';
import { cleanText, conversationKind, eventIdOf, identityOf, mentionsBot, placeOf } from './teams.inbound.js';
import type { TeamsIntake } from './teams.intake.js';
import type { TeamsReplies } from './teams.replies.js';
import { renderActivity } from './teams.renderer.js';

const RELAY_STATUSES: readonly Ticket['status'][] = [...ACTIVE_STATUSES, 'new', 'resolved'];

/**
 * Message activities: conversation in a ticket's places (card threads, the requester's chat or
 * thread) relayed through core, the command list (`status`, `mine`, `tickets`, agent tools), and
 * everything else handed to intake as a help request.
 */
export class TeamsMessages {
  constructor(
    private readonly o: TeamsBotOptions,
    private readonly replies: TeamsReplies,
    private readonly intake: TeamsIntake,
  ) {}

  async onText(ctx: TurnContext): Promise<void> {
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
      const linked = at.root ? null : await this.o.helpdesk.ticketAt(at);
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
      case 'incident':
        return this.agentCommand(ctx, who, cmd);
      case 'help':
        return this.intake.request(ctx, who, cmd.text);
      case 'status':
        return this.status(ctx, who, cmd.ticket);
      case 'mine':
        return this.mine(ctx, who);
      case 'tickets':
        return this.queue(ctx, who);
      case 'text': {
        if (kind === 'personal') {
          const linked = await this.o.helpdesk.ticketAt(at);
          if (linked && RELAY_STATUSES.includes(linked.status)) return this.relay(ctx, who, at, text);
          return this.intake.request(ctx, who, text);
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

  private async status(ctx: TurnContext, who: Identity, number: string | undefined): Promise<void> {
    const a = ctx.activity;
    if (!number) return this.mine(ctx, who);
    const r = await this.o.helpdesk.handle({ type: 'query.status', eventId: eventIdOf(a), actor: who, ticket: { number } });
    if (r.kind === 'ticket') await this.replies.privately(ctx, ticketListView(r.ticket.number, [r.ticket], a.locale));
  }

  private async mine(ctx: TurnContext, who: Identity): Promise<void> {
    const a = ctx.activity;
    const r = await this.o.helpdesk.handle({ type: 'query.mine', eventId: eventIdOf(a), actor: who });
    if (r.kind === 'tickets') await this.replies.privately(ctx, ticketListView(t(a.locale, 'list.mine_title'), r.tickets, a.locale));
  }

  private async queue(ctx: TurnContext, who: Identity): Promise<void> {
    const a = ctx.activity;
    const agent = await this.o.directory.agentByIdentity(who);
    const role = agent?.desks[0];
    if (!role) return this.replies.privately(ctx, errorView(new HelpdeskError('TICKET.NOT_AGENT', 'tickets queue is for agents'), a.locale));
    const desk = this.o.directory.desk(role.desk);
    const r = await this.o.helpdesk.handle({ type: 'query.queue', eventId: eventIdOf(a), actor: who, deskId: desk.id, tier: role.tier });
    if (r.kind === 'tickets') await this.replies.privately(ctx, ticketListView(t(a.locale, 'list.queue_title', { desk: desk.name, tier: role.tier }), r.tickets, a.locale));
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
    if (view) await this.replies.privately(ctx, view);
  }
}
