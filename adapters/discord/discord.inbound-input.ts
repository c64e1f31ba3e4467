import { ChannelType, Constants, DiscordAPIError, Routes, type Client, type Message, type MessageReaction, type PartialMessage, type PartialMessageReaction, type PartialUser, type REST, type User } from 'discord.js';
import type { z } from 'zod';
import { UnreadablePayloadError } from '../shared/intake.js';
import { discordMessageCreate, discordReactionAdd } from './discord.payloads.js';

/**
 * What the message and reaction handlers read, built either from discord.js objects (a gateway
 * event handled in the process that received it) or from a dispatch recorded by the durable intake
 * (an intake worker, which may have no gateway connection and no cache): one handler, two sources.
 */

/** A Discord user as the handlers read it. */
export interface InUser {
  id: string;
  bot: boolean;
  username?: string | null;
  globalName?: string | null;
}

/** A message: who wrote it where, and its text as a ticket keeps it. */
export interface InMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  author: InUser;
  webhookId: string | null;
  /** A system message (join, pin, thread created…): never conversation. */
  system: boolean;
  /** The content, then one line per attachment URL (see `messageText`). */
  text: string;
}

/** A reaction added to a message; `message()` reads the message itself (cached, or fetched). */
export interface InReaction {
  messageId: string;
  channelId: string;
  guildId: string | null;
  user: InUser;
  /** The emoji's name: the unicode character, or a custom emoji's name. */
  emoji: string;
  message(): Promise<InMessage>;
}

/** Raised when a recorded dispatch cannot be read: it will not read better on a retry. */
export class UnreadableDispatchError extends UnreadablePayloadError {}

const NON_SYSTEM = new Set<number>(Constants.NonSystemMessageTypes);

const textOf = (content: string, attachments: ReadonlyArray<{ url: string }>): string => [content, ...attachments.map((a) => a.url)].join('\n').trim();

const userOf = (u: User | PartialUser): InUser => ({ id: u.id, bot: u.bot === true, username: u.username ?? null, globalName: u.globalName ?? null });

/** A discord.js Message (live gateway event, or a fetched one). */
export function messageInput(m: Message): InMessage {
  return { id: m.id, channelId: m.channelId, guildId: m.guildId, author: userOf(m.author), webhookId: m.webhookId, system: m.system, text: textOf(m.content, [...m.attachments.values()]) };
}

type RawUser = { id: string; username: string; global_name?: string | null; bot?: boolean };

const rawUser = (u: RawUser): InUser => ({ id: u.id, bot: u.bot === true, username: u.username, globalName: u.global_name ?? null });

/** A MESSAGE_CREATE payload (or a message read through REST, which carries no guild id: pass it). */
export function messageFromPayload(payload: unknown, guildId?: string | null): InMessage {
  const r = discordMessageCreate.safeParse(payload);
  if (!r.success) throw new UnreadableDispatchError(`unreadable discord message: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`.trim());
  return messageFromParsed(r.data, guildId);
}

/** A MESSAGE_CREATE payload already checked against `discordMessageCreate`. */
export function messageFromParsed(d: z.infer<typeof discordMessageCreate>, guildId?: string | null): InMessage {
  return {
    id: d.id,
    channelId: d.channel_id,
    guildId: d.guild_id ?? guildId ?? null,
    author: rawUser(d.author),
    webhookId: d.webhook_id ?? null,
    system: !NON_SYSTEM.has(d.type),
    text: textOf(d.content, d.attachments ?? []),
  };
}

/** A live reaction: the message is read from the cache, or fetched when discord.js only has a partial. */
export function reactionInput(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): InReaction {
  const msg: Message | PartialMessage = reaction.message;
  return {
    messageId: msg.id,
    channelId: msg.channelId,
    guildId: msg.guildId,
    user: userOf(user),
    emoji: reaction.emoji.name ?? '',
    message: async () => messageInput(msg.partial ? await msg.fetch() : msg),
  };
}

/** A recorded MESSAGE_REACTION_ADD payload; the message is read through REST when it is needed. */
export function reactionFromPayload(payload: unknown, rest: REST): InReaction {
  const r = discordReactionAdd.safeParse(payload);
  if (!r.success) throw new UnreadableDispatchError(`unreadable discord reaction: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`.trim());
  const d = r.data;
  const member = d.member?.user;
  return {
    messageId: d.message_id,
    channelId: d.channel_id,
    guildId: d.guild_id ?? null,
    user: member ? rawUser(member) : { id: d.user_id, bot: false },
    emoji: d.emoji.name ?? '',
    message: async () => messageFromPayload(await rest.get(Routes.channelMessage(d.channel_id, d.message_id)), d.guild_id ?? null),
  };
}

/** What the handlers need to know of a channel: its type, and the parent of a thread. */
export interface ChannelInfo {
  type: number;
  parentId: string | null;
}

export type ChannelLookup = (channelId: string) => Promise<ChannelInfo | null>;

const THREADS = new Set<number>([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread]);
export const isThreadType = (type: number | undefined): boolean => type !== undefined && THREADS.has(type);

const LOOKUP_MEMORY = 5_000;

/**
 * A channel's type and parent: from the gateway cache when the process has one, else through REST
 * (an intake worker without a gateway connection). Both never change for a channel, so REST answers
 * are remembered (bounded). A channel the bot cannot read (403/404) is null; other failures throw
 * (the intake retries them).
 */
export function channelLookup(client: Client): ChannelLookup {
  const known = new Map<string, ChannelInfo>();
  return async (id) => {
    const c = client.channels.cache.get(id);
    if (c && !c.partial) return { type: c.type, parentId: 'parentId' in c ? (c.parentId ?? null) : null };
    const hit = known.get(id);
    if (hit) return hit;
    let raw: { type?: unknown; parent_id?: unknown };
    try {
      raw = (await client.rest.get(Routes.channel(id))) as typeof raw;
    } catch (err) {
      if (err instanceof DiscordAPIError && err.status < 500) return null;
      throw err;
    }
    if (typeof raw?.type !== 'number') return null;
    const info = { type: raw.type, parentId: typeof raw.parent_id === 'string' ? raw.parent_id : null };
    if (known.size >= LOOKUP_MEMORY) known.delete(known.keys().next().value!);
    known.set(id, info);
    return info;
  };
}
