import { TurnContext, type Activity } from 'botbuilder';
import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import type { LinkLocation } from '../../core/ports/ticket-store.port.js';
import { neutralizeMentions } from '../../core/views/sanitize.js';
import { splitConversationId } from './teams.ids.js';
import { actionToEvent } from '../shared/action-events.js';
import { REFRESH, type CardActionData } from './teams.renderer.js';
import { channelDataOf } from './teams.payloads.js';

/** The tenant an activity belongs to (the workspace of Teams identities and links). */
export const tenantOf = (a: Partial<Activity>): string =>
  a.conversation?.tenantId ?? channelDataOf(a)?.tenant?.id ?? 'unknown';

/** The person who sent an activity. Teams user ids (`29:…`) are what proactive 1:1 chats need. */
export const identityOf = (a: Partial<Activity>): Identity => ({
  platform: 'teams',
  workspace: tenantOf(a),
  user: a.from?.id ?? 'unknown',
  ...(a.from?.name ? { name: a.from.name } : {}),
});

/** Namespaced, deterministic event ids (Teams retries the same activity id). */
export const eventIdOf = (a: Partial<Activity>, what = 'activity'): string => `teams:${what}:${a.conversation?.id ?? ''}:${a.id ?? ''}`;

export type ConversationKind = 'personal' | 'channel' | 'groupChat';
export const conversationKind = (a: Partial<Activity>): ConversationKind =>
  a.conversation?.conversationType === 'channel' ? 'channel' : a.conversation?.conversationType === 'groupChat' ? 'groupChat' : 'personal';

/**
 * Where a message was written, as core's link location: a 1:1/group chat is the whole conversation;
 * a channel message is (channel, thread root). A root post's own id is its thread's anchor.
 */
export function placeOf(a: Partial<Activity>): LinkLocation & { root: boolean } {
  const id = a.conversation?.id ?? '';
  if (conversationKind(a) !== 'channel') return { platform: 'teams', workspace: tenantOf(a), channel: id, root: false };
  const { channel, thread } = splitConversationId(id);
  const base = channelDataOf(a)?.channel?.id ?? channel;
  const root = !thread || thread === a.id;
  return { platform: 'teams', workspace: tenantOf(a), channel: base, thread: root ? a.id : thread, root };
}

/** True when the bot was @mentioned in this activity. */
export const mentionsBot = (a: Partial<Activity>): boolean => TurnContext.getMentions(a).some((m) => m.mentioned?.id === a.recipient?.id);

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

/** `<at>` / `</at …>` (any case): the mention markup Teams wraps names in, kept for the mention stripper. */
function isMentionTag(tag: string): boolean {
  const name = (tag[1] === '/' ? tag.slice(2, 4) : tag.slice(1, 3)).toLowerCase();
  const after = tag[tag[1] === '/' ? 4 : 3] ?? '';
  // `\b` after "at": the tag name ends there (not `<atom>`).
  return name === 'at' && !/[A-Za-z0-9_]/.test(after);
}

/** Teams HTML (message-extension payloads, `textFormat: xml`) → plain text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^<>]+>/g, (tag) => (isMentionTag(tag) ? tag : ''))
    .replace(/&(nbsp|amp|lt|gt|quot|#39|apos);/g, (m) => ENTITIES[m] ?? m)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The text of a message with the bot's own mention removed (`TurnContext.removeRecipientMention`),
 * other mentions (channels, teams, tags, people) neutralised to plain `@name`, and markup stripped.
 */
export function cleanText(a: Partial<Activity>): string {
  const copy = { ...a, text: a.text ?? '' };
  const withoutBot = TurnContext.removeRecipientMention(copy) ?? '';
  return htmlToText(neutralizeMentions(withoutBot)).replace(/\s+/g, ' ').trim();
}

/**
 * The core event for a card button (`Action.Execute`), or undefined for a refresh: the mapping every
 * adapter shares, with the inputs Teams merged into the action's data (priority choice, CSAT comment).
 */
export function cardActionEvent(d: CardActionData & { priority?: string; comment?: string }, actor: Identity, eventId: string): InboundEvent | undefined {
  if (d.action === REFRESH) return undefined;
  const input = { ...(d.priority !== undefined ? { selected: d.priority } : {}), ...(d.comment !== undefined ? { comment: d.comment } : {}) };
  return actionToEvent({ action: d.action, ticketId: d.ticketId, ...(d.arg !== undefined ? { arg: d.arg } : {}) }, actor, eventId, input) ?? undefined;
}
