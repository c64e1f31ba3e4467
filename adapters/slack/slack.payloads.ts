import { z } from 'zod';
import { STORED_TEXT_MAX } from '../../core/views/text-limits.js';

/**
 * Schemas of the Slack payloads the adapter reads, checked at the boundary (after the signature,
 * before Bolt dispatches): the fields our listeners read are strict on type and length; fields Bolt
 * itself reads while routing are checked for type only; everything else passes through untouched.
 * A body that fails is answered 400 (HTTP) or acknowledged empty (Socket Mode), counted and logged.
 */

/**
 * Texts are refused only when absurd: ten times what a ticket keeps (core cuts long text to
 * `STORED_TEXT_MAX` with a visible marker and tells the person — that policy, not this gate, decides
 * what happens to long text). Slack itself stops at 40,000 characters.
 */
export const SLACK_TEXT_MAX = 10 * STORED_TEXT_MAX;

const id = z.string().min(1).max(255);
const optId = id.optional();
const text = z.string().max(SLACK_TEXT_MAX);
const url = z.string().max(2_000).refine((s) => s.startsWith('https://') || s.startsWith('http://'), 'not an http(s) URL');
/** A non-null object whose other keys are not ours to check. */
const anyObject = z.looseObject({});

// ── What Bolt reads while routing any body (App.processEvent, buildSource, built-in middleware) ──

const boltUser = z.looseObject({ id, team_id: optId, name: z.string().max(255).optional(), username: z.string().max(255).optional() });
const boltTeam = z.looseObject({ id: optId, enterprise_id: optId }).nullish();
const boltEnvelope = z.looseObject({
  type: z.string().max(100).optional(),
  team: boltTeam,
  enterprise: z.looseObject({ id: optId }).nullish(),
  function_data: anyObject.optional(),
  response_url: url.optional(),
  response_urls: z.array(z.looseObject({ response_url: url })).max(10).optional(),
  is_enterprise_install: z.union([z.boolean(), z.string().max(10)]).optional(),
});
const boltEvent = z.looseObject({
  type: z.string().min(1).max(100),
  user: z.union([id, z.looseObject({ id: optId })]).optional(),
  channel: z.union([id, anyObject]).optional(),
  channel_id: optId,
  item: anyObject.optional(),
  subteam: anyObject.optional(),
});

// ── Events API ─────────────────────────────────────────────────────────────────────────────────

const eventEnvelope = boltEnvelope.extend({
  type: z.literal('event_callback'),
  team_id: optId,
  event_id: optId,
  authorizations: z.array(z.looseObject({ team_id: id.nullish(), enterprise_id: id.nullish() })).max(100).optional(),
});

export const slackMessageEvent = z.object({
  type: z.literal('message'),
  subtype: z.string().max(100).optional(),
  channel: id,
  channel_type: z.string().max(50).optional(),
  user: optId,
  bot_id: optId,
  text: text.optional(),
  ts: id,
  thread_ts: optId,
});
export type SlackMessageEvent = z.infer<typeof slackMessageEvent>;

export const slackReactionEvent = z.object({
  type: z.literal('reaction_added'),
  user: id,
  reaction: z.string().min(1).max(255),
  item_user: optId,
  item: z.union([z.object({ type: z.literal('message'), channel: id, ts: id }), z.object({ type: z.string().max(50).refine((t) => t !== 'message', 'message items need channel and ts') })]),
});
export type SlackReactionEvent = z.infer<typeof slackReactionEvent>;

// ── Slash commands (form fields, so every value is a string) ───────────────────────────────────

export const slackCommand = z.object({
  command: z.string().min(1).max(100),
  team_id: id,
  user_id: id,
  user_name: z.string().max(255).optional(),
  channel_id: id,
  trigger_id: id,
  text: text.optional(),
  response_url: url,
});
export type SlackCommand = z.infer<typeof slackCommand>;

// ── Interactivity ──────────────────────────────────────────────────────────────────────────────

const actor = z.object({ id, name: z.string().max(255).optional(), username: z.string().max(255).optional(), team_id: optId });
const team = z.object({ id: optId }).nullish();

const blockAction = z.object({
  action_id: z.string().min(1).max(255),
  action_ts: z.string().max(255).optional(),
  value: z.string().max(2_000).optional(),
  selected_option: z.object({ value: z.string().max(2_000) }).nullish(),
});
export const slackBlockActions = z.object({
  type: z.literal('block_actions'),
  user: actor,
  team,
  trigger_id: optId,
  actions: z.array(blockAction).min(1).max(25),
  container: z.object({ channel_id: optId, message_ts: optId }).nullish(),
  channel: z.object({ id: optId }).nullish(),
  message: z.object({ ts: optId }).nullish(),
});
export type SlackBlockActions = z.infer<typeof slackBlockActions>;

const stateValue = z.object({ type: z.string().max(100).optional(), value: text.nullish(), selected_option: z.object({ value: z.string().max(2_000) }).nullish() });
const stateValues = z.record(z.string().max(255), z.record(z.string().max(255), stateValue));
export type SlackStateValues = z.infer<typeof stateValues>;

export const slackViewBody = z.object({
  type: z.enum(['view_submission', 'view_closed']),
  user: actor,
  team,
  view: z.object({
    id,
    callback_id: z.string().max(255).optional(),
    /** Slack caps private_metadata at 3,000 characters. */
    private_metadata: z.string().max(3_000).optional(),
    state: z.object({ values: stateValues }).optional(),
  }),
});
export type SlackViewBody = z.infer<typeof slackViewBody>;

export const slackMessageAction = z.object({
  type: z.literal('message_action'),
  callback_id: z.string().min(1).max(255),
  trigger_id: id,
  user: actor,
  team,
  channel: z.object({ id }),
  message: z.object({ ts: id, thread_ts: optId, user: optId, text: text.optional() }),
});
export type SlackMessageAction = z.infer<typeof slackMessageAction>;

// ── The gate ───────────────────────────────────────────────────────────────────────────────────

/** A validated body, by what it is. Listeners read these, not Bolt's unchecked arguments. */
export type SlackPayload =
  | { kind: 'event.message'; teamId?: string; eventId?: string; event: SlackMessageEvent }
  | { kind: 'event.reaction_added'; teamId?: string; eventId?: string; event: SlackReactionEvent }
  | { kind: 'event.other' }
  | { kind: 'command'; command: SlackCommand }
  | { kind: 'block_actions'; body: SlackBlockActions }
  | { kind: 'view'; body: SlackViewBody }
  | { kind: 'message_action'; body: SlackMessageAction }
  | { kind: 'other' };

export type SlackPayloadKind = SlackPayload['kind'] | 'unknown';

export type SlackParse = { ok: true; payload: SlackPayload } | { ok: false; kind: SlackPayloadKind; error: z.ZodError | string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks what Bolt reads (`bolt`), then what our listener reads (`ours`), and builds the payload from the latter. */
function gate<T>(kind: SlackPayloadKind, bolt: z.ZodType[], ours: z.ZodType<T>, body: unknown, build: (data: T) => SlackPayload): SlackParse {
  for (const s of bolt) {
    const r = s.safeParse(body);
    if (!r.success) return { ok: false, kind, error: r.error };
  }
  const r = ours.safeParse(body);
  return r.success ? { ok: true, payload: build(r.data) } : { ok: false, kind, error: r.error };
}

const boltEventBody = eventEnvelope.extend({ event: boltEvent });
const messageBody = z.object({ team_id: optId, event_id: optId, event: slackMessageEvent });
const reactionBody = z.object({ team_id: optId, event_id: optId, event: slackReactionEvent });
const boltView = z.looseObject({ user: boltUser, view: z.looseObject({ app_installed_team_id: optId }) });
const boltActor = z.looseObject({ user: boltUser });
/** Interactivity types Slack sends that the app has no listener for (Bolt still routes them). */
const OTHER_TYPES = new Set(['shortcut', 'block_suggestion', 'interactive_message', 'dialog_submission', 'dialog_suggestion', 'dialog_cancellation']);
const boltOther = z.looseObject({ user: boltUser, channel: z.looseObject({ id: optId }).optional() });

/**
 * Classifies a parsed Slack body the way Bolt routes it (event, command, options, action, shortcut,
 * view) and validates it: what Bolt reads for every body, and what our listeners read for theirs.
 */
export function parseSlackBody(body: unknown): SlackParse {
  if (!isRecord(body)) return { ok: false, kind: 'unknown', error: 'body is not an object' };
  if (body.event !== undefined) {
    const evType = isRecord(body.event) ? body.event.type : undefined;
    if (evType === 'message') return gate('event.message', [boltEventBody], messageBody, body, (b) => ({ kind: 'event.message', teamId: b.team_id, eventId: b.event_id, event: b.event }));
    if (evType === 'reaction_added') return gate('event.reaction_added', [boltEventBody], reactionBody, body, (b) => ({ kind: 'event.reaction_added', teamId: b.team_id, eventId: b.event_id, event: b.event }));
    return gate('event.other', [], boltEventBody, body, () => ({ kind: 'event.other' }));
  }
  if (body.command !== undefined) return gate('command', [boltEnvelope], slackCommand, body, (command) => ({ kind: 'command', command }));
  if (body.type === 'block_actions') return gate('block_actions', [boltEnvelope, boltActor], slackBlockActions, body, (b) => ({ kind: 'block_actions', body: b }));
  if (body.type === 'view_submission' || body.type === 'view_closed') return gate('view', [boltEnvelope, boltView], slackViewBody, body, (b) => ({ kind: 'view', body: b }));
  if (body.type === 'message_action') return gate('message_action', [boltEnvelope, boltActor], slackMessageAction, body, (b) => ({ kind: 'message_action', body: b }));
  // Bodies we do not act on (global shortcuts, options, legacy attachments, dialogs): only what Bolt reads.
  if (typeof body.type === 'string' && OTHER_TYPES.has(body.type)) return gate('other', [boltEnvelope], boltOther, body, () => ({ kind: 'other' }));
  if (body.type === 'app_rate_limited') return { ok: true, payload: { kind: 'other' } };
  return { ok: false, kind: 'unknown', error: 'not a Slack payload type the app receives' };
}

/** Thrown by the gate so the receiver answers 400 (HTTP) or acknowledges without running anything (Socket Mode). */
export class SlackPayloadRejected extends Error {
  constructor(readonly kind: SlackPayloadKind) {
    super(`malformed Slack payload (${kind})`);
    this.name = 'SlackPayloadRejected';
  }
}

/** The context key the gate stores the validated payload under (Bolt's custom properties). */
export const PAYLOAD_KEY = 'helpdeskPayload';

/**
 * The validated payload of the body a listener is running for, narrowed to the kind it expects.
 * The gate always sets it before any listener runs; a mismatch is a wiring bug, so it throws.
 */
export function payloadOf<K extends SlackPayload['kind']>(context: Record<string, unknown>, kind: K): Extract<SlackPayload, { kind: K }> {
  const p = context[PAYLOAD_KEY] as SlackPayload | undefined;
  if (!p || p.kind !== kind) throw new Error(`no validated Slack ${kind} payload in context (got ${p?.kind ?? 'none'})`);
  return p as Extract<SlackPayload, { kind: K }>;
}
