import { isHelpdeskError } from '../../core/domain/errors.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { LinkLocation } from '../../core/ports/ticket-store.port.js';
import { PLATFORM, discordIdentity, type DiscordInboundDeps } from './discord.inbound-context.js';
import { unlessHeldElsewhere } from '../shared/intake.js';
import { isThreadType, type InMessage } from './discord.inbound-input.js';
import type { InteractionReplies } from './discord.replies.js';

/** MESSAGE_CREATE: conversation in ticket threads, threads under cards and DM fallbacks, internal notes included. */
export class DiscordMessages {
  constructor(
    private readonly d: DiscordInboundDeps,
    private readonly replies: InteractionReplies,
  ) {}

  /** `retry`: it came through the durable intake, which retries an infrastructure failure (thrown back) instead of showing it. */
  async onMessage(m: InMessage, botId: string | undefined, o: { retry?: boolean } = {}): Promise<void> {
    // Our own posts (cards, relays) and other bots never count as conversation.
    if (m.author.bot || m.webhookId || m.system || m.author.id === botId) return;
    const text = m.text;
    if (!text) return;
    try {
      const found = await this.locate(m);
      if (!found) return;
      const { ticket, at } = found;
      const actor = discordIdentity(m.author, at.workspace);
      // Through the intake, "running" means an attempt killed mid-way still holds the event's claim: come back after its lease.
      const r = unlessHeldElsewhere(await this.d.helpdesk.handle({ type: 'ticket.message', eventId: m.id, actor, at, text, messageId: m.id }), o.retry, `message ${m.id}`);
      if (r.kind !== 'message' || !r.recorded) return;
      // An agent's internal note typed in the requester's own thread must not stay visible there:
      // core relays it to the agents' places; remove the original from the requester's thread.
      const desk = this.d.directory.desk(ticket.deskId);
      const inRequesterThread = ticket.links.some((l) => l.role === 'requester' && l.platform === PLATFORM && l.channel === m.channelId);
      if (inRequesterThread && desk.notePrefix && text.toLowerCase().startsWith(desk.notePrefix.toLowerCase())) {
        const agent = await this.d.directory.agentByIdentity(actor);
        if (agent?.desks.some((x) => x.desk === desk.id)) {
          await this.d.platform.deleteMessage(m.channelId, m.id).catch((err: unknown) => this.d.log.warn({ err }, 'could not remove internal note from requester thread'));
        }
      }
    } catch (err) {
      if (o.retry && !isHelpdeskError(err)) throw err;
      await this.replies.replyInChannel(m.channelId, err);
    }
  }

  /** The ticket a message belongs to: a private ticket thread, a thread under a card, or a DM link. */
  private async locate(m: InMessage): Promise<{ ticket: Ticket; at: LinkLocation } | null> {
    const hd = this.d.helpdesk;
    if (!m.guildId) {
      for (const workspace of this.d.guildIds) {
        const at = { platform: PLATFORM, workspace, channel: m.channelId };
        const t = await hd.ticketAt(at);
        if (t) return { ticket: t, at };
      }
      return null;
    }
    const at: LinkLocation = { platform: PLATFORM, workspace: m.guildId, channel: m.channelId };
    const t = await hd.ticketAt(at);
    if (t) return { ticket: t, at };
    const ch = await this.d.channels(m.channelId);
    const parentId = ch && isThreadType(ch.type) ? ch.parentId : null;
    if (!parentId) return null;
    const underCard: LinkLocation = { platform: PLATFORM, workspace: m.guildId, channel: parentId, thread: m.channelId };
    const t2 = await hd.ticketAt(underCard);
    return t2 ? { ticket: t2, at: underCard } : null;
  }
}
