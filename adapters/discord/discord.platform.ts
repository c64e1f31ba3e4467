import { ButtonStyle, ChannelType, ComponentType, DiscordAPIError, HTTPError, RateLimitError, Routes, type REST, type RawFile } from 'discord.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { translator } from '../../core/i18n/index.js';
import { PlatformError, type ChatPlatform, type PlatformCapabilities, type PostTarget, type Posted } from '../../core/ports/chat-platform.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { neutralizeMentions, truncate } from '../../core/views/sanitize.js';
import type { View } from '../../core/views/view.js';
import { PANEL_ID } from './discord.custom-id.js';
import { jumpUrl, renderView, restrictedMentions, type RenderOptions, type RenderedMessage } from './discord.renderer.js';

/** Discord JSON error codes this adapter reacts to. */
export const DISCORD_CODES = { unknownChannel: 10003, unknownMessage: 10008, maxActiveThreads: 160006, threadArchived: 50083 } as const;

/** The guild's active-thread cap was hit: the adapter falls back to DMs and says so. */
export class DiscordThreadLimitError extends PlatformError {
  override name = 'DiscordThreadLimitError';
}

/**
 * Maps discord.js REST failures to PlatformError: 429 (with `rejectOnRateLimit`) and 5xx/network
 * errors are retryable with the server's Retry-After; other 4xx are permanent.
 */
export function toPlatformError(err: unknown, what: string): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof RateLimitError) return new PlatformError(`discord ${what}: rate limited`, true, err.retryAfter, 429, { cause: err });
  if (err instanceof DiscordAPIError) {
    if (err.code === DISCORD_CODES.maxActiveThreads) return new DiscordThreadLimitError(`discord ${what}: active thread limit`, false, undefined, err.status, { cause: err });
    const retryable = err.status === 429 || err.status >= 500 || err.status === 408;
    return new PlatformError(`discord ${what}: ${err.status} ${err.code}`, retryable, undefined, err.status, { cause: err });
  }
  if (err instanceof HTTPError) return new PlatformError(`discord ${what}: HTTP ${err.status}`, err.status >= 500 || err.status === 429, undefined, err.status, { cause: err });
  return new PlatformError(`discord ${what}: ${(err as Error)?.message ?? String(err)}`, true, undefined, undefined, { cause: err });
}

const apiCode = (e: PlatformError) => (e.cause instanceof DiscordAPIError ? e.cause.code : undefined);

interface ApiMessage {
  id: string;
  channel_id: string;
  attachments?: Array<{ url?: string }>;
}
interface ApiChannel {
  id: string;
  type: number;
  parent_id?: string | null;
}

export interface DiscordPlatformOptions {
  /** Used to add jump links (ticket thread, tier-1 card) to escalation posts. */
  store?: Pick<TicketStore, 'get'>;
  /** Locale for adapter-made labels. @defaultValue `'en'` */
  locale?: string;
}

/**
 * Outbound Discord through REST only (no gateway cache needed), so a worker process without a
 * gateway connection can deliver too. Every message carries restricted `allowed_mentions`.
 */
export class DiscordPlatform implements ChatPlatform {
  readonly platform = 'discord' as const;
  readonly capabilities: PlatformCapabilities = { ephemeral: true, reactions: true, threads: true, editMessages: true };

  constructor(readonly rest: REST, private readonly opts: DiscordPlatformOptions = {}) {}

  async post(target: PostTarget, view: View): Promise<Posted> {
    const links = view.kind === 'escalation' ? await this.linksBack(view) : undefined;
    const mentionRoles = Array.isArray(target.data?.mentionRoles) ? (target.data.mentionRoles as string[]) : undefined;
    const rendered = renderView(view, { mentionRoles, links } satisfies RenderOptions);
    // A card's conversation lives in a thread started from the card (same id as the card message).
    const inThread = target.thread !== undefined && target.thread !== target.channel;
    const channel = inThread ? target.thread! : target.channel;
    let msg: ApiMessage;
    try {
      msg = await this.send(channel, rendered);
    } catch (e) {
      const pe = toPlatformError(e, 'post');
      if (!inThread || apiCode(pe) !== DISCORD_CODES.unknownChannel) throw pe;
      const name = typeof target.data?.threadName === 'string' ? target.data.threadName : view.title ?? view.fallback;
      await this.call('start thread', () => this.rest.post(Routes.threads(target.channel, target.thread!), { body: { name: truncate(name, 100), auto_archive_duration: 10080 } }));
      msg = await this.send(channel, rendered);
    }
    // Cards remember their title so a later relay can name the thread it starts under the card.
    const data =
      view.kind === 'ticket_card' || view.kind === 'escalation'
        ? { threadName: truncate(view.title ?? view.fallback, 100) }
        : view.kind === 'transcript' && view.file
          ? { kind: 'transcript', filename: view.file.name, ...(msg.attachments?.[0]?.url ? { url: msg.attachments[0].url } : {}) }
          : undefined;
    return { channel: target.channel, message: msg.id, ...(inThread ? { thread: target.thread } : {}), ...(data ? { data } : {}) };
  }

  async update(link: Link, view: View): Promise<void> {
    if (!link.message) throw new PlatformError('discord update: link has no message', false);
    const { body } = renderView(view);
    await this.call('update', () => this.rest.patch(Routes.channelMessage(link.channel, link.message!), { body }));
  }

  async dm(person: Identity, view: View): Promise<Posted> {
    const ch = (await this.call('open dm', () => this.rest.post(Routes.userChannels(), { body: { recipient_id: person.user } }))) as ApiChannel;
    const msg = await this.send(ch.id, renderView(view));
    return { channel: ch.id, message: msg.id, data: { dm: true } };
  }

  /**
   * Opens a private thread (type 12, not invitable by members) under `target.channel`, adds the
   * `members` and pings `target.data.roles` once (a role mention is how a role joins a private thread).
   * Returns the thread id as both `channel` and `message`.
   */
  async openTicketThread(target: PostTarget, title: string, members: Identity[]): Promise<Posted> {
    const thread = (await this.call('open thread', () =>
      this.rest.post(Routes.threads(target.channel), {
        body: { name: truncate(neutralizeMentions(title), 100), type: ChannelType.PrivateThread, invitable: false, auto_archive_duration: 10080 },
      }),
    )) as ApiChannel;
    for (const m of members) await this.addMember(thread.id, m.user);
    const roles = Array.isArray(target.data?.roles) ? (target.data.roles as string[]) : [];
    if (roles.length) await this.mentionRoles(thread.id, roles, roles.map((r) => `<@&${r}>`).join(' '));
    return { channel: thread.id, message: thread.id, data: { kind: 'ticket_thread', parent: target.channel } };
  }

  /** Posts the persistent "Get help" panel (its button opens the help modal) in a support channel. */
  async postPanel(channelId: string, deskName: string, locale?: string): Promise<string> {
    const tr = translator(locale ?? this.opts.locale);
    const body = {
      embeds: [{ title: tr('discord.panel_title') as string, description: tr('discord.panel_text', { desk: deskName }) as string }],
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: tr('discord.panel_button') as string, custom_id: PANEL_ID }] }],
      allowed_mentions: restrictedMentions(),
    };
    const msg = (await this.call('post panel', () => this.rest.post(Routes.channelMessages(channelId), { body }))) as ApiMessage;
    return msg.id;
  }

  async addMember(threadId: string, userId: string): Promise<void> {
    await this.call('add thread member', () => this.rest.put(Routes.threadMembers(threadId, userId)));
  }

  /** Posts `text` allowing exactly `roles` to ping (adds those roles' members to a private thread). */
  async mentionRoles(channelId: string, roles: string[], text: string): Promise<void> {
    await this.send(channelId, { body: { content: truncate(text, 2000), allowed_mentions: { parse: [], roles } }, files: [] });
  }

  async rename(channelId: string, name: string): Promise<void> {
    await this.call('rename', () => this.rest.patch(Routes.channel(channelId), { body: { name: truncate(neutralizeMentions(name), 100) } }));
  }

  /** Archives and locks a ticket thread (closed or solved tickets stop counting against the cap). */
  async archive(channelId: string): Promise<void> {
    await this.call('archive', () => this.rest.patch(Routes.channel(channelId), { body: { archived: true, locked: true } }));
  }

  async deleteMessage(channelId: string, messageId: string): Promise<void> {
    await this.call('delete', () => this.rest.delete(Routes.channelMessage(channelId, messageId)));
  }

  async send(channelId: string, r: RenderedMessage): Promise<ApiMessage> {
    const files: RawFile[] = r.files.map((f, i) => ({ name: f.name, data: f.data, contentType: f.contentType, key: `files[${i}]` }));
    return (await this.call('post', () => this.rest.post(Routes.channelMessages(channelId), { body: r.body, files: files.length ? files : undefined }))) as ApiMessage;
  }

  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toPlatformError(e, what);
    }
  }

  /** Jump links for an escalation post: the requester's ticket thread and the earlier tier's card. */
  private async linksBack(view: View): Promise<RenderOptions['links']> {
    const ticketId = view.actions?.[0]?.ticketId ?? view.select?.ticketId;
    if (!ticketId || !this.opts.store) return undefined;
    const t = await this.opts.store.get(ticketId);
    if (!t) return undefined;
    const tr = translator(this.opts.locale);
    const out: NonNullable<RenderOptions['links']> = [];
    for (const l of t.links) {
      if (l.platform !== 'discord') continue;
      if (l.role === 'requester' && l.data?.kind === 'ticket_thread') out.push({ label: tr('discord.thread_link'), url: jumpUrl(l.workspace, l.channel) });
      if (l.role === 'triage' && l.message && (l.tier ?? 1) < t.tier) out.push({ label: tr('notify.link_back'), url: jumpUrl(l.workspace, l.channel, l.message) });
    }
    return out;
  }
}
