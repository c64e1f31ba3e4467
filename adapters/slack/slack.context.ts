import type { WebClient } from '@slack/web-api';
import type { Desk } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { View } from '../../core/views/view.js';
import type { SlackPeople } from './slack.people.js';
import type { SlackPlatform } from './slack.platform.js';
import { renderView } from './slack.renderer.js';

/** Everything the inbound listeners use; built once by `createSlackAdapter`. */
export interface SlackInboundDeps {
  helpdesk: Helpdesk;
  directory: Directory;
  platform: SlackPlatform;
  /** Web API client for inbound-side calls (views.open, conversations.replies, users.info). */
  client: WebClient;
  /** Display names and locales (users.info, cached). */
  people: SlackPeople;
  log: Logger;
  /** Fallback locale when the person's is unknown. */
  deskLocale?: string;
  /** `desk`: use the desk's locale (no API call). `slack`: one `users.info?include_locale` per request. */
  userLocale: 'desk' | 'slack';
  /** Channels where the file-ticket reaction works; undefined: desks' Slack intake channels, else any. */
  watchedChannels?: readonly string[];
  /** Slash command name, e.g. `/help`. */
  command: string;
}

export const SHORTCUT_CREATE_TICKET = 'hd_create_ticket';

export const slackIdentity = (workspace: string, user: string, name?: string): Identity => ({ platform: 'slack', workspace, user, ...(name ? { name } : {}) });

/**
 * A Slack person with their profile's display name (cached users.info) rather than a payload's legacy
 * `user.name` handle: core then shows one name per person (an agent's is the directory's anyway).
 */
export async function slackPerson(d: SlackInboundDeps, workspace: string, user: string, handle?: string): Promise<Identity> {
  // The legacy handle only when the profile cannot be read (no users:read): better than a bare id.
  return slackIdentity(workspace, user, (await d.people.profile(user)).name ?? handle);
}

/** The desk serving a channel, or undefined when none is configured for it. */
export function deskAt(d: SlackInboundDeps, workspace: string, channel?: string): Desk | undefined {
  try {
    return d.directory.deskFor({ platform: 'slack', workspace, ...(channel ? { channel } : {}) });
  } catch {
    return undefined;
  }
}

/** The person's Slack locale (`es-ES`…) when configured to look it up; undefined means the desk's. */
export async function localeOf(d: SlackInboundDeps, who: Identity): Promise<string | undefined> {
  if (d.userLocale !== 'slack') return undefined;
  return (await d.people.profile(who.user)).locale;
}

/** A `respond()` / response_url body showing `view` only to the person. */
export function ephemeral(view: View, replaceOriginal = false): { response_type: 'ephemeral'; replace_original: boolean; text: string; blocks: Record<string, unknown>[] } {
  const m = renderView(view);
  return { response_type: 'ephemeral', replace_original: replaceOriginal, text: m.text, blocks: m.blocks };
}

/** POSTs to a response_url (what Bolt's `respond` does), for places where Bolt gives none (modals). */
export async function postToResponseUrl(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

/** Is the file-ticket reaction honoured in this channel? */
export function isWatched(d: SlackInboundDeps, workspace: string, channel: string): boolean {
  if (d.watchedChannels) return d.watchedChannels.includes(channel);
  const intake = d.directory.desks().flatMap((k) => k.intake.filter((i) => i.platform === 'slack' && i.workspace === workspace && i.channel));
  return intake.length === 0 || intake.some((i) => i.channel === channel);
}

/**
 * The text of a filed message and its thread so far (one `conversations.replies` call; bots'
 * messages left out). Falls back to `fallbackText` when the history cannot be read.
 */
export async function threadText(d: SlackInboundDeps, channel: string, rootTs: string, fallbackText: string | undefined): Promise<{ text: string; author?: string; root: string }> {
  try {
    const r = await d.client.conversations.replies({ channel, ts: rootTs, limit: 50 });
    const all = (r.messages ?? []) as Array<{ user?: string; bot_id?: string; text?: string; ts?: string; thread_ts?: string }>;
    // Asked with a reply's ts, Slack answers with the whole thread: its parent is the real root.
    const root = all[0]?.thread_ts ?? all[0]?.ts ?? rootTs;
    const msgs = all.filter((m) => !m.bot_id && m.text?.trim());
    if (msgs.length === 0) return { text: fallbackText ?? '', root };
    const [first, ...rest] = msgs;
    const replies = rest.map((m) => `${m.user ?? '?'}: ${m.text!.trim()}`);
    return { text: [first!.text!.trim(), ...(replies.length ? ['', ...replies] : [])].join('\n'), author: first!.user, root };
  } catch (err) {
    d.log.warn({ err, channel }, 'conversations.replies failed; filing the message text only');
    return { text: fallbackText ?? '', root: rootTs };
  }
}
