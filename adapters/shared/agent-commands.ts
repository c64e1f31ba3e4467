import type { Desk } from '../../core/domain/desk.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import { translator } from '../../core/i18n/index.js';
import type { Directory } from '../../core/ports/directory.port.js';
import { listMacros } from '../../core/use-cases/apply-macro.js';
import { agentReport } from '../../core/use-cases/desk-report-view.js';
import { neutralizeMentions, truncate } from '../../core/views/sanitize.js';
import { noticeView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import type { HelpCommand } from './help-command.js';
import { runIncidentCommand } from './incident-command.js';

/** The agent tools a chat command can reach: canned responses and "waiting on requester". */
export type AgentCommand = Extract<HelpCommand, { kind: 'macro' | 'macros' | 'pending' | 'incident' | 'report' }>;

export const isAgentCommand = <C extends { kind: string }>(c: C): c is Extract<C, AgentCommand> =>
  c.kind === 'macro' || c.kind === 'macros' || c.kind === 'pending' || c.kind === 'incident' || c.kind === 'report';

export interface AgentCommandContext {
  helpdesk: Helpdesk;
  directory: Directory;
  actor: Identity;
  /** The platform's id of the command (dedupe: a retry does nothing twice). */
  eventId: string;
  /** The person's language; texts fall back to the desk's. */
  locale?: string;
  /** The desk of the place the command was typed in: whose macros `macros` lists when no ticket is given. */
  desk?: Desk;
}

/**
 * Runs `macro` / `macros` / `pending` and returns what to show the person privately (ephemeral on
 * Slack, the 1:1 chat on Teams), or `undefined` for a retried command (answered the first time).
 * Refusals are thrown as HelpdeskErrors for the adapter's error sink (non-agents: TICKET.NOT_AGENT;
 * unknown macro: INPUT.INVALID listing the known names).
 *
 * Macros are sent with no `at`: the command is not a visible message in a linked place, so the
 * relay posts the rendered text to every link — the requester and the card thread alike — and the
 * agents in the thread see exactly what was sent.
 */
export async function runAgentCommand(cmd: AgentCommand, c: AgentCommandContext): Promise<View | undefined> {
  const tr = translator(c.locale, c.desk?.locale);
  switch (cmd.kind) {
    case 'incident':
      return runIncidentCommand(cmd.op, { incidents: c.helpdesk.incidents, directory: c.directory, actor: c.actor, eventId: c.eventId, locale: c.locale, desk: c.desk });
    case 'macro': {
      const r = await c.helpdesk.handle({ type: 'ticket.macro', eventId: c.eventId, actor: c.actor, ticket: { number: cmd.ticket }, name: cmd.name });
      if (r.kind === 'duplicate') return undefined;
      if (r.kind === 'message' && r.recorded) return noticeView(tr('macro.sent', { name: cmd.name, number: r.ticket?.number ?? cmd.ticket }), r.ticket?.status === 'pending' ? 'pending' : 'claimed');
      // Rendered to nothing (an empty macro text): say so rather than stay silent.
      return noticeView(tr('macro.empty', { name: cmd.name }), 'error');
    }
    case 'pending': {
      const r = await c.helpdesk.handle({ type: 'ticket.pend', eventId: c.eventId, actor: c.actor, ticket: { number: cmd.ticket } });
      if (r.kind !== 'ticket') return undefined;
      return noticeView(tr('macro.pended', { number: r.ticket.number }), 'pending');
    }
    case 'report':
      // Read-only: no event id claimed, a retried command simply answers again.
      return agentReport(c.helpdesk.deps, c.actor, cmd.days, c.desk, c.locale);
    case 'macros': {
      let desk = c.desk;
      if (cmd.ticket) {
        // Same visibility as `status`: someone else's ticket looks like a missing one.
        const r = await c.helpdesk.handle({ type: 'query.status', eventId: c.eventId, actor: c.actor, ticket: { number: cmd.ticket } });
        if (r.kind === 'ticket') desk = c.directory.desk(r.ticket.deskId);
      }
      if (!desk) throw new HelpdeskError('DESK.NOT_FOUND', 'no desk for this place', {});
      return macrosView(desk, c.locale);
    }
  }
}

/** A desk's macro names, each with the start of its text (placeholders as written). */
export function macrosView(desk: Desk, locale?: string): View {
  const tr = translator(locale, desk.locale);
  const title = tr('macro.list_title', { desk: desk.name });
  if (listMacros(desk).length === 0) return { ...noticeView(tr('macro.none', { desk: desk.name })), title };
  const lines = desk.macros.map((m) => `• *${neutralizeMentions(m.name)}* — ${truncate(neutralizeMentions(m.text.replace(/\s+/g, ' ')), 120)}`);
  const text = lines.join('\n');
  return { kind: 'list', fallback: `${title}\n${text}`, title, text };
}
