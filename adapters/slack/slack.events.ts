import type { App } from '@slack/bolt';
import type { Identity } from '../../core/domain/identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { View } from '../../core/views/view.js';
import { replyOnError } from '../shared/reply-on-error.js';
import { openedView } from '../shared/result-views.js';
import { deskAt, isWatched, localeOf, slackPerson, type SlackInboundDeps } from './slack.context.js';
import { fileMessage } from './slack.file-message.js';
import { helpRequestEvent } from '../shared/help-request.js';
import { payloadOf } from './slack.payloads.js';

/** Message subtypes that are a person writing; everything else (edits, joins, bot posts) is ignored. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);
/** A DM belongs to the person's latest ticket while that ticket is still being worked. */
const CONVERSING = new Set<Ticket['status']>(['new', 'open', 'claimed', 'pending']);

/**
 * Events API: DMs to the bot (new requests, or replies on the person's ticket), replies in linked
 * threads (relayed through core), and reactions (file a message; claim a card). The bot's own
 * messages never count (bot_id, our bot user, non-person subtypes), so relays cannot loop.
 */
export function registerEvents(app: App, d: SlackInboundDeps): void {
  app.event('message', async ({ context }) => {
    const { event: m, teamId, eventId: slackEventId } = payloadOf(context, 'event.message');
    const user = m.user;
    if (!PERSON_SUBTYPES.has(m.subtype) || m.bot_id || !user || user === context.botUserId) return;
    const workspace = teamId ?? '';
    const eventId = `slack:${slackEventId ?? `${m.channel}:${m.ts}`}`;
    const actor = await slackPerson(d, workspace, user);
    const text = m.text ?? '';
    const log = d.log.child({ slack: 'message', channel: m.channel, user: m.user });
    const dm = m.channel_type === 'im';
    const locale = dm ? ((await localeOf(d, actor)) ?? d.deskLocale) : d.deskLocale;
    const reply = (v: View) => (dm ? d.platform.post({ workspace, channel: m.channel, ...(m.thread_ts ? { thread: m.thread_ts } : {}) }, v) : d.platform.ephemeral(m.channel, user, v, m.thread_ts));

    await replyOnError(
      async () => {
        // A reply in a linked thread (card thread, filed message's thread, a DM thread).
        if (m.thread_ts) {
          const r = await d.helpdesk.handle({ type: 'ticket.message', eventId, actor, at: { platform: 'slack', workspace, channel: m.channel, thread: m.thread_ts }, text, messageId: m.ts });
          if (r.kind !== 'message' || r.recorded || !dm) return;
          // An unlinked thread inside the DM: fall through to the DM conversation.
        } else if (!dm) {
          return; // top-level channel chatter is not ours
        }
        const current = await d.helpdesk.ticketAt({ platform: 'slack', workspace, channel: m.channel });
        // A redelivery of the DM that opened `current` is not a reply to it (its id is the ticket's key).
        if (current && CONVERSING.has(current.status) && current.idempotencyKey !== eventId) {
          await d.helpdesk.handle({ type: 'ticket.message', eventId, actor, at: { platform: 'slack', workspace, channel: m.channel }, text, messageId: m.ts });
          return;
        }
        const desk = deskAt(d, workspace, m.channel);
        const r = await d.helpdesk.handle(
          helpRequestEvent(eventId, actor, locale, {
            text,
            origin: { platform: 'slack', workspace, channel: m.channel },
            requesterLink: { platform: 'slack', workspace, channel: m.channel },
          }),
        );
        // A retried event finds the ticket already made (created: false) and says nothing twice.
        // With no suggestion the ticket went straight to the desk and core's notifier tells the
        // person in this DM (its requester link), so the adapter adds nothing.
        if (r.kind === 'opened' && r.created && desk && r.suggestions.length > 0) await reply(openedView(r, desk, locale));
      },
      reply,
      { locale, log },
    );
  });

  app.event('reaction_added', async ({ context }) => {
    const { event, teamId, eventId: slackEventId } = payloadOf(context, 'event.reaction_added');
    if (!('channel' in event.item) || event.user === context.botUserId) return;
    const workspace = teamId ?? '';
    const { channel, ts } = event.item;
    const actor: Identity = await slackPerson(d, workspace, event.user);
    const eventId = `slack:${slackEventId ?? `${channel}:${ts}:${event.reaction}:${event.user}`}`;
    const tier = d.directory.tierChannel({ platform: 'slack', workspace, channel });
    const log = d.log.child({ slack: 'reaction', channel, reaction: event.reaction });
    const reply = (v: View) => d.platform.ephemeral(channel, event.user, v);
    await replyOnError(
      async () => {
        if (tier) {
          if (event.reaction !== tier.desk.reactions.claim) return;
          // The card is the thread anchor of its triage link.
          const t = await d.helpdesk.ticketAt({ platform: 'slack', workspace, channel, thread: ts });
          if (!t || !t.links.some((l) => l.platform === 'slack' && l.role === 'triage' && l.channel === channel && l.message === ts)) return;
          await d.helpdesk.handle({ type: 'ticket.claim', eventId, actor, ticket: { id: t.id } });
          return;
        }
        const desk = deskAt(d, workspace, channel);
        if (!desk || event.reaction !== desk.reactions.fileTicket || !isWatched(d, workspace, channel)) return;
        await fileMessage(d, { workspace, channel, ts, ...(event.item_user ? { author: event.item_user } : {}), reporter: actor, eventId });
      },
      reply,
      { locale: d.deskLocale, log },
    );
  });
}
