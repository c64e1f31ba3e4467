import type { MessageReaction, TurnContext } from 'botbuilder';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { identityOf, placeOf } from './teams.inbound.js';

/** Reactions: a claim reaction (👍, 👀 by default) on a triage card claims its ticket. */
export class TeamsReactions {
  private readonly claimReactions: ReadonlySet<string>;

  constructor(private readonly o: TeamsBotOptions) {
    this.claimReactions = new Set(o.claimReactions ?? ['like', '👀', 'eyes']);
  }

  async onReactions(ctx: TurnContext, reactions: MessageReaction[]): Promise<void> {
    const a = ctx.activity;
    const claim = reactions.find((r) => this.claimReactions.has(r.type));
    if (!claim || !a.replyToId) return;
    const place = placeOf(a);
    const ticket = await this.o.helpdesk.ticketAt({ platform: 'teams', workspace: place.workspace, channel: place.channel, thread: a.replyToId });
    if (!ticket?.links.some((l) => l.platform === 'teams' && l.role === 'triage' && l.message === a.replyToId)) return; // not a triage card
    const who = identityOf(a);
    // One person's reaction on one card is one claim, however often Teams delivers it.
    const eventId = `teams:reaction:${place.channel}:${a.replyToId}:${who.user}:${claim.type}`;
    await this.o.helpdesk.handle({ type: 'ticket.claim', eventId, actor: who, ticket: { id: ticket.id } });
  }
}
