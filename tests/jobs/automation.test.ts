import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskError } from '../../core/domain/errors.js';
import { applyMacro, renderMacro } from '../../core/use-cases/apply-macro.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { pendTicket } from '../../core/use-cases/pend-ticket.js';
import { upsertJobSchedulers } from '../../jobs/index.js';
import { safeId } from '../../jobs/names.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { harness, request, requester, waitFor, type Harness } from './harness.js';

const agent = testAgent('a1', [person('slack', 'UAG1', 'T1', 'Ada')]);
const desk = testDesk({
  // Times scaled down: window 0.6 s, reminder after 0.72 s, auto-resolve after 1.3 s, close 0.43 s later.
  deflection: { enabled: true, maxSuggestions: 3, windowMinutes: 0.01 },
  automation: { pendingReminderHours: 0.0002, autoResolveAfterDays: 0.000015, reopenWindowDays: 0.000005, digestCron: '0 9 * * 1' },
  logChannels: { slack: { workspace: 'T1', channel: 'C_LOG' } },
  macros: [{ name: 'Reboot', text: 'Hi {{requester}}, please restart and tell us if {{ticket}} is fixed. — {{ agent }}' }],
});
let h: Harness;
beforeAll(async () => {
  h = await harness(desk, [agent], { kb: new KeywordKb() });
  await h.start();
});
afterAll(async () => h.close());

describe('automation', () => {
  it('deflection window: a ticket still new after the window is routed to triage', async () => {
    const { ticket, suggestions } = await openTicket(h.hd.deps, request('defl-1', 'my vpn drops'));
    expect(suggestions.length).toBeGreaterThan(0);
    expect(ticket.status).toBe('new');
    await waitFor(async () => (await h.hd.store.get(ticket.id))?.status === 'open', 10_000, 'routed');
    await waitFor(() => h.slack.sent.some((s) => s.channel === 'C_TIER1' && s.view.kind === 'ticket_card' && s.view.title?.includes(ticket.number)));
  });

  it('deflection window: only a ticket showing suggestions gets the timer (one without is routed at once)', async () => {
    const shown = await openTicket(h.hd.deps, request('defl-2', 'vpn again'));
    const none = await openTicket(h.hd.deps, request('defl-3', 'the printer is on fire'));
    expect(shown.suggestions.length).toBeGreaterThan(0);
    expect(none.suggestions).toEqual([]);
    expect(none.ticket.status).toBe('open');
    // The created event's timers are queued before openTicket returns (the bus awaits its subscribers).
    expect(await h.client.queues.automation.getJob(safeId('defl', shown.ticket.id))).toBeTruthy();
    expect(await h.client.queues.automation.getJob(safeId('defl', none.ticket.id))).toBeUndefined();
  });

  it('pending: a reminder, then auto-resolve with a notice, then auto-close after the reopen window', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('pend-1', 'printer jam'));
    await claimTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await pendTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await waitFor(() => h.slack.texts().some((t) => t.includes(`still waiting for your answer on ${ticket.number}`)), 10_000, 'reminder');
    await waitFor(async () => (await h.hd.store.get(ticket.id))?.status === 'resolved', 10_000, 'auto-resolve');
    await waitFor(() => h.slack.texts().some((t) => t === `${ticket.number} was resolved automatically after no answer.`), 10_000, 'auto-resolve notice');
    // The CSAT question follows resolution (notifier), once.
    await waitFor(() => h.slack.sent.some((s) => s.view.kind === 'csat' && s.view.text?.includes(ticket.number)));
    await waitFor(async () => (await h.hd.store.get(ticket.id))?.status === 'closed', 10_000, 'auto-close');
    const reminders = h.slack.texts().filter((t) => t.includes(`still waiting for your answer on ${ticket.number}`));
    expect(reminders).toHaveLength(1);
    expect(h.slack.sent.filter((s) => s.view.kind === 'csat' && s.view.text?.includes(ticket.number))).toHaveLength(1);
  });

  it('a requester answer stops the reminders and auto-resolve of that pending period', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('pend-2', 'mouse broken'));
    await claimTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await pendTicket(h.hd.deps, { id: ticket.id }, agent.identities[0]!);
    await h.hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ans-1', ticket: { id: ticket.id }, actor: requester, text: 'it is the left button' });
    expect((await h.hd.store.get(ticket.id))?.status).toBe('claimed');
    const jobs = await h.client.queues.automation.getJobs(['delayed', 'waiting', 'active', 'completed']);
    const mine = jobs.filter((j) => j && 'ticketId' in j.data && j.data.ticketId === ticket.id && j.data.kind === 'auto_resolve');
    expect(mine).toHaveLength(1);
    await waitFor(async () => (await mine[0]!.getState()) === 'completed' || (await h.client.queues.automation.getJob(mine[0]!.id!)) === undefined, 10_000);
    expect((await h.hd.store.get(ticket.id))?.status).toBe('claimed');
  });

  it('digest: a job scheduler per desk posts counts to the log channel', async () => {
    await upsertJobSchedulers(h.client.queues, h.hd.deps, true);
    const s = await h.client.queues.automation.getJobScheduler('digest-it');
    expect(s?.pattern).toBe('0 9 * * 1');
    expect(await h.client.queues.automation.getJobScheduler('prune-processed')).toBeDefined();
    await h.client.queues.automation.add('digest', { kind: 'digest', deskId: 'it', days: 7 });
    const post = await waitFor(() => h.slack.sent.find((x) => x.channel === 'C_LOG'));
    expect(post.view.title).toBe('IT digest');
    expect(post.view.text).toMatch(/^\d+ opened · \d+ resolved · \d+ SLA breaches · \d+ still open$/);
    expect(Number(post.view.text!.split(' ')[0])).toBeGreaterThanOrEqual(3);
    // The headline numbers of the reports page (same code path), this week against the one before.
    const tickets = post.view.fields?.find((f) => f.label === 'Tickets');
    expect(tickets?.value).toMatch(/^\d+ \(\d+\)$/);
    expect(Number(tickets!.value.split(' ')[0])).toBeGreaterThanOrEqual(3);
    expect(post.view.fields?.map((f) => f.label)).toContain('SLA attainment');
  });

  it('prune: processed event ids older than a day are forgotten', async () => {
    const col = h.db.connection.collection<{ _id: string; at: Date }>('processed_events');
    await col.insertMany([
      { _id: 'old-1', at: new Date(Date.now() - 2 * 86_400_000) },
      { _id: 'new-1', at: new Date() },
    ]);
    await h.client.queues.automation.add('prune_processed', { kind: 'prune_processed' });
    await waitFor(async () => (await col.countDocuments({ _id: 'old-1' })) === 0);
    expect(await col.countDocuments({ _id: 'new-1' })).toBe(1);
  });

  it('macros: an agent sends a named canned response with placeholders filled', async () => {
    const { ticket } = await openTicket(h.hd.deps, request('macro-1', 'screen flickers'));
    const r = await applyMacro(h.hd.deps, { ticket: { number: ticket.number }, agent: agent.identities[0]!, name: 'reboot' });
    expect(r.text).toBe(`Hi Rita, please restart and tell us if ${ticket.number} is fixed. — Ada`);
    expect(r.recorded).toBe(true);
    await expect(applyMacro(h.hd.deps, { ticket: { id: ticket.id }, agent: requester, name: 'reboot' })).rejects.toMatchObject({ code: 'TICKET.NOT_AGENT' });
    await expect(applyMacro(h.hd.deps, { ticket: { id: ticket.id }, agent: agent.identities[0]!, name: 'nope' })).rejects.toBeInstanceOf(HelpdeskError);
    expect(renderMacro('{{unknown}} {{ticket}}', { requester: 'R', ticket: 'IT-1', subject: '', agent: '', desk: '' })).toBe('{{unknown}} IT-1');
  });
});
