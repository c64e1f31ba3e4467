import { tierOf } from '../../core/domain/desk.js';
import type { EventBus } from '../../core/domain/event-bus.js';
import type { TicketEvent } from '../../core/domain/events.js';
import type { Link } from '../../core/domain/link.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import { translator } from '../../core/i18n/index.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import { neutralizeMentions } from '../../core/views/sanitize.js';
import type { View } from '../../core/views/view.js';
import type { DiscordPlatform } from './discord.platform.js';

export interface DiscordTicketSyncDeps {
  /** Writes (the transcript entry) go through core. */
  helpdesk: Helpdesk;
  directory: Directory;
  /** Adapter-made posts (role pings, transcripts) go through the same (retrying) delivery as core's. */
  delivery: Delivery;
  platform: DiscordPlatform;
  log: Logger;
}

const threadLink = (t: Ticket): Link | undefined =>
  t.links.find((l) => l.platform === 'discord' && l.role === 'requester' && l.data?.kind === 'ticket_thread');

/**
 * The Discord-only consequences of ticket changes that core's notifier cannot express:
 * - routed / escalated: the tier's agent role joins the private ticket thread (one role mention);
 * - self-served / closed: the thread is archived and locked (frees the guild's active-thread cap);
 * - closed: a Markdown transcript is posted to the desk's Discord log channel (kept on the ticket as
 *   an `announce` link to that message) and stored (by core) as an internal `system` timeline entry.
 * Every post carries a deterministic delivery key and the transcript entry is keyed in core, so
 * replayed events do nothing twice — and an event whose handling failed is handled by its replay.
 */
export class DiscordTicketSync {
  constructor(private readonly d: DiscordTicketSyncDeps) {}

  attach(events: EventBus): () => void {
    return events.subscribe((e) => this.onEvent(e));
  }

  async onEvent(e: TicketEvent): Promise<void> {
    const t = e.ticket;
    switch (e.type) {
      case 'ticket.routed':
      case 'ticket.escalated':
        return this.addTierRole(t);
      case 'ticket.self_served':
        return this.archive(t);
      case 'ticket.closed':
        await this.postTranscript(t);
        return this.archive(t);
      default:
        return;
    }
  }

  private async addTierRole(t: Ticket): Promise<void> {
    const thread = threadLink(t);
    if (!thread) return;
    const desk = this.d.directory.desk(t.deskId);
    const role = tierOf(desk, t.tier)?.channels.discord?.role;
    if (!role) return;
    const text = translator(t.locale, desk.locale)('discord.thread_opened', { role: `<@&${role}>`, number: t.number, subject: neutralizeMentions(t.subject) }) as string;
    const view: View = { kind: 'notice', fallback: text, text };
    // `mentionRoles` lets exactly this role ping (that is what adds its members to a private thread).
    await this.d.delivery.send({ kind: 'post', key: `discord:role:${t.id}:${t.tier}`, platform: 'discord', target: { workspace: thread.workspace, channel: thread.channel, data: { mentionRoles: [role] } }, view, ticketId: t.id });
  }

  private async archive(t: Ticket): Promise<void> {
    const thread = threadLink(t);
    if (!thread) return;
    await this.d.platform.archive(thread.channel).catch((err: unknown) => this.d.log.warn({ err, ticket: t.number }, 'could not archive discord ticket thread'));
  }

  private async postTranscript(t: Ticket): Promise<void> {
    if (!t.links.some((l) => l.platform === 'discord') && t.requester.platform !== 'discord') return;
    const { markdown } = await this.d.helpdesk.transcript(t.id);
    const desk = this.d.directory.desk(t.deskId);
    const log = desk.logChannels.discord;
    if (!log) return;
    const title = translator(desk.locale)('discord.transcript_posted', { number: t.number, subject: neutralizeMentions(t.subject) }) as string;
    const view: View = {
      kind: 'transcript',
      fallback: title,
      title,
      file: { name: `${t.number}-transcript.md`, contentType: 'text/markdown', content: markdown },
    };
    // Stored as the ticket's `announce` link (channel + message of the log post) by the delivery.
    await this.d.delivery.send({ kind: 'post', key: `discord:transcript:${t.id}`, platform: 'discord', target: { workspace: log.workspace, channel: log.channel }, view, ticketId: t.id, linkAs: { role: 'announce' } });
  }
}
