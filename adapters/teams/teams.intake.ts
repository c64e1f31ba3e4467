import { TurnContext, type MessagingExtensionAction, type MessagingExtensionActionResponse } from 'botbuilder';
import type { Identity } from '../../core/domain/identity.js';
import { t } from '../../core/i18n/index.js';
import type { HelpRequest } from '../../core/use-cases/open-ticket.js';
import { noticeView, suggestionsView } from '../../core/views/ticket-views.js';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { threadedConversationId } from './teams.ids.js';
import { conversationKind, eventIdOf, htmlToText, identityOf, placeOf } from './teams.inbound.js';
import type { TeamsReplies } from './teams.replies.js';
import { renderActivity } from './teams.renderer.js';
import { replayOf } from './teams.intake-queue.js';
import { extensionDetailsOf } from './teams.payloads.js';

/**
 * Help requests: a message to the bot (1:1, or `@Helpdesk help …` in a channel) and the message
 * action "Create ticket". The requester's place is stored as the ticket's requester link (with the
 * conversation reference proactive posts need).
 */
export class TeamsIntake {
  constructor(
    private readonly o: TeamsBotOptions,
    private readonly replies: TeamsReplies,
  ) {}

  async request(ctx: TurnContext, who: Identity, text: string): Promise<void> {
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
    const replay = replayOf(ctx);
    // Through the intake, "duplicate" means an earlier attempt (killed mid-way) holds the request's
    // claim until its lease ends: try again later, never drop it.
    if ((r.kind === 'duplicate' || (r.kind === 'opened' && r.running)) && replay && !replay.final) throw new Error('help request claimed by an earlier attempt; retried after its lease');
    if (r.kind !== 'opened') return;
    // A redelivered activity in a request: the first delivery answered. Through the intake, an
    // attempt after a crash answers unless an earlier one marked its answer sent.
    if (!r.created && !replay) return;
    if (r.suggestions.length === 0) return; // routed to triage: the notifier tells the requester
    const opened = r;
    const answer = async () => {
      const view = suggestionsView(opened.ticket, opened.suggestions, a.locale);
      if (personal) return void (await ctx.sendActivity(renderActivity(view)));
      // In a channel, suggestions are private: a 1:1 chat; the thread gets a short acknowledgement.
      await ctx.sendActivity(renderActivity(noticeView(t(a.locale, 'teams.received_channel', { number: opened.ticket.number }), 'new')));
      await this.o.platform.dm(who, view);
    };
    // Teams cannot replace a message by the request's key: an answer marked `sending` by a killed
    // attempt is sent again (a second copy only if the kill fell between sending and marking).
    if (replay) await replay.answerOnce(eventIdOf(a), answer);
    else await answer();
  }

  /** Message action "Create ticket" on any message. */
  async fileMessage(ctx: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    const a = ctx.activity;
    try {
      const payload = action.messagePayload;
      const quoted = htmlToText(payload?.body?.content ?? '');
      const author = payload?.from?.user?.displayName;
      const details = extensionDetailsOf(action.data);
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
      return { task: { type: 'message', value: this.replies.failureText(err, a.locale) } };
    }
  }
}
