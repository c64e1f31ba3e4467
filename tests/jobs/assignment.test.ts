import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../core/domain/desk.js';
import { autoAssign, fits } from '../../core/use-cases/assign-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { resolveTicket } from '../../core/use-cases/resolve-ticket.js';
import { RedisAssignmentLedger } from '../../jobs/assignment-ledger.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { testRedis } from '../support/services.js';
import { harness, request, waitFor, type Harness } from './harness.js';

const onDesk = (deskId: string, tier = 1) => ({ desks: [{ desk: deskId, tier, lead: false }] });
const ag = (id: string, deskId: string, over: Partial<Agent> = {}) => testAgent(id, [person('slack', `U_${id}`, 'T1', id)], 1, { ...onDesk(deskId), ...over });

const rr = testDesk({ id: 'rr', prefix: 'RR', assignment: 'round_robin' });
const ll = testDesk({ id: 'll', prefix: 'LL', assignment: 'least_loaded' });
const lim = testDesk({ id: 'lim', prefix: 'LIM', assignment: 'round_robin' });
const sk = testDesk({ id: 'sk', prefix: 'SK', assignment: 'round_robin' });
const none = testDesk({ id: 'none', prefix: 'NO', assignment: 'least_loaded' });
const auto = testDesk({ id: 'auto', prefix: 'AU', assignment: 'round_robin' });
const conc = testDesk({ id: 'conc', prefix: 'CO', assignment: 'least_loaded' });
const agents: Agent[] = [
  ag('rr-a', 'rr'), ag('rr-b', 'rr'), ag('rr-c', 'rr'),
  ag('rr-t2', 'rr', onDesk('rr', 2)),
  ag('ll-a', 'll'), ag('ll-b', 'll'), ag('ll-c', 'll'),
  ag('lim-a', 'lim', { maxLoad: 2 }), ag('lim-b', 'lim', { maxLoad: 2 }),
  ag('sk-email', 'sk', { skills: ['email'] }), ag('sk-any', 'sk', { skills: [] }), ag('sk-net', 'sk', { skills: ['network'] }),
  ag('none-away', 'none', { availability: 'away' }),
  ag('none-t2', 'none', onDesk('none', 2)),
  ag('auto-a', 'auto'), ag('auto-b', 'auto'),
  ag('conc-a', 'conc', { maxLoad: 2 }), ag('conc-b', 'conc', { maxLoad: 2 }),
];

let h: Harness;
let ledger: RedisAssignmentLedger;
const redis = testRedis();
beforeAll(async () => {
  h = await harness([rr, ll, lim, sk, none, auto, conc], agents);
  ledger = new RedisAssignmentLedger(redis, h.prefix);
});
afterAll(async () => {
  await h.close();
  redis.disconnect();
});

let n = 0;
const open = async (deskId: string, extra: Record<string, unknown> = {}) => (await openTicket(h.hd.deps, request(`as-${deskId}-${n++}`, `need help ${n}`, { deskId, ...extra }))).ticket;
const assign = async (deskId: string, extra: Record<string, unknown> = {}) => autoAssign(h.hd.deps, ledger, { id: (await open(deskId, extra)).id });
const who = (r: Awaited<ReturnType<typeof assign>>) => (r.assigned ? r.agent.id : r.reason);

describe('auto-assignment', () => {
  it('round robin goes around the tier in order, and the order is kept in Redis (a new ledger continues it)', async () => {
    const got = [await assign('rr'), await assign('rr'), await assign('rr')].map(who);
    expect(got).toEqual(['rr-a', 'rr-b', 'rr-c']);
    const another = new RedisAssignmentLedger(redis, h.prefix); // another replica, or after a restart
    const r = await autoAssign(h.hd.deps, another, { id: (await open('rr')).id });
    expect(who(r)).toBe('rr-a');
    expect(r.ticket).toMatchObject({ status: 'claimed', assigneeAgentId: 'rr-a', assignee: { user: 'U_rr-a' } });
  });

  it('least loaded picks the agent with the fewest active tickets', async () => {
    // ll-a gets two, ll-b one; ll-c none → next goes to ll-c, then ll-b (1) ties with ll-c (1): round-robin order
    const first = [await assign('ll'), await assign('ll'), await assign('ll')].map(who);
    expect(first).toEqual(['ll-a', 'll-b', 'll-c']);
    const t = (await h.hd.store.list({ deskId: 'll', assigneeAgentId: 'll-b' }))[0]!;
    await resolveTicket(h.hd.deps, { id: t.id }, person('slack', 'U_ll-b', 'T1'));
    expect(who(await assign('ll'))).toBe('ll-b'); // now the only one with 0
    expect(who(await assign('ll'))).toBe('ll-a'); // all at 1: longest since last assignment
  });

  it('nobody is assigned past their load limit; the rest wait in the tier channel', async () => {
    const got = [];
    for (let i = 0; i < 5; i++) got.push(who(await assign('lim')));
    expect(got).toEqual(['lim-a', 'lim-b', 'lim-a', 'lim-b', 'nobody']);
    const load = await h.hd.store.activeLoad(['lim-a', 'lim-b']);
    expect([...load.values()]).toEqual([2, 2]);
    const waiting = await h.hd.store.list({ deskId: 'lim', status: ['open'] });
    expect(waiting).toHaveLength(1);
  });

  it('concurrent assignments (several replicas) still respect the limits', async () => {
    const tickets = await Promise.all([1, 2, 3, 4, 5, 6].map(() => open('conc')));
    const results = await Promise.all(tickets.map((t) => autoAssign(h.hd.deps, new RedisAssignmentLedger(redis, h.prefix), { id: t.id })));
    expect(results.filter((r) => r.assigned)).toHaveLength(4);
    expect(results.filter((r) => !r.assigned).map(who)).toEqual(['nobody', 'nobody']);
    const load = await h.hd.store.activeLoad(['conc-a', 'conc-b']);
    expect([...load.values()]).toEqual([2, 2]);
  });

  it('skills: an agent with the category or with no skills (any) fits; others do not', async () => {
    expect(who(await assign('sk', { category: 'network' }))).toBe('sk-any');
    expect(who(await assign('sk', { category: 'network' }))).toBe('sk-net');
    expect(who(await assign('sk', { category: 'email' }))).toBe('sk-email');
    expect(who(await assign('sk', { category: 'hardware' }))).toBe('sk-any');
  });

  it('nobody available (away, off shift, other tier): the ticket stays open in the tier channel', async () => {
    const r = await assign('none');
    expect(who(r)).toBe('nobody');
    expect(r.ticket.status).toBe('open');
    expect(r.ticket.assignee).toBeUndefined();
    await h.hd.directory.setAvailability('none-away', 'available');
    expect(who(await autoAssign(h.hd.deps, ledger, { id: r.ticket.id }))).toBe('none-away');
  });

  it('shifts: an agent off shift does not fit, on shift does (pure check; FerretDB cannot store shift spans yet)', () => {
    const t = { deskId: 'none', tier: 1, category: undefined } as unknown as Parameters<typeof fits>[1];
    const shift = { timezone: 'Europe/Madrid', weekly: { mon: [['09:00', '17:00']] as Array<[string, string]> }, holidays: [] };
    const a = ag('shifty', 'none', { shift });
    expect(fits(a, t, new Date('2025-01-13T10:00:00Z'))).toBe(true); // Monday 11:00 in Madrid
    expect(fits(a, t, new Date('2025-01-13T17:00:00Z'))).toBe(false); // Monday 18:00
    expect(fits(a, t, new Date('2025-01-14T10:00:00Z'))).toBe(false); // Tuesday
    expect(fits({ ...a, shift: undefined }, t, new Date('2025-01-14T10:00:00Z'))).toBe(true);
  });

  it('end to end: a routed ticket is assigned by the automation worker', async () => {
    await h.start({ only: ['automation', 'delivery'], schedulers: false });
    const t = await open('auto');
    const claimed = await waitFor(async () => {
      const x = await h.hd.store.get(t.id);
      return x?.status === 'claimed' ? x : undefined;
    });
    expect(['auto-a', 'auto-b']).toContain(claimed.assigneeAgentId);
    // The requester hears who is on it, through the delivery queue.
    await waitFor(() => h.slack.sent.some((s) => s.kind === 'dm' && s.view.text?.includes(`is working on ${t.number}`)));
  });
});
