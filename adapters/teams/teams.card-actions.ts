import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TurnContext } from 'botbuilder';
import { translator } from '../../core/i18n/index.js';
import { errorView, noticeView, ticketCard } from '../../core/views/ticket-views.js';
import { STORM_CLAIM_ARG, stormClaimedView } from '../../core/views/storm-card.view.js';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { cardActionEvent, eventIdOf, identityOf } from './teams.inbound.js';
import type { TeamsReplies } from './teams.replies.js';
import { parseCardAction, renderCard } from './teams.renderer.js';

/** `Action.Execute` from any of our cards. The answer replaces the card for the person who acted. */
export class TeamsCardActions {
  constructor(
    private readonly o: TeamsBotOptions,
    private readonly replies: TeamsReplies,
  ) {}

  async onInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const a = ctx.activity;
    const data = parseCardAction(value.action?.data);
    const tr = translator(a.locale);
    if (!data) return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'not a helpdesk card action' } as never };
    const who = identityOf(a);
    const event = cardActionEvent(data, who, eventIdOf(a, 'invoke'));
    let failure: string | undefined;
    let result: Awaited<ReturnType<TeamsBotOptions['helpdesk']['handle']>> | undefined;
    if (event) {
      try {
        result = await this.o.helpdesk.handle(event);
      } catch (err) {
        failure = this.replies.failureText(err, a.locale);
      }
    }
    // A spike card's Declare: the card itself is edited for everyone by its delivery; the person who
    // clicked sees the outcome (or the refusal) in its place.
    if (data.action === 'declare') {
      if (failure || result?.kind !== 'incident') return this.replies.message(failure ?? errorView({ code: 'INTERNAL', meta: { ref: 'declare' } }, a.locale).fallback);
      return this.replies.card(renderCard(noticeView(tr('fanout.declared', { number: result.incident.number, count: result.linked }), 'claimed')));
    }
    const ticket = await this.o.helpdesk.ticket({ id: data.ticketId }).catch(() => null);
    if (!ticket) return this.replies.message(failure ?? errorView({ code: 'INTERNAL', meta: { ref: 'gone' } }, a.locale).fallback);
    const desk = this.o.directory.desk(ticket.deskId);
    // A storm card lists many tickets: answer the person who claimed with a message and leave the
    // card alone (the notifier re-renders it for everyone), instead of replacing it with one ticket.
    // The message names the ticket and its console page: a storm-card ticket has no place in chat.
    if (data.action === 'claim' && data.arg === STORM_CLAIM_ARG) return this.replies.message(failure ?? stormClaimedView(ticket, a.locale, this.o.helpdesk.consoleUrl?.(ticket.number)).fallback);
    switch (data.action) {
      case 'solved':
      case 'need_help':
      case 'rate': {
        // Requester-side cards: a refusal leaves the card usable; success replaces it with the outcome.
        if (failure) return this.replies.message(failure);
        const text =
          data.action === 'rate'
            ? tr('csat.thanks', { number: ticket.number, score: ticket.csat?.score ?? data.arg })
            : ticket.status === 'self_service'
              ? tr('intake.self_served', { number: ticket.number })
              : tr('list.status_line', { number: ticket.number, status: tr(`ticket.status.${ticket.status}`), subject: ticket.subject });
        return this.replies.card(renderCard(noticeView(text, ticket.status === 'self_service' ? 'resolved' : undefined)));
      }
      default:
        // Triage cards show the truth as stored now (even if someone claimed it on Slack meanwhile),
        // with the refusal, if any, on top for the person who clicked.
        return this.replies.card(renderCard(ticketCard(ticket, desk, desk.locale), { banner: failure }));
    }
  }
}
