import type { Client, REST } from 'discord.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { emojiMatches } from './discord.emoji.js';
import type { DiscordInbound } from './discord.inbound.js';
import { isThreadType, messageFromParsed, messageFromPayload, reactionFromPayload, UnreadableDispatchError } from './discord.inbound-input.js';
import { discordMessageCreate, discordReactionAdd } from './discord.payloads.js';

/**
 * Durable intake for the gateway's MESSAGE_CREATE (conversation in ticket threads, card threads and
 * DMs) and MESSAGE_REACTION_ADD (the claim and file-ticket reactions). The gateway has no
 * acknowledgement and a restarted process IDENTIFYs anew (Discord does not replay what a killed one
 * received), so each dispatch the bot acts on is recorded in the intake (Redis, AOF) from the raw
 * packet before anything else, and an intake worker runs the handlers on it. What the bot would
 * ignore anyway is filtered here, before the write, so chatter does not flood the queue.
 */

/** What the filter knows at the gateway: who the bot is, what it serves, what it has cached. */
export interface DispatchFilter {
  botId: string | undefined;
  guildIds: readonly string[];
  directory: Directory;
  /** The cached type of a channel, undefined when the gateway has not seen it. */
  channelType(channelId: string): number | undefined;
  now(): number;
}

/** The envelope for a MESSAGE_CREATE the bot would act on, or undefined (ignored: bots, itself, channels it does not serve, empty). */
export function messageEnvelope(payload: unknown, f: DispatchFilter): IntakeEnvelope | undefined {
  const r = discordMessageCreate.safeParse(payload);
  if (!r.success) return undefined; // the dispatch gate drops and counts it
  const d = r.data;
  if (d.author.bot || d.webhook_id || d.author.id === f.botId) return undefined;
  if (d.guild_id) {
    if (!f.guildIds.includes(d.guild_id)) return undefined;
    // In a guild only threads hold ticket conversations (ticket threads, threads under cards);
    // a channel the gateway has not seen (a thread created before a restart) is recorded.
    const type = f.channelType(d.channel_id);
    if (type !== undefined && !isThreadType(type)) return undefined;
  }
  const m = messageFromParsed(d);
  if (m.system || !m.text) return undefined;
  // One thread's (or DM's) messages are processed in the order they were written: snowflakes grow with time.
  return { v: 1, platform: 'discord', kind: 'message', id: d.id, receivedAt: f.now(), payload: payload as Record<string, unknown>, order: { key: d.channel_id, seq: d.id } };
}

/** The envelope for a MESSAGE_REACTION_ADD that may claim or file a ticket, or undefined. */
export function reactionEnvelope(payload: unknown, f: DispatchFilter): IntakeEnvelope | undefined {
  const r = discordReactionAdd.safeParse(payload);
  if (!r.success) return undefined;
  const d = r.data;
  if (!d.guild_id || !f.guildIds.includes(d.guild_id)) return undefined; // reactions in DMs mean nothing
  if (d.user_id === f.botId || d.member?.user.bot) return undefined;
  const name = d.emoji.name;
  const meaningful = f.directory.desks().some((desk) => emojiMatches(name, desk.reactions.claim) || emojiMatches(name, desk.reactions.fileTicket));
  if (!meaningful) return undefined;
  return { v: 1, platform: 'discord', kind: 'reaction', id: reactionId(d.message_id, d.user_id, d.emoji), receivedAt: f.now(), payload: payload as Record<string, unknown> };
}

/**
 * The platform id of a reaction: message + user + emoji (a custom emoji by its id, a unicode one by
 * its code points: job ids keep only [A-Za-z0-9_.-], which would make every unicode emoji alike).
 */
export function reactionId(messageId: string, userId: string, emoji: { id?: string | null; name?: string | null }): string {
  const key = emoji.id ?? [...(emoji.name ?? '')].map((c) => c.codePointAt(0)!.toString(16)).join('_').slice(0, 60);
  return `${messageId}.${userId}.${key || 'none'}`;
}

/**
 * Records the gateway's message and reaction dispatches (gateway role). The write is the only thing
 * between the packet and Redis; if Redis refuses it, the dispatch is handled in this process as
 * before the intake (at most once: nothing else would ever see it).
 */
export function attachDispatchIntake(client: Client, inbound: DiscordInbound, intake: InboundIntake, o: { guildIds: readonly string[]; directory: Directory; log: Logger }): void {
  const filter: DispatchFilter = {
    get botId() {
      return client.user?.id;
    },
    guildIds: o.guildIds,
    directory: o.directory,
    channelType: (id) => client.channels.cache.get(id)?.type,
    now: Date.now,
  };
  client.on('raw', (packet: { t?: string; d?: unknown }) => {
    const e = packet.t === 'MESSAGE_CREATE' ? messageEnvelope(packet.d, filter) : packet.t === 'MESSAGE_REACTION_ADD' ? reactionEnvelope(packet.d, filter) : undefined;
    if (!e) return;
    inbound.track(
      intake.record(e).catch(async (err: unknown) => {
        o.log.error({ err, kind: e.kind, id: e.id }, 'discord dispatch not recorded; handled in this process');
        await replayDispatch(client.rest, inbound, e, client.user?.id);
      }),
    );
  });
}

/** Runs the handlers on a recorded message or reaction (intake workers; REST only, no gateway needed). */
export async function replayDispatch(rest: REST, inbound: DiscordInbound, e: IntakeEnvelope, botId: string | undefined, attempt?: Pick<IntakeAttempt, 'final'>): Promise<void> {
  const retry = attempt ? !attempt.final : false;
  if (e.kind === 'message') return inbound.onMessage(messageFromPayload(e.payload), botId, { retry });
  if (e.kind === 'reaction') return inbound.onReaction(reactionFromPayload(e.payload, rest), botId, { retry });
  throw new UnreadableDispatchError(`recorded discord ${e.kind} ${e.id}: a kind this adapter does not handle`);
}
