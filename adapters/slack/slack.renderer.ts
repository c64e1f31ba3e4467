import { encodeAction } from '../shared/action-codec.js';
import { neutralizeMentions } from '../../core/views/sanitize.js';
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

const LIMIT = { section: 2900, field: 1900, context: 1900, button: 75, fallback: 3000, option: 75 };

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

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

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: cut(toMrkdwn(text), LIMIT.section) } });
const context = (mrkdwn: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(mrkdwn, LIMIT.context) }] });

/** Neutral View → Block Kit message. Pure: no I/O. */
export function renderView(view: View, opts: RenderOptions = {}): SlackMessage {
  const blocks: Block[] = [];
  let n = 0;
  if (view.author) blocks.push(context(`*${toMrkdwn(view.author)}*`));
  if (view.title) blocks.push(section(`**${view.title}**`));
  if (view.text) blocks.push(section(view.text));
  if (view.fields?.length) {
    blocks.push({
      type: 'section',
      fields: view.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${toMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`, LIMIT.field) })),
    });
  }
  for (const item of view.items ?? []) {
    const title = item.url ? `*<${encodeURI(item.url)}|${toMrkdwn(item.title)}>*` : `*${toMrkdwn(item.title)}*`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`${title}${item.text ? `\n${toMrkdwn(item.text)}` : ''}`, LIMIT.section) } });
    if (item.actions?.length) blocks.push({ type: 'actions', elements: item.actions.map((a) => button(a, n++)) });
  }
  const elements: Block[] = (view.actions ?? []).map((a) => button(a, n++));
  if (view.select) {
    const s = view.select;
    const options = s.options.map((o) => ({ text: { type: 'plain_text', text: cut(o.label, LIMIT.option) }, value: encodeAction({ action: s.action, ticketId: s.ticketId, arg: o.value }) }));
    const initial = options.find((o) => s.selected !== undefined && o.value.endsWith(`|${s.selected}`));
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
  return { text: cut(toMrkdwn(view.fallback), LIMIT.fallback), blocks: blocks.slice(0, 50) };
}
