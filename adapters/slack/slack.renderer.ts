import { encodeAction } from '../shared/action-codec.js';
import { t } from '../../core/i18n/index.js';
import { neutralizeMentions } from '../../core/views/sanitize.js';
import { MAX_CUT_SHORTFALL, clipText, splitText } from '../../core/views/text-limits.js';
import type { View, ViewAction } from '../../core/views/view.js';

/** A Block Kit block. Kept structural (not @slack/types) so the renderer stays easy to test. */
export type Block = Record<string, unknown>;

export interface SlackMessage {
  /** Notification / accessibility fallback. */
  text: string;
  blocks: Block[];
}

export interface RenderOptions {
  /** Label of the "Add internal note" button added to active triage cards. */
  noteLabel?: string;
  /** Extra context line (e.g. the escalation's link back to the tier-1 card), already mrkdwn. */
  extraContext?: string;
}

/**
 * Slack's documented limits: section text 3,000 characters, section field 2,000, context element
 * 2,000 (kept a little under), 50 blocks, button/option labels 75. `chat.postMessage` rejects a
 * message whose blocks hold more than about 13,000 characters in all (`msg_blocks_too_long`, seen at
 * ~13,200 — slackapi/bolt-js#2509), so a message's blocks stay within `blocks` (12,000), of which
 * the body (`view.text`) gets at most `body` (7,500: three sections, each safely cut under 3,000). `text` is the notification
 * fallback: Slack accepts 40,000 but recommends at most 4,000; we send at most 3,000.
 */
export const SLACK_LIMITS = { section: 3000, field: 1900, context: 1900, button: 75, fallback: 3000, option: 75, body: 7500, bodySections: 3, blocks: 12_000, blockCount: 50 } as const;
const LIMIT = SLACK_LIMITS;

const cut = (s: string, n: number) => {
  if (s.length <= n) return s;
  const c = s.charCodeAt(n - 2);
  return `${s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 2 : n - 1)}…`;
};

/**
 * `text` as mrkdwn in at most `max` characters: cut before conversion (so an `&amp;` or a kept
 * `<@U…>` is never split) and, since escaping lengthens text, cut again by the excess until it fits.
 */
function mrkdwnWithin(text: string, max: number, marker: string): string {
  if (text.length <= max * 2) {
    const full = toMrkdwn(text);
    if (full.length <= max) return full;
  }
  let budget = max;
  let out = '';
  for (let i = 0; i < 6 && budget > 0; i++) {
    out = toMrkdwn(clipText(text, budget, marker).text);
    if (out.length <= max) return out;
    budget -= out.length - max + 16;
  }
  return clipText(out, max, toMrkdwn(marker)).text;
}

/**
 * Makes core's text safe and right for Slack mrkdwn: broadcast/group mentions neutralised (a second
 * line behind core's own sanitising), `& < >` escaped so user text can never form Slack's special
 * syntax (`<!channel>`, `<https://evil|innocent>`), except person/channel mentions (`<@U…>`,
 * `<#C…>`), which are kept; `**bold**` becomes Slack's `*bold*`.
 */
export function toMrkdwn(text: string): string {
  const keep: string[] = [];
  const held = neutralizeMentions(text).replace(/<([@#][UWC][A-Z0-9]+(?:\|[^<>]*)?)>/g, (m) => {
    keep.push(m);
    return `\u0000${keep.length - 1}\u0000`;
  });
  return held
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => keep[Number(i)] ?? '');
}

/** Slack `action_id`s must be unique within a message: the index makes them so. */
function button(a: ViewAction, i: number): Block {
  return {
    type: 'button',
    action_id: `hd:${a.action}:${i}`,
    text: { type: 'plain_text', text: cut(a.label, LIMIT.button), emoji: true },
    value: encodeAction(a),
    ...(a.style && a.style !== 'default' ? { style: a.style } : {}),
  };
}

const sectionMd = (mrkdwn: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });
const context = (mrkdwn: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(mrkdwn, LIMIT.context) }] });

/** Characters of text a block holds (what Slack's overall blocks limit counts, approximately). */
function blockChars(b: Block): number {
  let n = 0;
  const walk = (x: unknown): void => {
    if (typeof x === 'string') n += x.length;
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) if (k === 'text' || typeof v === 'object') walk(v);
  };
  walk(b);
  return n;
}

/**
 * Neutral View → Block Kit message. Pure: no I/O. Long text follows core's policy
 * (core/views/text-limits.ts): the body is spread over up to three sections and cut with the
 * view's marker beyond {@link SLACK_LIMITS}.body or what the message's other blocks leave.
 */
export function renderView(view: View, opts: RenderOptions = {}): SlackMessage {
  const marker = view.clipMarker ?? t(undefined, 'text.truncated');
  const blocks: Block[] = [];
  let n = 0;
  if (view.author) blocks.push(context(`*${toMrkdwn(view.author)}*`));
  if (view.title) blocks.push(sectionMd(mrkdwnWithin(`**${view.title}**`, LIMIT.section, marker)));
  const bodyAt = blocks.length;
  if (view.fields?.length) {
    blocks.push({
      type: 'section',
      fields: view.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${toMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`, LIMIT.field) })),
    });
  }
  for (const item of view.items ?? []) {
    const title = item.url ? `*<${encodeURI(item.url)}|${toMrkdwn(item.title)}>*` : `*${toMrkdwn(item.title)}*`;
    const room = LIMIT.section - title.length - 1;
    blocks.push(sectionMd(item.text && room > 0 ? `${title}\n${mrkdwnWithin(item.text, room, marker)}` : cut(title, LIMIT.section)));
    if (item.actions?.length) blocks.push({ type: 'actions', elements: item.actions.map((a) => button(a, n++)) });
  }
  const elements: Block[] = (view.actions ?? []).map((a) => button(a, n++));
  if (view.select) {
    const s = view.select;
    const options = s.options.map((o) => ({ text: { type: 'plain_text', text: cut(o.label, LIMIT.option) }, value: encodeAction({ action: s.action, ticketId: s.ticketId, arg: o.value }) }));
    const initial = options[s.options.findIndex((o) => s.selected !== undefined && o.value === s.selected)];
    elements.push({
      type: 'static_select',
      action_id: `hd:${s.action}:${n++}`,
      placeholder: { type: 'plain_text', text: cut(s.placeholder, 150) },
      options,
      ...(initial ? { initial_option: initial } : {}),
    });
  }
  const ticketId = view.actions?.[0]?.ticketId ?? view.select?.ticketId;
  if (opts.noteLabel && ticketId && (view.kind === 'ticket_card' || view.kind === 'escalation') && view.select) {
    elements.push(button({ action: 'note', label: opts.noteLabel, ticketId }, n++));
  }
  if (elements.length) blocks.push({ type: 'actions', elements: elements.slice(0, 25) });
  const small = [view.context ? toMrkdwn(view.context) : undefined, opts.extraContext].filter(Boolean).join(' · ');
  if (small) blocks.push(context(small));
  if (view.text) {
    // The body goes in last, in the room the other blocks leave (message total and block count).
    const used = blocks.reduce((sum, b) => sum + blockChars(b), 0);
    const count = Math.max(1, Math.min(LIMIT.bodySections, LIMIT.blockCount - blocks.length));
    const room = Math.max(0, Math.min(LIMIT.body, count * (LIMIT.section - MAX_CUT_SHORTFALL), LIMIT.blocks - used));
    const sections = splitText(mrkdwnWithin(view.text, room, marker), LIMIT.section, count);
    blocks.splice(bodyAt, 0, ...sections.map(sectionMd));
  }
  return { text: mrkdwnWithin(view.fallback, LIMIT.fallback, marker), blocks: blocks.slice(0, LIMIT.blockCount) };
}
