import type { Desk } from '../../core/domain/desk.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Incident } from '../../core/domain/incident.js';
import type { Incidents } from '../../core/incidents.js';
import { translator } from '../../core/i18n/index.js';
import type { Directory } from '../../core/ports/directory.port.js';
import { neutralizeMentions, truncate } from '../../core/views/sanitize.js';
import { noticeView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import type { IncidentOp } from './help-command.js';

export interface IncidentCommandContext {
  incidents?: Incidents;
  directory: Directory;
  actor: Identity;
  /** The platform's id of the command: the declaration's idempotency key and the update's key. */
  eventId: string;
  locale?: string;
  /** The desk of the place the command was typed in (declare files the incident there when the agent belongs to it). */
  desk?: Desk;
}

const line = (i: Incident, tr: ReturnType<typeof translator>) =>
  tr('incident.list_line', {
    number: i.number,
    severity: i.severity,
    status: tr(`incident.status_${i.status}`),
    title: truncate(neutralizeMentions(i.title), 120),
    services: neutralizeMentions(i.services.join(', ')),
  });

/**
 * `/help incident declare|update|resolve|list` for agents, on every chat platform. Returns what to
 * show the person privately. Refusals are HelpdeskErrors for the adapter's error sink
 * (INCIDENT.NOT_AGENT for non-agents, INCIDENT.NOT_FOUND, INCIDENT.ILLEGAL_TRANSITION, INPUT.INVALID).
 * Retries of the same platform command are exactly-once (the event id keys every write).
 */
export async function runIncidentCommand(op: IncidentOp, c: IncidentCommandContext): Promise<View> {
  const tr = translator(c.locale, c.desk?.locale);
  if (op.action === 'usage') return noticeView(tr('incident.usage'));
  if (!c.incidents) throw new HelpdeskError('INTERNAL', 'incidents are not wired into this helpdesk', {});
  const agent = await c.directory.agentByIdentity(c.actor);
  if (!agent || agent.desks.length === 0) throw new HelpdeskError('INCIDENT.NOT_AGENT', 'only agents can manage incidents', { action: op.action });
  switch (op.action) {
    case 'declare': {
      const deskId = c.desk && agent.desks.some((d) => d.desk === c.desk!.id) ? c.desk.id : agent.desks[0]!.desk;
      const r = await c.incidents.declare({ deskId, title: op.title, services: op.services, severity: op.severity ?? 'SEV3', idempotencyKey: c.eventId }, c.actor);
      const i = r.incident;
      return noticeView(r.created ? tr('incident.declared', { number: i.number, severity: i.severity, title: neutralizeMentions(i.title) }) : tr('incident.declared_again', { number: i.number }), 'escalated');
    }
    case 'update': {
      const i = await c.incidents.update({ number: op.number }, { ...(op.status ? { status: op.status } : {}), ...(op.note ? { note: op.note } : {}) }, c.actor, c.eventId);
      return noticeView(tr('incident.updated', { number: i.number, status: tr(`incident.status_${i.status}`) }), 'open');
    }
    case 'resolve': {
      const i = await c.incidents.resolve({ number: op.number }, c.actor, c.eventId, op.note || undefined);
      return noticeView(tr('incident.resolved', { number: i.number }), 'resolved');
    }
    case 'list': {
      const lists = await Promise.all([...new Set(agent.desks.map((d) => d.desk))].map((deskId) => c.incidents!.active({ deskId })));
      const open = lists.flat();
      const title = tr('incident.list_title');
      if (open.length === 0) return { ...noticeView(tr('incident.list_empty')), title };
      const text = open.map((i) => `• ${line(i, tr)}`).join('\n');
      return { kind: 'list', fallback: `${title}\n${text}`, title, text };
    }
  }
}
