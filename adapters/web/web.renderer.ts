import { t } from '../../core/i18n/index.js';
import { truncate } from '../../core/views/sanitize.js';
import { clipText } from '../../core/views/text-limits.js';
import type { View, ViewAction } from '../../core/views/view.js';

/**
 * Longest text of one web chat message (a chat bubble, not a document). Longer bodies follow core's
 * long-text policy (core/views/text-limits.ts): cut at a safe boundary with the visible marker
 * "[truncated — full text in the ticket]"; the whole text stays on the ticket's timeline.
 */
export const WEB_MESSAGE_MAX = 4000;
const TITLE_MAX = 300;
const ITEM_TEXT_MAX = 500;

/** An action the browser can offer (a button). Only actions a visitor may take are kept. */
export interface WebAction {
  action: 'solved' | 'need_help' | 'rate' | 'reopen';
  label: string;
  ticketId: string;
  arg?: string;
}

/**
 * A message as the browser receives it: plain strings only (the page sets them with `textContent`,
 * so markup in user text is shown as text, never parsed).
 */
export interface WebMessage {
  kind: View['kind'] | 'mine';
  text: string;
  title?: string;
  author?: string;
  context?: string;
  accent?: View['accent'];
  fields?: Array<{ label: string; value: string }>;
  items?: Array<{ title: string; text?: string; url?: string; actions?: WebAction[] }>;
  actions?: WebAction[];
}

const VISITOR_ACTIONS = new Set<WebAction['action']>(['solved', 'need_help', 'rate', 'reopen']);
const safeUrl = (u?: string) => (u && /^https?:\/\//i.test(u) ? u.slice(0, 2000) : undefined);
const actions = (a?: ViewAction[]) => {
  const kept = (a ?? []).filter((x): x is ViewAction & { action: WebAction['action'] } => VISITOR_ACTIONS.has(x.action as WebAction['action']));
  return kept.length ? kept.map((x) => ({ action: x.action, label: x.label, ticketId: x.ticketId, ...(x.arg !== undefined ? { arg: x.arg } : {}) })) : undefined;
};

/** Lightweight Markdown marks core uses (`*bold*`, `_it_`) are dropped: the web shows plain text. */
function plain(s: string): string {
  let out = '';
  for (const ch of s) if (ch !== '*') out += ch;
  return out;
}

/** Neutral view → the browser's message object (lengths bounded, agent-only actions removed). */
export function renderWebMessage(view: View): WebMessage {
  const marker = view.clipMarker ?? t(undefined, 'text.truncated');
  const text = clipText(plain(view.text ?? view.fallback ?? ''), WEB_MESSAGE_MAX, marker).text;
  return {
    kind: view.kind,
    text,
    ...(view.title ? { title: truncate(plain(view.title), TITLE_MAX) } : {}),
    ...(view.author ? { author: truncate(view.author, TITLE_MAX) } : {}),
    ...(view.context ? { context: truncate(view.context, TITLE_MAX) } : {}),
    ...(view.accent ? { accent: view.accent } : {}),
    ...(view.fields?.length ? { fields: view.fields.map((f) => ({ label: truncate(f.label, TITLE_MAX), value: truncate(f.value, TITLE_MAX) })) } : {}),
    ...(view.items?.length
      ? { items: view.items.map((i) => ({ title: truncate(i.title, TITLE_MAX), ...(i.text ? { text: clipText(plain(i.text), ITEM_TEXT_MAX, marker).text } : {}), ...(safeUrl(i.url) ? { url: safeUrl(i.url) } : {}), ...(actions(i.actions) ? { actions: actions(i.actions) } : {}) })) }
      : {}),
    ...(actions(view.actions) ? { actions: actions(view.actions) } : {}),
  };
}
