import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { translator } from '../../core/i18n/index.js';
import { PlatformError, type ChatPlatform, type PlatformCapabilities, type Posted, type PostTarget } from '../../core/ports/chat-platform.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { View } from '../../core/views/view.js';
import { renderView, type RenderOptions } from './slack.renderer.js';

/** Slack `error` strings a retry can fix; every other `ok: false` answer is permanent. */
const RETRYABLE_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/**
 * Turns a @slack/web-api failure into core's PlatformError so the delivery queue can decide:
 * 429 (`WebAPIRateLimitedError`, needs `rejectRateLimitedCalls`) → retryable with Retry-After;
 * HTTP 5xx and network errors → retryable; `ok: false` → by its `error` string.
 */
export function toPlatformError(err: unknown, method: string): PlatformError {
  if (err instanceof PlatformError) return err;
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return new PlatformError(`slack ${method}: rate limited`, true, Math.max(0, (e.retryAfter ?? 1) * 1000), 429, { cause: err });
    case ErrorCode.HTTPError:
      return new PlatformError(`slack ${method}: HTTP ${e.statusCode}`, (e.statusCode ?? 500) >= 500 || e.statusCode === 408, undefined, e.statusCode, { cause: err });
    case ErrorCode.RequestError:
      return new PlatformError(`slack ${method}: request failed`, true, undefined, undefined, { cause: err });
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new PlatformError(`slack ${method}: ${code}`, RETRYABLE_ERRORS.has(code), undefined, 200, { cause: err });
    }
    default:
      return new PlatformError(`slack ${method}: ${e?.message ?? String(err)}`, false, undefined, undefined, { cause: err });
  }
}

export interface SlackPlatformOptions {
  /** Web API client for outbound calls (tests point its `slackApiUrl` at a fake). */
  client: WebClient;
  /** Locale for the few labels the renderer adds itself ("Add internal note", "Original card"). */
  deskLocale?: string;
  /** Used to find an escalated ticket's tier-1 card for the link back. Optional. */
  store?: Pick<TicketStore, 'get'>;
  log: Logger;
}

/**
 * Slack's outbound side: posts (`chat.postMessage`), edits cards in place (`chat.update`) and opens
 * DMs (`conversations.open`). Failures surface as PlatformError; retrying is the delivery queue's job.
 */
export class SlackPlatform implements ChatPlatform {
  readonly platform = 'slack' as const;
  readonly capabilities: PlatformCapabilities = { ephemeral: true, reactions: true, threads: true, editMessages: true };
  private readonly render: RenderOptions;

  constructor(private readonly o: SlackPlatformOptions) {
    this.render = { noteLabel: translator(o.deskLocale)('action.note') };
  }

  async post(target: PostTarget, view: View): Promise<Posted> {
    const extraContext = view.kind === 'escalation' ? await this.linkBack(view).catch(() => undefined) : undefined;
    const msg = renderView(view, { ...this.render, extraContext });
    const res = await this.call('chat.postMessage', () =>
      this.o.client.chat.postMessage({ channel: target.channel, thread_ts: target.thread, ...msg, unfurl_links: false, unfurl_media: false }),
    );
    return { channel: (res.channel as string | undefined) ?? target.channel, message: res.ts as string, ...(target.thread ? { thread: target.thread } : {}) };
  }

  async update(link: Link, view: View): Promise<void> {
    if (!link.message) throw new PlatformError('slack chat.update: link has no message ts', false);
    const msg = renderView(view, this.render);
    await this.call('chat.update', () => this.o.client.chat.update({ channel: link.channel, ts: link.message!, ...msg }));
  }

  async dm(person: Identity, view: View): Promise<Posted> {
    const open = await this.call('conversations.open', () => this.o.client.conversations.open({ users: person.user }));
    const channel = (open.channel as { id?: string } | undefined)?.id;
    if (!channel) throw new PlatformError('slack conversations.open: no channel id', false);
    return this.post({ workspace: person.workspace, channel }, view);
  }

  /** Posts a private message visible only to `user` in `channel` (refusals, confirmations). */
  async ephemeral(channel: string, user: string, view: View, thread?: string): Promise<void> {
    const msg = renderView(view, this.render);
    await this.call('chat.postEphemeral', () => this.o.client.chat.postEphemeral({ channel, user, thread_ts: thread, ...msg }));
  }

  /** "Original card: <permalink|IT-1042>" for an escalation posted in a higher tier. */
  private async linkBack(view: View): Promise<string | undefined> {
    const ticketId = view.actions?.[0]?.ticketId ?? view.select?.ticketId;
    if (!ticketId || !this.o.store) return undefined;
    const t = await this.o.store.get(ticketId);
    const first = t?.links.find((l) => l.platform === 'slack' && l.role === 'triage' && l.message && (l.tier ?? 1) < t.tier);
    if (!t || !first) return undefined;
    const res = await this.o.client.chat.getPermalink({ channel: first.channel, message_ts: first.message! });
    const label = translator(t.locale, this.o.deskLocale)('notify.link_back');
    return res.permalink ? `<${res.permalink}|${label}>` : undefined;
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const pe = toPlatformError(err, method);
      this.o.log.warn({ method, retryable: pe.retryable, retryAfterMs: pe.retryAfterMs, status: pe.status, error: pe.message }, 'slack api call failed');
      throw pe;
    }
  }
}
