import type { Desk } from '../../domain/desk.js';
import type { IncidentEvent, IncidentEventType } from '../../domain/events.js';
import type { Incident, IncidentUpdate } from '../../domain/incident.js';
import type { AnnounceOp } from '../../ports/delivery.port.js';
import { incidentView } from '../../views/incident-views.js';
import type { FanoutDeps } from './fanout-deps.js';

/** Changes people outside the desk see: a new post, or an edit of the existing ones. */
const ANNOUNCED: ReadonlySet<IncidentEventType> = new Set(['incident.declared', 'incident.status_changed', 'incident.resolved', 'incident.note_added', 'incident.severity_changed']);

/** Timeline entries read to pick the latest public updates (an incident has few; notes are bounded). */
const TIMELINE_READ = 200;

/** The ref of an incident's message in one announcement channel: the same for every replica and retry. */
export const announceRef = (incidentId: string, platform: string, workspace: string, channel: string): string => `incident:${incidentId}:${platform}:${workspace}:${channel}`;

/**
 * The announcement deliveries for the incident as it stands now: one per configured channel, keyed
 * by the incident's version (a replayed event enqueues nothing new) and carrying a ref per channel
 * (the first delivery posts, the next ones edit that post; mail gets a threaded follow-up).
 */
export async function announceOps(deps: Pick<FanoutDeps, 'incidents'>, inc: Incident, desk: Desk, pending?: Omit<IncidentUpdate, 'id'>): Promise<AnnounceOp[]> {
  const a = desk.announce;
  if (!a) return [];
  const timeline = await deps.incidents.timeline(inc.id, { includeInternal: false, limit: TIMELINE_READ });
  // The event's own entry is stored after the event is emitted: show it already.
  if (pending?.visibility === 'public' && !timeline.some((u) => u.at.getTime() === pending.at.getTime() && u.kind === pending.kind)) timeline.push({ ...pending, id: 'pending' });
  const view = incidentView(inc, timeline, desk);
  const ops: AnnounceOp[] = [];
  const op = (platform: AnnounceOp['platform'], target: AnnounceOp['target']): AnnounceOp => ({
    kind: 'announce',
    key: `incident:${inc.id}:v${inc.version}:announce:${platform}:${target.channel}`,
    platform,
    target,
    view,
    ref: announceRef(inc.id, platform, target.workspace, target.channel),
    version: inc.version,
  });
  for (const [platform, ch] of Object.entries(a.channels) as Array<[AnnounceOp['platform'], { workspace: string; channel: string } | undefined]>) {
    if (ch) ops.push(op(platform, { workspace: ch.workspace, channel: ch.channel }));
  }
  const from = desk.channels?.email?.address;
  if (a.email && from) ops.push(op('email', { workspace: 'email', channel: a.email.to, data: { desk: from } }));
  return ops;
}

/** Subscribes to incident events and keeps every announcement channel showing the incident as it is. */
export class IncidentBroadcaster {
  constructor(private readonly deps: FanoutDeps) {}

  attach(events: FanoutDeps['events']): () => void {
    return events.onIncident((e) => this.onEvent(e));
  }

  async onEvent(e: IncidentEvent): Promise<void> {
    if (!ANNOUNCED.has(e.type)) return;
    if (e.type === 'incident.note_added' && e.entry?.visibility !== 'public') return;
    // The incident as stored now: an event replayed late never announces an older state.
    const inc = (await this.deps.incidents.get(e.incident.id)) ?? e.incident;
    const desk = this.deps.directory.desk(inc.deskId);
    for (const op of await announceOps(this.deps, inc, desk, e.entry)) await this.deps.delivery.send(op);
  }
}
