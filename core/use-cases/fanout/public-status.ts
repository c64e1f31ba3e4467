import type { Desk } from '../../domain/desk.js';
import { ACTIVE_INCIDENT_STATUSES, type Incident, type IncidentUpdate } from '../../domain/incident.js';
import type { IncidentStore } from '../../ports/incident-store.port.js';
import { neutralizeMentions, truncate } from '../../views/sanitize.js';

/** An open incident as people outside the desk may see it: public facts and public updates only. */
export interface PublicIncident {
  number: string;
  title: string;
  status: Incident['status'];
  severity: Incident['severity'];
  services: string[];
  startedAt: Date;
  updatedAt: Date;
  /** Newest first, at most {@link PUBLIC_UPDATES}. */
  updates: Array<{ at: Date; text: string }>;
}

export const PUBLIC_UPDATES = 10;
const PUBLIC_INCIDENTS = 20;

const clean = (s: string, max: number) => truncate(neutralizeMentions(s), max);

/** Public view of one incident (never internal notes, owners or linked tickets). */
export function publicIncident(i: Incident, timeline: readonly IncidentUpdate[]): PublicIncident {
  const updates = timeline
    .filter((u) => u.visibility === 'public' && u.text.trim())
    .slice(-PUBLIC_UPDATES)
    .reverse()
    .map((u) => ({ at: u.at, text: clean(u.text, 1000) }));
  return { number: i.number, title: clean(i.title, 200), status: i.status, severity: i.severity, services: i.services, startedAt: i.startedAt, updatedAt: i.updatedAt, updates };
}

/**
 * A desk's open incidents for its web banner and public status page, or null when the desk does
 * not publish them (no `announce.web`). With `withUpdates: false` only the incidents (the banner).
 */
export async function publicStatus(deps: { incidents?: IncidentStore }, desk: Desk, o: { withUpdates?: boolean } = {}): Promise<PublicIncident[] | null> {
  if (!desk.announce?.web || !deps.incidents) return null;
  const open = await deps.incidents.list({ deskId: desk.id, status: ACTIVE_INCIDENT_STATUSES, limit: PUBLIC_INCIDENTS });
  const out: PublicIncident[] = [];
  for (const i of open) out.push(publicIncident(i, o.withUpdates === false ? [] : await deps.incidents.timeline(i.id, { includeInternal: false, limit: 200 })));
  return out;
}
