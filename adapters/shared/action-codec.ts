import type { ActionId, ViewAction } from '../../core/views/view.js';

/** The interactive-action payload every renderer encodes and every inbound side decodes. */
export interface DecodedAction {
  action: ActionId;
  ticketId: string;
  arg?: string;
}

/** Every action a card, suggestion list or CSAT question can carry. */
export const ACTIONS: readonly ActionId[] = ['claim', 'unclaim', 'escalate', 'resolve', 'priority', 'solved', 'need_help', 'rate', 'reopen', 'note', 'declare'];
const PREFIX = 'hd';
/** Discord's `custom_id` limit, the tightest of the platforms (Slack's button `value` takes 2,000). */
const MAX_ENCODED = 100;

/**
 * The one action codec of every platform. String form (Slack button values and select options,
 * Discord `custom_id`s): `hd:<action>:<ticketId>[:<arg>]`; ticket ids never contain `:` (the arg,
 * last, may). Teams carries the same fields as an `Action.Execute` data object (`actionFields` /
 * `decodeActionFields`), because Teams merges card inputs into that object.
 */
export function encodeAction(a: Pick<ViewAction, 'action' | 'ticketId' | 'arg'>): string {
  const id = `${PREFIX}:${a.action}:${a.ticketId}${a.arg !== undefined && a.arg !== '' ? `:${a.arg}` : ''}`;
  if (id.length > MAX_ENCODED) throw new RangeError(`encoded action over ${MAX_ENCODED} characters for action ${a.action}`);
  return id;
}

/**
 * Null for anything not produced by `encodeAction` (other apps' buttons, tampered values). Also
 * reads the earlier Slack form `hd|<action>|<ticketId>|<arg>`, so buttons already posted keep working.
 */
export function decodeAction(value: string | undefined | null): DecodedAction | null {
  if (!value || value.length > 2000) return null;
  const sep = value.startsWith(`${PREFIX}|`) ? '|' : ':';
  const [prefix, action, ticketId, ...argParts] = value.split(sep);
  return decodeActionFields(prefix === PREFIX ? { action, ticketId, arg: argParts.join(sep) } : undefined);
}

/** The object form (Teams `Action.Execute` data). */
export function actionFields(a: Pick<ViewAction, 'action' | 'ticketId' | 'arg'>): DecodedAction {
  return { action: a.action, ticketId: a.ticketId, ...(a.arg !== undefined ? { arg: a.arg } : {}) };
}

/** Validates the object form: a known action, a ticket id, an optional string arg. */
export function decodeActionFields(d: { action?: unknown; ticketId?: unknown; arg?: unknown } | undefined | null): DecodedAction | null {
  if (!d || typeof d.action !== 'string' || typeof d.ticketId !== 'string' || !d.ticketId || d.ticketId.length > 200) return null;
  if (!(ACTIONS as readonly string[]).includes(d.action)) return null;
  const arg = typeof d.arg === 'string' && d.arg !== '' ? d.arg : undefined;
  return { action: d.action as ActionId, ticketId: d.ticketId, ...(arg !== undefined ? { arg } : {}) };
}
