import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { IncidentEvent } from '../../core/domain/events.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import { decideIncident } from '../../core/domain/incident.state-machine.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

const agent = person('slack', 'UAG', 'T1', 'Ana');
const outsider = person('slack', 'UX', 'T1', 'Xavi');
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
const events: IncidentEvent[] = [];

beforeAll(async () => {
  db = await freshDb();
  // Absorption off: these tests link tickets by hand (tests/incidents/fanout.test.ts covers absorption).
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk({ absorb: { enabled: false, minSimilarity: 0.5, resolveLinked: true } })], agents: [testAgent('ana', [agent], 2)], kb: new KeywordKb() });
  hd.events.onIncident((e) => void events.push(e));
});
afterAll(async () => db.drop());

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof HelpdeskError ? e.code : String(e)));
const deskId = () => hd.directory.desks()[0]!.id;

describe('incident core', () => {
  it('declares once per key, walks the state machine, links tickets once, resolves once', async () => {
    const input = { deskId: deskId(), title: '  VPN   down ', services: ['VPN', 'vpn', 'Auth'], severity: 'SEV2' as const, idempotencyKey: 'cmd-1', description: 'Users cannot connect' };
    const first = await hd.incidents.declare(input, agent);
    const again = await hd.incidents.declare(input, agent);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, incident: { id: first.incident.id } });
    const inc = first.incident;
    expect(inc).toMatchObject({ title: 'VPN down', services: ['vpn', 'auth'], status: 'investigating', severity: 'SEV2', owner: { user: 'UAG' }, ownerAgentId: 'ana' });
    expect(inc.number).toMatch(/^INC-\d+$/);
    expect(events.filter((e) => e.type === 'incident.declared')).toHaveLength(1);

    // Non-agents may not declare or update; nothing is stored for them.
    expect(await code(hd.incidents.declare({ ...input, idempotencyKey: 'cmd-x' }, outsider))).toBe('INCIDENT.NOT_AGENT');
    expect(await hd.incidentStore.findByIdempotencyKey('cmd-x')).toBeNull();
    expect(await code(hd.incidents.update({ id: inc.id }, { status: 'identified' }, outsider, 'x1'))).toBe('INCIDENT.NOT_AGENT');
    expect(await code(hd.incidents.update({ number: 'INC-1' }, { note: 'x' }, agent, 'x2'))).toBe('INCIDENT.NOT_FOUND');
    expect(await code(hd.incidents.declare({ ...input, title: ' ', idempotencyKey: 'cmd-y' }, agent))).toBe('INPUT.INVALID');
    expect(await code(hd.incidents.declare({ ...input, severity: 'SEV9' as 'SEV1', idempotencyKey: 'cmd-y' }, agent))).toBe('INPUT.INVALID');

    // Status with note: one change, one event, one entry; a replay of the key changes nothing.
    const identified = await hd.incidents.update({ number: inc.number.toLowerCase() }, { status: 'identified', note: 'Cert expired' }, agent, 'cmd-2');
    await hd.incidents.update({ id: inc.id }, { status: 'identified', note: 'Cert expired' }, agent, 'cmd-2');
    expect(identified.status).toBe('identified');
    expect(identified.identifiedAt).toBeInstanceOf(Date);
    expect(events.filter((e) => e.type === 'incident.status_changed')).toHaveLength(1);
    expect(await code(hd.incidents.update({ id: inc.id }, { status: 'identified' }, agent, 'cmd-3'))).toBe('INCIDENT.ILLEGAL_TRANSITION');
    await hd.incidents.update({ id: inc.id }, { severity: 'SEV1', note: 'Spreading to EU' }, agent, 'cmd-4');

    // Links: tickets exist, each linked once whatever the repeats.
    const t1 = await hd.helpdesk.handle({ type: 'help.request', eventId: 'r1', request: { idempotencyKey: 'r1', requester: person('teams', 'u1'), text: 'vpn broken', origin: { platform: 'teams', workspace: 'tenant1' }, requesterLink: { platform: 'teams', workspace: 'tenant1', channel: 'a:u1' } } });
    const t2 = await hd.helpdesk.handle({ type: 'help.request', eventId: 'r2', request: { idempotencyKey: 'r2', requester: person('teams', 'u2'), text: 'no vpn', origin: { platform: 'teams', workspace: 'tenant1' }, requesterLink: { platform: 'teams', workspace: 'tenant1', channel: 'a:u2' } } });
    if (t1.kind !== 'opened' || t2.kind !== 'opened') throw new Error('not opened');
    const l1 = await hd.incidents.link({ id: inc.id }, [{ id: t1.ticket.id }, { number: t2.ticket.number }], { system: 'absorb' }, 'link-1');
    const l1again = await hd.incidents.link({ id: inc.id }, [{ id: t1.ticket.id }, { number: t2.ticket.number }], { system: 'absorb' }, 'link-1');
    const l2 = await hd.incidents.link({ id: inc.id }, [{ id: t1.ticket.id }], { system: 'absorb' }, 'link-2');
    expect(l1.linked.sort()).toEqual([t1.ticket.id, t2.ticket.id].sort());
    expect(l1again.linked.sort()).toEqual(l1.linked.sort());
    expect(l2.linked).toEqual([]);
    expect(await hd.incidents.countLinked(inc.id)).toBe(2);
    expect(await hd.incidents.incidentsOfTicket(t1.ticket.id)).toEqual([inc.id]);
    expect(await code(hd.incidents.link({ id: inc.id }, [{ id: 'tk_missing' }], agent, 'link-3'))).toBe('TICKET.NOT_FOUND');
    const linkedEvents = events.filter((e) => e.type === 'incident.tickets_linked');
    expect(linkedEvents.flatMap((e) => e.ticketIds ?? []).sort()).toEqual([t1.ticket.id, t2.ticket.id].sort());

    expect((await hd.incidents.active({ service: 'VPN' })).map((i) => i.id)).toEqual([inc.id]);
    expect(await hd.incidents.active({ service: 'mail' })).toEqual([]);

    // Ten concurrent resolves with different keys: exactly one wins.
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, n) => code(hd.incidents.resolve({ id: inc.id }, agent, `res-${n}`, 'Cert renewed'))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'INCIDENT.ILLEGAL_TRANSITION')).toHaveLength(9);
    expect(events.filter((e) => e.type === 'incident.resolved')).toHaveLength(1);
    const done = await hd.incidents.get({ id: inc.id });
    expect(done.status).toBe('resolved');
    expect(done.resolvedAt).toBeInstanceOf(Date);
    expect(await hd.incidents.active()).toEqual([]);
    expect(await code(hd.incidents.link({ id: inc.id }, [{ id: t1.ticket.id }], agent, 'link-4'))).toBe('INCIDENT.ILLEGAL_TRANSITION');

    const publicTl = await hd.incidents.timeline({ id: inc.id });
    expect(publicTl.map((e) => [e.kind, e.status ?? e.severity ?? ''])).toEqual([
      ['declared', 'investigating'],
      ['status', 'identified'],
      ['severity', 'SEV1'],
      ['note', ''],
      ['status', 'resolved'],
    ]);
    const all = await hd.incidents.timeline({ id: inc.id }, { includeInternal: true });
    expect(all.filter((e) => e.kind === 'link').map((e) => e.linked)).toEqual([2, 0]);
  });

  it('the state machine refuses what it must', () => {
    const base = { id: 'i', deskId: 'd', number: 'INC-1', idempotencyKey: 'k', title: 't', services: ['s'], severity: 'SEV3' as const, alertFingerprints: [], declaredBy: { kind: 'system' as const, reason: 'x' }, startedAt: new Date(), createdAt: new Date(), updatedAt: new Date(), version: 1 };
    const sys = { kind: 'system' as const, reason: 'test' };
    const now = new Date();
    expect(decideIncident({ ...base, status: 'monitoring', monitoringAt: now }, { type: 'set_status', status: 'investigating' }, sys, now)).toEqual({ status: 'investigating', unset: ['monitoringAt'] });
    expect(decideIncident({ ...base, status: 'investigating' }, { type: 'set_status', status: 'monitoring' }, sys, now)).toEqual({ status: 'monitoring', monitoringAt: now });
    expect(() => decideIncident({ ...base, status: 'resolved' }, { type: 'set_status', status: 'investigating' }, sys, now)).toThrow(expect.objectContaining({ code: 'INCIDENT.ILLEGAL_TRANSITION' }) as Error);
    expect(() => decideIncident({ ...base, status: 'resolved' }, { type: 'resolve' }, sys, now)).toThrow(expect.objectContaining({ code: 'INCIDENT.ILLEGAL_TRANSITION' }) as Error);
    expect(decideIncident({ ...base, status: 'resolved' }, { type: 'note' }, sys, now)).toEqual({});
  });
});
