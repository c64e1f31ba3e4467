import type { ActionId } from '../../core/views/view.js';

/**
 * Discord component `custom_id`s (max 100 characters): `hd:<action>:<ticketId>[:<arg>]`.
 * Adapter-only ids (the panel's "Get help" button, the help modal) use `hd:<name>` with no ticket.
 */
export const PANEL_ID = 'hd:panel';
export const HELP_MODAL_ID = 'hd:help_modal';
export const MODAL_SUBJECT = 'subject';
export const MODAL_DETAILS = 'details';
/** The escalation-reason modal opened by an Escalate button: `hd:escalate_modal:<ticketId>[:<tier>]`. */
export const ESCALATE_MODAL_PREFIX = 'hd:escalate_modal:';
export const MODAL_REASON = 'reason';

const ACTIONS: readonly ActionId[] = ['claim', 'unclaim', 'escalate', 'resolve', 'priority', 'solved', 'need_help', 'rate', 'reopen', 'note'];

export interface DecodedAction {
  action: ActionId;
  ticketId: string;
  arg?: string;
}

export function encodeCustomId(action: ActionId, ticketId: string, arg?: string): string {
  const id = `hd:${action}:${ticketId}${arg !== undefined ? `:${arg}` : ''}`;
  if (id.length > 100) throw new RangeError(`custom_id over 100 characters for action ${action}`);
  return id;
}

/** Null for ids this bot did not make (another app's components, old formats). */
export function decodeCustomId(customId: string): DecodedAction | null {
  const [prefix, action, ticketId, ...rest] = customId.split(':');
  if (prefix !== 'hd' || !action || !ticketId || !(ACTIONS as readonly string[]).includes(action)) return null;
  const arg = rest.length ? rest.join(':') : undefined;
  return arg !== undefined ? { action: action as ActionId, ticketId, arg } : { action: action as ActionId, ticketId };
}
