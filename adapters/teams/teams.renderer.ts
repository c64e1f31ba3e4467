import type { Activity, Attachment } from 'botbuilder';
import { t } from '../../core/i18n/index.js';
import { clipText, jsonPayloadWeight, measure, payloadBytes } from '../../core/views/text-limits.js';
import type { ActionId, View, ViewAction } from '../../core/views/view.js';
import { actionFields, decodeActionFields } from '../shared/action-codec.js';

/** Adapter-internal verb Teams sends when a card asks for its refreshed version. */
export const REFRESH = 'refresh';
export type CardActionId = ActionId | typeof REFRESH;

/** What a card action carries back (`Action.Execute` data, inputs merged in by Teams). */
export interface CardActionData {
  action: CardActionId;
  ticketId: string;
  arg?: string;
}

export interface RenderOptions {
  /** Locale for the few texts the renderer adds itself (input placeholders). */
  locale?: string;
  /** A short error shown on top of the card for the person who acted (invoke responses only). */
  banner?: string;
  /** An "open the original card" link (escalations). */
  linkBack?: { label: string; url: string };
}

type Json = Record<string, unknown>;

const ACCENT_STYLE: Record<NonNullable<View['accent']>, string> = {
  new: 'accent',
  open: 'accent',
  claimed: 'emphasis',
  pending: 'emphasis',
  escalated: 'warning',
  resolved: 'good',
  closed: 'default',
  error: 'attention',
};

/** Slack-style `*bold*` (used by some core texts) → Adaptive Card Markdown `**bold**`. */
const md = (s: string) => s.replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,:;!?]|$)/g, '$1**$2**');

const execute = (a: Pick<ViewAction, 'action' | 'ticketId' | 'arg' | 'label' | 'style'>): Json => ({
  type: 'Action.Execute',
  title: a.label,
  verb: `hd:${a.action}`,
  data: { hd: actionFields(a) satisfies CardActionData },
  ...(a.style === 'primary' ? { style: 'positive' } : a.style === 'danger' ? { style: 'destructive' } : {}),
});

/** The ticket a view is about (for refresh and link-back lookups). */
export function viewTicketId(view: View): string | undefined {
  return view.actions?.[0]?.ticketId ?? view.select?.ticketId ?? view.items?.find((i) => i.actions?.length)?.actions?.[0]?.ticketId;
}

/**
 * Teams refuses a bot message over its size limit with 413 `MessageSizeTooBig`, a permanent failure.
 * Microsoft has documented 28 KB, 40 KB ("the entire message payload encoded as UTF-16") and lately
 * 100 KB; we keep to the lowest: what we render (activity or card) stays within `rendered` bytes,
 * counted as JSON in UTF-16 or UTF-8, whichever is larger (core's `jsonPayloadWeight`), leaving
 * room under `activity` for what botbuilder adds (conversation, from, recipient, serviceUrl…).
 */
export const TEAMS_LIMITS = { activity: 28_000, rendered: 24_000, summary: 1000, minor: 1000 } as const;

/** Bytes of a rendered card or activity as Teams' limit counts them. */
export const teamsPayloadBytes = (x: unknown): number => payloadBytes(JSON.stringify(x));

/**
 * Renders `view` with `render`, and while the result is over the Teams budget, cuts the view's body
 * text by the excess (with the marker); if the body alone cannot make room, the other texts (items,
 * fields, context) are cut too. Each step is linear; at most a handful of steps.
 */
function fitted<T>(view: View, render: (v: View) => T): T {
  const budget = TEAMS_LIMITS.rendered;
  const marker = view.clipMarker ?? t(undefined, 'text.truncated');
  // Every character costs at least 2 bytes: text longer than budget/2 characters cannot fit, so cut
  // it by characters first (O(1)), which keeps the rest of the work proportional to the budget.
  const chars = Math.floor(budget / 2);
  const pre: View =
    view.text && view.text.length > chars ? { ...view, text: clipText(view.text, chars, marker).text, fallback: clipText(view.fallback, TEAMS_LIMITS.summary, marker).text } : view;
  let out = render(pre);
  let size = teamsPayloadBytes(out);
  if (size <= budget) return out;
  const clip = (s: string, max: number) => clipText(s, Math.max(0, max), marker, jsonPayloadWeight).text;
  let v: View = { ...pre, fallback: clip(pre.fallback, TEAMS_LIMITS.summary) };
  for (let i = 0; i < 6 && size > budget; i++) {
    if (i >= 2 || !v.text) {
      // The body is not (or no longer) what makes the message too big: cut everything else too.
      const m = TEAMS_LIMITS.minor;
      v = {
        ...v,
        title: v.title === undefined ? undefined : clip(v.title, m),
        context: v.context === undefined ? undefined : clip(v.context, m),
        fields: v.fields?.slice(0, 10).map((f) => ({ label: clip(f.label, 200), value: clip(f.value, m) })),
        items: v.items?.slice(0, 10).map((it) => ({ ...it, title: clip(it.title, 500), text: it.text === undefined ? undefined : clip(it.text, m) })),
      };
    }
    if (v.text) {
      const excess = teamsPayloadBytes(render(v)) - budget;
      if (excess > 0) v = { ...v, text: clip(v.text, measure(v.text, jsonPayloadWeight) - excess - 64) };
    }
    out = render(v);
    size = teamsPayloadBytes(out);
  }
  return out;
}

/**
 * Neutral view → Adaptive Card 1.5 with Universal Actions (`Action.Execute`), within the Teams size
 * budget (long text cut with the view's marker, core/views/text-limits.ts).
 */
export function renderCard(view: View, opts: RenderOptions = {}): Json {
  return fitted(view, (v) => buildCard(v, opts));
}

function buildCard(view: View, opts: RenderOptions): Json {
  const body: Json[] = [];
  if (opts.banner) body.push({ type: 'TextBlock', text: opts.banner, wrap: true, color: 'attention', weight: 'bolder' });
  const head: Json[] = [];
  if (view.author) head.push({ type: 'TextBlock', text: view.author, weight: 'bolder', wrap: true });
  if (view.title) head.push({ type: 'TextBlock', text: view.title, weight: 'bolder', size: 'medium', wrap: true });
  if (head.length) body.push({ type: 'Container', style: view.accent ? ACCENT_STYLE[view.accent] : 'default', bleed: true, items: head });
  if (view.text) body.push({ type: 'TextBlock', text: md(view.text), wrap: true });
  if (view.fields?.length) body.push({ type: 'FactSet', facts: view.fields.map((f) => ({ title: f.label, value: f.value })) });
  for (const item of view.items ?? []) {
    const items: Json[] = [{ type: 'TextBlock', text: item.url ? `[${item.title}](${item.url})` : item.title, weight: 'bolder', wrap: true }];
    if (item.text) items.push({ type: 'TextBlock', text: md(item.text), wrap: true, isSubtle: true, spacing: 'small' });
    if (item.actions?.length) items.push({ type: 'ActionSet', actions: item.actions.map(execute) });
    body.push({ type: 'Container', separator: true, items });
  }
  const actions: Json[] = (view.actions ?? []).map(execute);
  if (view.kind === 'csat') {
    body.push({ type: 'Input.Text', id: 'comment', isMultiline: true, maxLength: 2000, placeholder: t(opts.locale, 'teams.csat_comment') });
  }
  if (view.select) {
    const s = view.select;
    body.push({ type: 'Input.ChoiceSet', id: 'priority', style: 'compact', value: s.selected, choices: s.options.map((o) => ({ title: o.label, value: o.value })) });
    actions.push(execute({ action: s.action, ticketId: s.ticketId, label: s.placeholder }));
  }
  if (opts.linkBack) actions.push({ type: 'Action.OpenUrl', title: opts.linkBack.label, url: opts.linkBack.url });
  if (view.context) body.push({ type: 'TextBlock', text: view.context, isSubtle: true, size: 'small', wrap: true });
  const ticketId = viewTicketId(view);
  const live = view.kind === 'ticket_card' || view.kind === 'escalation';
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length ? { actions } : {}),
    // Universal Actions refresh: Teams asks for the current card when someone views it, so a card
    // changed elsewhere (e.g. claimed from Slack) shows the truth even before our edit arrives.
    // No `userIds`: Teams then auto-refreshes for everyone in chats/channels up to 60 members
    // (larger ones get "Refresh card"); every change is also edited into the message itself.
    ...(live && ticketId ? { refresh: { action: { type: 'Action.Execute', verb: `hd:${REFRESH}`, data: { hd: { action: REFRESH, ticketId } } } } } : {}),
    msteams: { width: 'Full' },
  };
}

export const cardAttachment = (card: Json): Attachment => ({ contentType: 'application/vnd.microsoft.card.adaptive', content: card });

/** Views that read best as a plain message rather than a card. */
const PLAIN: ReadonlySet<View['kind']> = new Set(['notice', 'relay', 'list', 'error']);

/**
 * A message activity for a view: plain Markdown text for short notices, a card otherwise; within
 * the Teams size budget ({@link TEAMS_LIMITS}).
 */
export function renderActivity(view: View, opts: RenderOptions = {}): Partial<Activity> {
  return fitted(view, (v) => buildActivity(v, opts));
}

function buildActivity(view: View, opts: RenderOptions): Partial<Activity> {
  if (PLAIN.has(view.kind) && !opts.linkBack) {
    const title = view.title ? `**${view.title}**\n\n` : '';
    const text = view.kind === 'relay' && view.author ? `**${view.author}**: ${view.text ?? ''}` : `${title}${md(view.text ?? view.fallback)}`;
    return { type: 'message', text, textFormat: 'markdown' };
  }
  return { type: 'message', summary: view.fallback, attachments: [cardAttachment(buildCard(view, opts))] };
}

/** The `Action.Execute` data of an incoming `adaptiveCard/action` invoke, with inputs Teams merged in. */
export function parseCardAction(data: unknown): (CardActionData & { priority?: string; comment?: string }) | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { hd?: Partial<CardActionData>; priority?: unknown; comment?: unknown };
  const hd = d.hd;
  // Our refresh verb, or an action the shared codec knows (anything else: not ours).
  const decoded = hd?.action === REFRESH && typeof hd.ticketId === 'string' && hd.ticketId ? { action: REFRESH as CardActionId, ticketId: hd.ticketId } : decodeActionFields(hd);
  if (!decoded) return undefined;
  return {
    ...decoded,
    priority: typeof d.priority === 'string' ? d.priority : undefined,
    comment: typeof d.comment === 'string' ? d.comment : undefined,
  };
}
