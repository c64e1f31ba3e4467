import type { ActionId, ViewAction } from '../../core/views/view.js';

/** The interactive-action payload every renderer encodes and every inbound side decodes. */
export interface DecodedAction {
  action: ActionId;
  ticketId: string;
  arg?: string;
}

const ACTIONS: readonly ActionId[] = ['claim', 'unclaim', 'escalate', 'resolve', 'priority', 'solved', 'need_help', 'rate', 'reopen', 'note'];
const PREFIX = 'hd';

/**
 * `hd|<action>|<ticketId>|<arg>`: short enough for Discord's 100-character `custom_id` and Slack's
 * 2,000-character button `value`. Ticket ids and article ids never contain `|`.
 */
export function encodeAction(a: Pick<ViewAction, 'action' | 'ticketId' | 'arg'>): string {
  return [PREFIX, a.action, a.ticketId, a.arg ?? ''].join('|');
}

/** Null for anything not produced by `encodeAction` (other apps' buttons, tampered values). */
export function decodeAction(value: string | undefined | null): DecodedAction | null {
  if (!value) return null;
  const [prefix, action, ticketId, ...argParts] = value.split('|');
  if (prefix !== PREFIX || !action || !ticketId || !(ACTIONS as readonly string[]).includes(action)) return null;
  const arg = argParts.join('|');
  return { action: action as ActionId, ticketId, ...(arg ? { arg } : {}) };
}
