import { ChannelType } from 'discord.js';
import { isHelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import { translator } from '../../core/i18n/index.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { emojiMatches } from './discord.emoji.js';
import { PLATFORM, discordIdentity, type DiscordInboundDeps } from './discord.inbound-context.js';
import { BusyElsewhere, unlessHeldElsewhere } from '../shared/intake.js';
import type { InReaction } from './discord.inbound-input.js';
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

  /** `retry`: it came through the durable intake, which retries an infrastructure failure (thrown back) instead of telling the person. */
  async onReaction(r: InReaction, botId: string | undefined, o: { retry?: boolean } = {}): Promise<void> {
    const { user, emoji } = r;
    if (user.bot || user.id === botId) return;
    const guildId = r.guildId;
    if (!guildId) return;
    const who = discordIdentity(user, guildId);
    try {
      // On a triage card (anchor = the card's message id) only the claim reaction means something.
      const t = await this.d.helpdesk.ticketAt({ platform: PLATFORM, workspace: guildId, channel: r.channelId, thread: r.messageId });
      if (t && t.links.some((l) => l.role === 'triage' && l.message === r.messageId)) {
        if (!emojiMatches(emoji, this.d.directory.desk(t.deskId).reactions.claim)) return;
        // Through the intake, "running" means an attempt killed mid-way still holds the claim: come back after its lease.
        unlessHeldElsewhere(await this.d.helpdesk.handle({ type: 'ticket.claim', eventId: `reaction:${r.messageId}:${user.id}:${emoji}`, actor: who, ticket: { id: t.id } }), o.retry, `claim reaction on ${r.messageId}`);
        return;
      }
      const filed = await this.fileByReaction(r, guildId, who, emoji, o.retry);
      if (filed === 'busy' && o.retry) throw new BusyElsewhere(`file reaction on ${r.messageId}`);
    } catch (err) {
      if (o.retry && !isHelpdeskError(err)) throw err;
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
  private async fileByReaction(r: InReaction, guildId: string, who: Identity, emoji: string, retry: boolean | undefined): Promise<'ran' | 'done' | 'busy' | undefined> {
    // Agents' channels are not intake: a 🎫 there is chatter (claiming uses the card's reaction).
    if (this.d.directory.tierChannel({ platform: PLATFORM, workspace: guildId, channel: r.channelId })) return undefined;
    const desk = this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: r.channelId });
    if (!emojiMatches(emoji, desk.reactions.fileTicket) || !(await this.watched(guildId, r.channelId))) return undefined;
    // The same reaction dispatched twice (gateway replay) does nothing twice; one whose filing failed is filed by the replay.
    return this.d.helpdesk.once(`discord:reaction-file:${r.messageId}:${who.user}:${emoji}`, () => this.file(r, guildId, retry));
  }

  private async file(r: InReaction, guildId: string, retry: boolean | undefined): Promise<void> {
    const m = await r.message();
    if (m.author.bot || m.webhookId || m.system) return;
    const text = m.text;
    if (!text) return;
    const requester = discordIdentity(m.author, guildId);
    const filed = await this.intake.fileRequest({ requester, text, channelId: m.channelId, key: `discord:msg:${m.id}`, skipSuggestions: true, retry });
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
  private async watched(guildId: string, channelId: string): Promise<boolean> {
    const intake = this.d.directory.desks().flatMap((k) => k.intake.filter((i) => i.platform === PLATFORM && i.workspace === guildId && i.channel));
    if (intake.length) return intake.some((i) => i.channel === channelId);
    const type = (await this.d.channels(channelId))?.type;
    return type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement;
  }
}
