import type { Desk } from '../../core/domain/desk.js';
import { PRIORITIES, isPriority, type Priority } from '../../core/domain/ticket.js';
import { translator } from '../../core/i18n/index.js';
import type { SlackStateValues } from './slack.payloads.js';
import type { Block } from './slack.renderer.js';

/** callback_ids of our modals (also declared nowhere else: the manifest needs none). */
export const MODAL = { help: 'hd_help', note: 'hd_note', csat: 'hd_csat' } as const;

/** Where to answer after the help modal is submitted: the slash command's response_url and channel. */
export interface HelpModalMeta {
  channel?: string;
  responseUrl?: string;
}

const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 150), emoji: true });
const title = (text: string) => ({ type: 'plain_text', text: text.slice(0, 24) });

/** The `/help` (no text) modal: subject (required), details, category, urgency. */
export function helpModal(desk: Desk, locale: string | undefined, meta: HelpModalMeta): Record<string, unknown> {
  const tr = translator(locale, desk.locale);
  const blocks: Block[] = [
    { type: 'input', block_id: 'subject', label: plain(tr('intake.subject')), element: { type: 'plain_text_input', action_id: 'value', max_length: 120 } },
    { type: 'input', block_id: 'details', optional: true, label: plain(tr('intake.details')), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 } },
  ];
  if (desk.categories.length) {
    blocks.push({
      type: 'input', block_id: 'category', optional: true, label: plain(tr('intake.category')),
      element: { type: 'static_select', action_id: 'value', options: desk.categories.slice(0, 100).map((c) => ({ text: plain(c), value: c })) },
    });
  }
  blocks.push({
    type: 'input', block_id: 'urgency', optional: true, label: plain(tr('intake.urgency')),
    element: { type: 'static_select', action_id: 'value', options: PRIORITIES.map((p) => ({ text: plain(p), value: p })) },
  });
  return {
    type: 'modal',
    callback_id: MODAL.help,
    title: title(tr('intake.modal_title')),
    submit: plain(tr('intake.submit')),
    close: plain(tr('intake.cancel')),
    private_metadata: JSON.stringify({ ...meta, desk: desk.id }),
    blocks,
  };
}

type StateValues = SlackStateValues;

const read = (state: StateValues | undefined, block: string): string | undefined => {
  const el = state?.[block]?.value;
  const v = el?.selected_option?.value ?? el?.value ?? undefined;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

export type HelpModalInput =
  | { ok: true; subject: string; details: string; category?: string; priority?: Priority; meta: HelpModalMeta & { desk?: string } }
  | { ok: false; errors: Record<string, string> };

/**
 * Validates a help-modal submission on the server (Slack enforces `optional: false` in its client,
 * but a submission can still arrive without a value). Errors are keyed by block_id, as Slack's
 * `response_action: errors` wants.
 */
export function parseHelpModal(view: { state?: { values?: StateValues }; private_metadata?: string }, desk: Desk, locale?: string): HelpModalInput {
  const tr = translator(locale, desk.locale);
  const values = view.state?.values;
  const subject = read(values, 'subject');
  if (!subject) return { ok: false, errors: { subject: tr('intake.subject_required') } };
  const urgency = read(values, 'urgency');
  const category = read(values, 'category');
  let meta: HelpModalMeta & { desk?: string } = {};
  try {
    meta = JSON.parse(view.private_metadata || '{}') as HelpModalMeta & { desk?: string };
  } catch {
    meta = {};
  }
  return {
    ok: true,
    subject,
    details: read(values, 'details') ?? '',
    ...(category && desk.categories.includes(category) ? { category } : {}),
    ...(isPriority(urgency) ? { priority: urgency } : {}),
    meta,
  };
}

/** "Add internal note": one multiline input. */
export function noteModal(ticketId: string, number: string, locale?: string): Record<string, unknown> {
  const tr = translator(locale);
  return {
    type: 'modal',
    callback_id: MODAL.note,
    title: title(tr('action.note')),
    submit: plain(tr('intake.submit')),
    close: plain(tr('intake.cancel')),
    private_metadata: JSON.stringify({ ticketId }),
    blocks: [{ type: 'input', block_id: 'note', label: plain(number), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 } }],
  };
}

/** Where the CSAT answer goes: the ticket, the score picked, and the question message to edit. */
export interface CsatMeta {
  ticketId: string;
  score: number;
  channel?: string;
  ts?: string;
}

/**
 * The optional CSAT comment, asked after the person picks a score. `notify_on_close` makes Slack
 * send `view_closed` when they dismiss it, so the score is stored without a comment then.
 */
export function csatModal(meta: CsatMeta, number: string, locale?: string): Record<string, unknown> {
  const tr = translator(locale);
  return {
    type: 'modal',
    callback_id: MODAL.csat,
    notify_on_close: true,
    title: title(`${number} · ${meta.score}/5`),
    submit: plain(tr('intake.submit')),
    close: plain(tr('intake.skip')),
    private_metadata: JSON.stringify(meta),
    blocks: [{ type: 'input', block_id: 'comment', optional: true, label: plain(tr('csat.comment_prompt')), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 } }],
  };
}

export const readInput = read;
export type { StateValues };
