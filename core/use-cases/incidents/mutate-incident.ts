import type { Actor } from '../../domain/actor.js';
import { HelpdeskError } from '../../domain/errors.js';
import type { IncidentEvent, IncidentEventType } from '../../domain/events.js';
import { INCIDENT_NOTE_MAX, type Incident, type IncidentUpdate, type IncidentUpdateKind } from '../../domain/incident.js';
import { decideIncident, type IncidentAction } from '../../domain/incident.state-machine.js';
import { translator } from '../../i18n/index.js';
import { clipText } from '../../views/text-limits.js';
import { resolveActor, type ActorInput } from '../resolve-actor.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { loadIncident } from './load-incident.js';

const EVENT_OF: Record<IncidentAction['type'], IncidentEventType> = {
  set_status: 'incident.status_changed',
  resolve: 'incident.resolved',
  note: 'incident.note_added',
  set_severity: 'incident.severity_changed',
  set_owner: 'incident.owner_changed',
  link_tickets: 'incident.tickets_linked',
  attach_alert: 'incident.alert_attached',
};

const KIND_OF: Record<IncidentAction['type'], IncidentUpdateKind> = {
  set_status: 'status',
  resolve: 'status',
  note: 'note',
  set_severity: 'severity',
  set_owner: 'owner',
  link_tickets: 'link',
  attach_alert: 'alert',
};

export interface MutateIncidentOptions {
  /** Text of the timeline entry (the update people read). */
  note?: string;
  /** Internal entries are never broadcast nor shown on status pages. @defaultValue 'public' (links and alerts: 'internal') */
  visibility?: 'public' | 'internal';
  /**
   * Work done after the incident's write and before its event (linking tickets): receives the
   * stored incident, returns extra event fields. Must be idempotent by `deps.eventKey`.
   */
  effect?: (i: Incident) => Promise<Partial<IncidentEvent>>;
}

const MAX_ATTEMPTS = 20;

/**
 * Read–decide–write with optimistic concurrency, the incident twin of `mutateTicket`: the write
 * lands only if nobody changed the incident since it was read (write guard, exactly once across
 * processes), then the event is emitted, then the (keyed) timeline entry is written last — a stored
 * entry means the whole change is done, so a retry of the same key finishes rather than repeats.
 */
export async function mutateIncident(
  deps: IncidentDeps,
  ref: IncidentRef,
  action: IncidentAction,
  who: ActorInput,
  opts: MutateIncidentOptions = {},
): Promise<{ incident: Incident; before: Incident; actor: Actor; event: IncidentEvent }> {
  let id: string | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await loadIncident(deps, id ? { id } : ref);
    id = before.id;
    const actor = await resolveActor(deps, before.deskId, who);
    const now = deps.clock.now();
    const key = deps.eventKey ? `${deps.eventKey}:${action.type}` : undefined;
    const entry = buildEntry(deps, before, action, actor, now, opts);
    if (key && before.lastEvent === key) {
      // A retry of a change already stored: finish what the failed attempt left undone (its
      // effect, its event, then its timeline entry, written last) and do not change again.
      // The effect is idempotent by key: re-running it also tells a finished retry what it did.
      const event: IncidentEvent = { type: EVENT_OF[action.type], incident: before, actor, at: now, entry };
      Object.assign(event, opts.effect ? await opts.effect(before) : {});
      event.entry = withExtra(entry, event);
      if (!(await deps.incidents.keyedEntry(key))) {
        await deps.events.emitIncident(event);
        await deps.incidents.appendTimeline(event.entry, { key });
      }
      return { incident: before, before, actor, event };
    }
    let patch = decideIncident(before, action, actor, now);
    if (key) patch = { ...patch, lastEvent: key };
    const incident = await deps.incidents.update(before.id, before.version, patch, now);
    if (!incident) {
      // Lost the race: back off a little (jittered) before re-reading.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      continue;
    }
    const event: IncidentEvent = { type: EVENT_OF[action.type], incident, before, actor, at: now, entry };
    Object.assign(event, opts.effect ? await opts.effect(incident) : {});
    event.entry = withExtra(entry, event);
    // Events first, the keyed timeline entry last: a stored entry means the whole change is done.
    await deps.events.emitIncident(event);
    await deps.incidents.appendTimeline(event.entry, key ? { key } : {});
    return { incident, before, actor, event };
  }
  throw new HelpdeskError('INCIDENT.CONFLICT', `incident ${id ?? ''} kept changing; gave up after ${MAX_ATTEMPTS} attempts`, { incident: id ?? null });
}

function withExtra(entry: Omit<IncidentUpdate, 'id'>, extra: Partial<IncidentEvent>): Omit<IncidentUpdate, 'id'> {
  return extra.ticketIds ? { ...entry, linked: extra.ticketIds.length } : entry;
}

function buildEntry(deps: IncidentDeps, i: Incident, action: IncidentAction, actor: Actor, now: Date, opts: MutateIncidentOptions): Omit<IncidentUpdate, 'id'> {
  const raw = opts.note?.trim() ?? '';
  const note = clipText(raw, INCIDENT_NOTE_MAX, translator(deps.directory.desk(i.deskId).locale)('text.truncated'));
  const internalByDefault = action.type === 'link_tickets' || action.type === 'attach_alert' || action.type === 'set_owner';
  const e: Omit<IncidentUpdate, 'id'> = {
    incidentId: i.id,
    at: now,
    kind: KIND_OF[action.type],
    actor,
    visibility: opts.visibility ?? (internalByDefault ? 'internal' : 'public'),
    text: note.text,
    ...(note.clipped ? { clippedFrom: raw.length } : {}),
  };
  if (action.type === 'set_status') e.status = action.status;
  if (action.type === 'resolve') e.status = 'resolved';
  if (action.type === 'set_severity') e.severity = action.severity;
  if (action.type === 'attach_alert') e.fingerprint = action.fingerprint;
  return e;
}
