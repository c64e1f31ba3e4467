import { ChannelType, type Message, type MessageReaction, type PartialMessage, type PartialMessageReaction, type PartialUser, type User } from 'discord.js';
import type { Identity } from '../../core/domain/identity.js';
import { translator } from '../../core/i18n/index.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { emojiMatches } from './discord.emoji.js';
import { PLATFORM, discordIdentity, messageText, type DiscordInboundDeps } from './discord.inbound-context.js';
import type { DiscordIntake } from './discord.intake.js';
import { renderView } from './discord.renderer.js';
import type { InteractionReplies } from './discord.replies.js';

/** Reactions: the claim reaction on a triage card, and the file-ticket reaction on a person's message. */
export class DiscordReactions {
  constructor(
    private readonly d: DiscordInboundDeps,
    private readonly replies: InteractionReplies,
    private readonly intake: DiscordIntake,
  ) {}

  async onReaction(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, botId: string | undefined): Promise<void> {
    if (user.bot || user.id === botId) return;
    const msg: Message | PartialMessage = reaction.message;
    if (!msg.guildId) return;
    const who = discordIdentity(user, msg.guildId);
    const emoji = reaction.emoji.name ?? '';
    try {
      // On a triage card (anchor = the card's message id) only the claim reaction means something.
      const t = await this.d.helpdesk.ticketAt({ platform: PLATFORM, workspace: msg.guildId, channel: msg.channelId, thread: msg.id });
      if (t && t.links.some((l) => l.role === 'triage' && l.message === msg.id)) {
        if (!emojiMatches(emoji, this.d.directory.desk(t.deskId).reactions.claim)) return;
        await this.d.helpdesk.handle({ type: 'ticket.claim', eventId: `reaction:${msg.id}:${user.id}:${emoji}`, actor: who, ticket: { id: t.id } });
        return;
      }
      await this.fileByReaction(msg, msg.guildId, who, emoji);
    } catch (err) {
      // No interaction to answer: tell the person privately.
      const view = this.replies.errorFor(err, undefined);
      await this.d.platform.dm(who, view).catch((e: unknown) => this.d.log.warn({ err: e }, 'could not DM reaction refusal'));
    }
  }

  /**
   * The desk's `fileTicket` reaction on a person's message in a watched channel files that message
   * as a ticket for its author, like "Create ticket" (same key `discord:msg:<id>`: one ticket per
   * message whichever way and however often it is filed). Anyone may react, as on Slack; the author
   * did not ask the bot, so there are no suggestions: straight to the desk.
   */
  private async fileByReaction(partial: Message | PartialMessage, guildId: string, who: Identity, emoji: string): Promise<void> {
    // Agents' channels are not intake: a 🎫 there is chatter (claiming uses the card's reaction).
    if (this.d.directory.tierChannel({ platform: PLATFORM, workspace: guildId, channel: partial.channelId })) return;
    const desk = this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: partial.channelId });
    if (!emojiMatches(emoji, desk.reactions.fileTicket) || !this.watched(guildId, partial)) return;
    // The same reaction dispatched twice (gateway replay) does nothing twice; one whose filing failed is filed by the replay.
    await this.d.helpdesk.once(`discord:reaction-file:${partial.id}:${who.user}:${emoji}`, () => this.file(partial, guildId));
  }

  private async file(partial: Message | PartialMessage, guildId: string): Promise<void> {
    const m = partial.partial ? await partial.fetch() : partial;
    if (m.author.bot || m.webhookId || m.system) return;
    const text = messageText(m);
    if (!text) return;
    const requester = discordIdentity(m.author, guildId);
    const filed = await this.intake.fileRequest({ requester, text, channelId: m.channelId, key: `discord:msg:${m.id}`, skipSuggestions: true });
    if (!filed?.created) return;
    // Said where the reaction was made (no ephemeral outside interactions); `<@id>` names without pinging.
    const tr = translator(undefined, filed.desk.locale);
    const line = tr('discord.filed', { number: filed.ticket.number, author: `<@${requester.user}>` }) as string;
    const rendered = renderView(noticeView(filed.limited ? `${tr('error.thread_limit')}\n${line}` : line));
    await this.d.platform
      .send(m.channelId, { ...rendered, body: { ...rendered.body, message_reference: { message_id: m.id, fail_if_not_exists: false } } })
      .catch((err: unknown) => this.d.log.warn({ err }, 'could not confirm a filed message'));
  }

  /** The desk's Discord intake channels in this guild; with none configured, any guild text channel (not threads). */
  private watched(guildId: string, m: Message | PartialMessage): boolean {
    const intake = this.d.directory.desks().flatMap((k) => k.intake.filter((i) => i.platform === PLATFORM && i.workspace === guildId && i.channel));
    if (intake.length) return intake.some((i) => i.channel === m.channelId);
    const type = m.client.channels.cache.get(m.channelId)?.type;
    return type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement;
  }
}
