import type { Desk } from '../domain/desk.js';
import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import type { Ticket } from '../domain/ticket.js';
import type { LinkLocation } from '../ports/ticket-store.port.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { postMessage, type PostMessageResult } from './post-message.js';
import { resolveActor } from './resolve-actor.js';

/** Placeholders a macro may use. Unknown ones are left as written. */
export interface MacroVars {
  requester: string;
  ticket: string;
  subject: string;
  agent: string;
  desk: string;
}

/** Fills `{{name}}` placeholders (spaces inside the braces allowed). */
export function renderMacro(text: string, vars: MacroVars): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? vars[name as keyof MacroVars] : whole));
}

/** The desk's macros by name, case-insensitively. */
export function findMacro(desk: Desk, name: string): Desk['macros'][number] | undefined {
  const n = name.trim().toLowerCase();
  return desk.macros.find((m) => m.name.toLowerCase() === n);
}

/** Names of a desk's macros (for a picker or `/help macro` completion). */
export const listMacros = (desk: Desk): string[] => desk.macros.map((m) => m.name);

export interface ApplyMacroInput {
  ticket: TicketRef;
  agent: Identity;
  name: string;
  /** Where the agent used it (a linked thread), so it is not echoed back there. */
  at?: LinkLocation;
  messageId?: string;
}

/**
 * A canned response: an agent of the ticket's desk sends the named macro, with placeholders filled,
 * as their own public message (recorded on the timeline and relayed to the requester like any other).
 */
export async function applyMacro(deps: CoreDeps, input: ApplyMacroInput): Promise<PostMessageResult & { text?: string }> {
  const t: Ticket = await loadTicket(deps, input.ticket);
  const desk = deps.directory.desk(t.deskId);
  const actor = await resolveActor(deps, t.deskId, input.agent);
  if (actor.kind !== 'person' || !actor.agent) throw new HelpdeskError('TICKET.NOT_AGENT', 'only agents can use macros', { ticket: t.number });
  const macro = findMacro(desk, input.name);
  if (!macro) throw new HelpdeskError('INPUT.INVALID', `no macro ${input.name} on desk ${desk.id}`, { detail: `unknown macro “${input.name}” (known: ${listMacros(desk).join(', ') || '—'})` });
  const text = renderMacro(macro.text, {
    requester: t.requester.name ?? t.requester.user,
    ticket: t.number,
    subject: t.subject,
    agent: actor.identity.name ?? actor.identity.user,
    desk: desk.name,
  });
  const r = await postMessage(deps, { ticket: { id: t.id }, at: input.at, author: input.agent, text, messageId: input.messageId });
  return { ...r, text };
}
