import { InteractionResponseType, MessageFlags, Routes, type Client, type REST } from 'discord.js';
import { z } from 'zod';
import { STORED_TEXT_MAX } from '../../core/views/text-limits.js';
import { translator } from '../../core/i18n/index.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { PayloadRejections } from '../shared/payload-rejections.js';

/**
 * Schemas of the gateway dispatches the Discord adapter acts on (INTERACTION_CREATE, MESSAGE_CREATE,
 * MESSAGE_REACTION_ADD), checked before discord.js builds its objects from them: strict on the type
 * and length of what discord.js and our handlers read, lenient on the rest. A failing dispatch is
 * dropped, counted and logged; a failing interaction that still carries a usable id and token gets
 * an ephemeral "could not read that request" so the person is not left with "interaction failed".
 */

/**
 * Texts are refused only when absurd: ten times what a ticket keeps (core's long-text policy cuts at
 * `STORED_TEXT_MAX` with a marker). Discord itself stops at 4,000 characters.
 */
export const DISCORD_TEXT_MAX = 10 * STORED_TEXT_MAX;

const snowflake = z.string().regex(/^\d{1,20}$/, 'not a snowflake');
const str = (max: number) => z.string().max(max);
const int = z.number().int().min(0).max(2 ** 31);
/** Permission bit sets travel as decimal strings (discord.js turns them into BigInt). */
const bits = z.string().regex(/^\d{1,40}$/, 'not a bit set');
const interactionToken = z.string().regex(/^[\w.-]{1,1000}$/, 'not an interaction token');

const user = z.looseObject({
  id: snowflake,
  username: str(100),
  global_name: str(100).nullish(),
  discriminator: str(10).optional(),
  avatar: str(200).nullish(),
  bot: z.boolean().optional(),
  system: z.boolean().optional(),
});
const member = z.looseObject({
  user: user.optional(),
  roles: z.array(snowflake).max(500),
  permissions: bits.optional(),
  nick: str(100).nullish(),
  joined_at: str(64).nullish(),
});
const channelRef = z.looseObject({ id: snowflake, type: int, guild_id: snowflake.optional(), parent_id: snowflake.nullish(), name: str(200).nullish(), recipients: z.array(user).max(20).optional() });

/** What discord.js reads building a Message (and what our handlers read of it). */
const message = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  author: user,
  member: member.partial().optional(),
  content: str(DISCORD_TEXT_MAX),
  timestamp: str(64),
  edited_timestamp: str(64).nullish(),
  type: int,
  flags: int.optional(),
  tts: z.boolean().optional(),
  pinned: z.boolean().optional(),
  mention_everyone: z.boolean().optional(),
  mentions: z.array(user).max(200).optional(),
  mention_roles: z.array(snowflake).max(500).optional(),
  attachments: z.array(z.looseObject({ id: snowflake, url: str(2_048), filename: str(1_024).optional(), size: int.optional() })).max(20).optional(),
  embeds: z.array(z.looseObject({})).max(10).optional(),
  components: z.array(z.looseObject({ type: int })).max(40).optional(),
  reactions: z.array(z.looseObject({ emoji: z.looseObject({ id: snowflake.nullish(), name: str(100).nullish() }), count: int.optional() })).max(100).optional(),
  webhook_id: snowflake.optional(),
  message_reference: z.looseObject({ message_id: snowflake.optional(), channel_id: snowflake.optional(), guild_id: snowflake.optional() }).optional(),
  thread: z.looseObject({ id: snowflake }).optional(),
});

type CommandOption = { name: string; type: number; value?: string | number | boolean; focused?: boolean; options?: CommandOption[] };
const commandOption: z.ZodType<CommandOption> = z.lazy(() =>
  z.object({
    name: str(32),
    type: int,
    value: z.union([str(6_000), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    // Subcommand groups hold subcommands hold options: never deeper than that.
    options: z.array(commandOption).max(25).optional(),
  }),
);

const commandData = z.looseObject({
  id: snowflake,
  name: str(32),
  type: int,
  guild_id: snowflake.optional(),
  target_id: snowflake.optional(),
  options: z.array(commandOption).max(25).optional(),
  resolved: z
    .looseObject({
      messages: z.record(snowflake, message).optional(),
      users: z.record(snowflake, user).optional(),
      members: z.record(snowflake, member.partial()).optional(),
      channels: z.record(snowflake, channelRef).optional(),
      roles: z.record(snowflake, z.looseObject({ id: snowflake })).optional(),
      attachments: z.record(snowflake, z.looseObject({ id: snowflake, url: str(2_048) })).optional(),
    })
    .optional(),
});

const componentData = z.looseObject({ custom_id: str(100), component_type: int, values: z.array(str(100)).max(25).optional() });

const modalInput = z.looseObject({ type: int, id: int.optional(), custom_id: str(100).optional(), value: str(DISCORD_TEXT_MAX).optional(), values: z.array(str(100)).max(25).optional() });
const modalData = z.looseObject({
  custom_id: str(100),
  components: z.array(z.looseObject({ type: int, id: int.optional(), components: z.array(modalInput).max(5).optional(), component: modalInput.optional() })).max(5),
});

const InteractionType = { Ping: 1, Command: 2, Component: 3, Autocomplete: 4, Modal: 5 } as const;

const interactionBase = z.looseObject({
  id: snowflake,
  application_id: snowflake,
  type: int,
  token: interactionToken,
  version: int,
  guild_id: snowflake.optional(),
  channel: channelRef.optional(),
  channel_id: snowflake.optional(),
  member: member.extend({ user }).optional(),
  user: user.optional(),
  app_permissions: bits.optional(),
  locale: str(16).optional(),
  guild_locale: str(16).optional(),
  entitlements: z.array(z.looseObject({ id: snowflake })).max(100),
  authorizing_integration_owners: z.record(z.string().regex(/^\d{1,2}$/), snowflake),
  context: int.nullish(),
  message: message.optional(),
});

export const discordInteraction = interactionBase
  .refine((i) => i.user !== undefined || i.member !== undefined, { message: 'an interaction comes from a user or a member', path: ['user'] })
  .superRefine((i, ctx) => {
    const data =
      i.type === InteractionType.Command || i.type === InteractionType.Autocomplete
        ? commandData.safeParse(i.data)
        : i.type === InteractionType.Component
          ? componentData.safeParse(i.data)
          : i.type === InteractionType.Modal
            ? modalData.safeParse(i.data)
            : undefined;
    if (data && !data.success) for (const issue of data.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['data', ...issue.path] });
    if (i.type === InteractionType.Component && !i.message) ctx.addIssue({ code: 'custom', message: 'a component interaction carries its message', path: ['message'] });
    if (data?.success && i.type === InteractionType.Command) {
      const d = data.data as z.infer<typeof commandData>;
      // The message context menu reads its target from the resolved messages.
      if (d.type === 3 && (!d.target_id || !d.resolved?.messages?.[d.target_id])) ctx.addIssue({ code: 'custom', message: 'a message command resolves its target', path: ['data', 'target_id'] });
    }
  });

export const discordMessageCreate = message.extend({ member: member.partial().optional() });

export const discordReactionAdd = z.looseObject({
  user_id: snowflake,
  channel_id: snowflake,
  message_id: snowflake,
  guild_id: snowflake.optional(),
  member: member.extend({ user }).optional(),
  emoji: z.looseObject({ id: snowflake.nullish(), name: str(100).nullish(), animated: z.boolean().optional() }),
  message_author_id: snowflake.optional(),
  burst: z.boolean().optional(),
  type: int.optional(),
});

/** The dispatches the adapter acts on, and their schemas. Others pass to discord.js unchecked. */
export const GATED_DISPATCHES: Record<string, z.ZodType> = {
  INTERACTION_CREATE: discordInteraction,
  MESSAGE_CREATE: discordMessageCreate,
  MESSAGE_REACTION_ADD: discordReactionAdd,
};

const replyable = z.looseObject({ id: snowflake, token: interactionToken, locale: str(16).optional() });

export interface DispatchGateDeps {
  rest: REST;
  rejections: PayloadRejections;
  log: Logger;
}

/**
 * Puts the gate in front of discord.js's packet handling (`client.ws.handlePacket`, the one place
 * every dispatch goes through after the gateway connection parsed it): a gated dispatch that fails
 * its schema never reaches discord.js or our handlers. A throw while discord.js builds its objects
 * from a dispatch (a shape no schema here foresaw) is caught, counted as `<T>.unreadable` and
 * logged, instead of escaping into the gateway connection as an uncaught exception.
 */
export function gateDispatches(client: Client, d: DispatchGateDeps): void {
  type PacketHandler = (packet: { t?: unknown; d?: unknown } | undefined, shard: unknown) => boolean;
  const ws = client.ws as unknown as { handlePacket: PacketHandler };
  const original = ws.handlePacket.bind(client.ws);
  ws.handlePacket = (packet, shard) => {
    const t = typeof packet?.t === 'string' ? packet.t : undefined;
    const schema = t ? GATED_DISPATCHES[t] : undefined;
    if (t && schema) {
      const r = schema.safeParse(packet!.d);
      if (!r.success) {
        d.rejections.reject('discord', t, r.error, d.log);
        if (t === 'INTERACTION_CREATE') answerUnreadable(packet!.d, d);
        return true;
      }
    }
    try {
      return original(packet, shard);
    } catch (err) {
      const kind = t && schema ? `${t}.unreadable` : 'dispatch.unreadable';
      d.rejections.reject('discord', kind, err instanceof Error ? err.message.slice(0, 200) : 'thrown', d.log);
      return true;
    }
  };
}

/** An ephemeral "could not read that request" for a malformed interaction that can still be answered. */
function answerUnreadable(raw: unknown, d: DispatchGateDeps): void {
  const r = replyable.safeParse(raw);
  if (!r.success) return; // nothing to answer with: dropped
  const body = { type: InteractionResponseType.ChannelMessageWithSource, data: { content: translator(r.data.locale)('error.unreadable'), flags: MessageFlags.Ephemeral } };
  d.rest.post(Routes.interactionCallback(r.data.id, r.data.token), { body, auth: false }).catch((err: unknown) => d.log.warn({ err }, 'discord: could not answer an unreadable interaction'));
}
