import {
  TeamsActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type TurnContext,
} from 'botbuilder';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { TeamsCardActions } from './teams.card-actions.js';
import { TeamsIntake } from './teams.intake.js';
import { TeamsMessages } from './teams.messages.js';
import { TeamsReactions } from './teams.reactions.js';
import { TeamsReplies } from './teams.replies.js';
import { onInstalled } from './teams.welcome.js';

export type { TeamsBotOptions } from './teams.bot-context.js';

/**
 * The Teams turn logic, a thin coordinator: wires activity types to their handlers
 * (teams.messages, teams.intake, teams.reactions, teams.card-actions, teams.welcome, sharing
 * teams.replies). Answers follow the person's language (`activity.locale`), and no failure passes
 * silently (coded errors become a short private reply; anything else is logged with a reference the
 * person also sees).
 */
export class TeamsHelpdeskBot extends TeamsActivityHandler {
  private readonly replies: TeamsReplies;
  private readonly intake: TeamsIntake;
  private readonly cardActions: TeamsCardActions;

  constructor(o: TeamsBotOptions) {
    super();
    this.replies = new TeamsReplies(o);
    this.intake = new TeamsIntake(o, this.replies);
    this.cardActions = new TeamsCardActions(o, this.replies);
    const messages = new TeamsMessages(o, this.replies, this.intake);
    const reactions = new TeamsReactions(o);
    this.onMessage(async (ctx, next) => {
      await this.replies.guard(ctx, () => messages.onText(ctx));
      await next();
    });
    this.onReactionsAdded(async (ctx, next) => {
      await this.replies.guard(ctx, () => reactions.onReactions(ctx, ctx.activity.reactionsAdded ?? []));
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      await this.replies.guard(ctx, () => onInstalled(o, ctx));
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return this.cardActions.onInvoke(ctx, value);
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(ctx: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.intake.fileMessage(ctx, action);
  }
}
