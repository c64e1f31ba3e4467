import { systemActor } from '../../core/domain/actor.js';
import { tierOf } from '../../core/domain/desk.js';
import type { EventBus } from '../../core/domain/event-bus.js';
import type { TicketEvent } from '../../core/domain/events.js';
import type { Link } from '../../core/domain/link.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { translator } from '../../core/i18n/index.js';
import type { Clock } from '../../core/ports/clock.port.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { IdempotencyStore, TicketStore } from '../../core/ports/ticket-store.port.js';
import { neutralizeMentions } from '../../core/views/sanitize.js';
import { buildTranscript } from '../../core/use-cases/transcript.js';
import type { View } from '../../core/views/view.js';
import type { DiscordPlatform } from './discord.platform.js';

export interface DiscordTicketSyncDeps {
  store: TicketStore;
  directory: Directory;
  idempotency: IdempotencyStore;
  clock: Clock;
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
 *   an `announce` link to that message) and stored as an internal `system` timeline entry.
 * Every step is guarded by a deterministic idempotency key, so replayed events do nothing twice.
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
    const key = `discord:role:${t.id}:${t.tier}`;
    if (!(await this.d.idempotency.firstTime(key))) return;
    const text = translator(t.locale, desk.locale)('discord.thread_opened', { role: `<@&${role}>`, number: t.number, subject: neutralizeMentions(t.subject) }) as string;
    const view: View = { kind: 'notice', fallback: text, text };
    // `mentionRoles` lets exactly this role ping (that is what adds its members to a private thread).
    await this.d.delivery.send({ kind: 'post', key, platform: 'discord', target: { workspace: thread.workspace, channel: thread.channel, data: { mentionRoles: [role] } }, view, ticketId: t.id });
  }

  private async archive(t: Ticket): Promise<void> {
    const thread = threadLink(t);
    if (!thread) return;
    await this.d.platform.archive(thread.channel).catch((err: unknown) => this.d.log.warn({ err, ticket: t.number }, 'could not archive discord ticket thread'));
  }

  private async postTranscript(t: Ticket): Promise<void> {
    if (!t.links.some((l) => l.platform === 'discord') && t.requester.platform !== 'discord') return;
    const key = `discord:transcript:${t.id}`;
    if (!(await this.d.idempotency.firstTime(key))) return;
    const desk = this.d.directory.desk(t.deskId);
    const markdown = await buildTranscript(this.d, t);
    await this.d.store.appendTimeline({
      ticketId: t.id,
      at: this.d.clock.now(),
      kind: 'system',
      actor: systemActor('transcript'),
      visibility: 'internal',
      text: markdown,
      event: 'transcript',
    });
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
    await this.d.delivery.send({ kind: 'post', key, platform: 'discord', target: { workspace: log.workspace, channel: log.channel }, view, ticketId: t.id, linkAs: { role: 'announce' } });
  }
}
