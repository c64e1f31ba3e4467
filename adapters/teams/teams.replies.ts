import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import { noticeView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { isHelpdeskError } from '../../core/domain/errors.js';
import { errorReply } from '../shared/reply-on-error.js';
import { replayOf } from './teams.intake-queue.js';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { conversationKind, identityOf } from './teams.inbound.js';
import { renderActivity } from './teams.renderer.js';

const CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * How the bot answers the person in a turn: privately (the 1:1 chat; Teams has no ephemeral
 * messages), as an invoke response, and the one place failures become a short sentence (coded
 * errors) or a logged reference (anything else).
 */
export class TeamsReplies {
  constructor(private readonly o: Pick<TeamsBotOptions, 'platform' | 'log'>) {}

  /** The short, localized sentence for a failure; unknown failures are logged under a reference (shared error sink). */
  failureText(err: unknown, locale: string | undefined): string {
    return errorReply(err, locale, this.o.log, { platform: 'teams' }).fallback;
  }

  /** Runs a turn step; a failure becomes a private reply instead of an HTTP 500 and a silent user. */
  async guard(ctx: TurnContext, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      // Replayed from the durable intake: an infrastructure failure is retried there, not told to the person.
      const replay = replayOf(ctx);
      if (replay && !replay.final && !isHelpdeskError(err)) throw err;
      const text = this.failureText(err, ctx.activity.locale);
      await this.privately(ctx, { ...noticeView(text, 'error'), kind: 'error' }).catch((e: unknown) => this.o.log.warn({ err: e }, 'teams: could not report a failure'));
    }
  }

  /** In a 1:1 chat, a reply; elsewhere a message in the person's 1:1 chat (Teams has no ephemeral messages). */
  async privately(ctx: TurnContext, view: View): Promise<void> {
    const a = ctx.activity;
    if (conversationKind(a) === 'personal' && a.type === 'message') return void (await ctx.sendActivity(renderActivity(view)));
    try {
      await this.o.platform.dm(identityOf(a), view);
    } catch (err) {
      this.o.log.warn({ err }, 'teams: private reply failed; answering in place');
      if (a.type === 'message') await ctx.sendActivity(renderActivity(view));
    }
  }

  card(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: CARD, value: card as never };
  }

  message(text: string): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never };
  }
}
