import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeskFile } from '../../app/config/load-desk-file.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { TicketEvent } from '../../core/domain/events.js';
import { MongoKbFeedbackStore } from '../../core/store/kb-feedback.store.js';
import { MongoReportStore, ticketFactModel } from '../../core/store/ticket-fact.store.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { deskMetrics, type ReportDeps } from '../../core/use-cases/desk-metrics-report.js';
import { escalateTicket } from '../../core/use-cases/escalate-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { ticketFactRecorder } from '../../core/use-cases/record-ticket-facts.js';
import { rateTicket } from '../../core/use-cases/rate-ticket.js';
import { reopenTicket, resolveTicket } from '../../core/use-cases/resolve-ticket.js';
import { markSelfServed, stillNeedHelp } from '../../core/use-cases/self-serve.js';
import { handleSlaTimer } from '../../core/use-cases/sla-breach.js';
import type { KbFeedback } from '../../core/ports/kb.port.js';
import { gapTerms } from '../../kb/gap-terms.js';
import { queryKey } from '../../kb/feedback.js';
import { KeywordKb } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The example desk file: desk `it` works Mon–Thu 08–18, Fri 08–15 Europe/Madrid (UTC+1 in November).
const file = loadDeskFile(path.join(ROOT, 'helpdesk.example.yaml'));
const ANA = { platform: 'slack', workspace: 'T0000000', user: 'U0ANA' } as const;
const BEN = { platform: 'slack', workspace: 'T0000000', user: 'U0BEN' } as const;
const req = (platform: 'slack' | 'teams' | 'discord', user: string) => ({ platform, workspace: platform === 'slack' ? 'T0000000' : 'W', user });

/** The keyword KB of the flow tests, recording answers in the real feedback store as the KB does. */
class RecordingKb extends KeywordKb {
  constructor(private readonly store: () => MongoKbFeedbackStore, private readonly now: () => Date) {
    super([{ id: 'vpn-reset', title: 'Reset your VPN profile', keyword: 'vpn' }]);
  }
  override async recordFeedback(f: KbFeedback): Promise<void> {
    await this.store().record({ ...f, queryKey: queryKey(f.query), at: this.now() });
  }
}

let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
let now = new Date('2026-11-16T08:00:00Z'); // Monday 09:00 in Madrid
const at = (iso: string) => {
  now = new Date(iso);
};
let deps: ReportDeps;
const events: TicketEvent[] = [];

beforeAll(async () => {
  db = await freshDb();
  const feedback = new MongoKbFeedbackStore(db.connection);
  hd = await composeHelpdesk({ connection: db.connection, desks: file.desks, agents: file.agents, kb: new RecordingKb(() => feedback, () => now), clock: { now: () => now } });
  hd.events.subscribe((e) => {
    events.push(e);
  });
  deps = { reports: hd.reports, directory: hd.directory, store: hd.store, terms: (t) => gapTerms(t) };

  // A: Slack, an article solves it (Mon 09:00).
  const a = await openTicket(hd.deps, { idempotencyKey: 'a', requester: req('slack', 'U1'), text: 'my vpn keeps dropping', origin: { platform: 'slack', workspace: 'T0000000' } });
  at('2026-11-16T08:05:00Z');
  await markSelfServed(hd.deps, { id: a.ticket.id }, 'vpn-reset', a.ticket.requester);

  // B: Teams, P2 hardware, no article (Mon 17:00); Ana claims Tue 09:00, resolves Tue 10:00, rated 4.
  at('2026-11-16T16:00:00Z');
  const b = await openTicket(hd.deps, { idempotencyKey: 'b', requester: req('teams', 'T1'), text: 'the printer is on fire', category: 'hardware', priority: 'P2', origin: { platform: 'teams', workspace: 'W' } });
  at('2026-11-17T08:00:00Z');
  await claimTicket(hd.deps, { id: b.ticket.id }, ANA);
  at('2026-11-17T09:00:00Z');
  await resolveTicket(hd.deps, { id: b.ticket.id }, ANA);
  await rateTicket(hd.deps, { id: b.ticket.id }, b.ticket.requester, 4, 'quick and kind');

  // C: Discord, the article did not help; Ana claims and escalates, Ben claims and resolves, the
  // requester reopens, Ben resolves again; rated 2.
  at('2026-11-17T10:00:00Z');
  const c = await openTicket(hd.deps, { idempotencyKey: 'c', requester: req('discord', 'D1'), text: 'vpn broken again after the update', origin: { platform: 'discord', workspace: 'W' } });
  await stillNeedHelp(hd.deps, { id: c.ticket.id }, c.ticket.requester);
  at('2026-11-17T10:30:00Z');
  await claimTicket(hd.deps, { id: c.ticket.id }, ANA);
  await escalateTicket(hd.deps, { id: c.ticket.id }, ANA, 'needs a specialist');
  at('2026-11-17T11:00:00Z');
  await claimTicket(hd.deps, { id: c.ticket.id }, BEN);
  await resolveTicket(hd.deps, { id: c.ticket.id }, BEN);
  await reopenTicket(hd.deps, { id: c.ticket.id }, c.ticket.requester);
  at('2026-11-17T12:00:00Z');
  await resolveTicket(hd.deps, { id: c.ticket.id }, BEN);
  await rateTicket(hd.deps, { id: c.ticket.id }, c.ticket.requester, 2);

  // D: Discord, P1 printer question with no article, nobody answers: the first-response timer breaches.
  at('2026-11-17T13:00:00Z');
  const d = await openTicket(hd.deps, { idempotencyKey: 'd', requester: req('discord', 'D2'), text: 'printer jammed on floor 3', priority: 'P1', origin: { platform: 'discord', workspace: 'W' } });
  const dueAt = new Date(d.ticket.sla.firstResponseDueAt!).getTime();
  at('2026-11-17T13:20:00Z');
  await handleSlaTimer(hd.deps, hd.delivery, { ticketId: d.ticket.id, target: 'firstResponse', stage: 'breach', dueAt, tier: 1 });

  // E: a week earlier, outside the period.
  at('2026-11-05T09:00:00Z');
  await openTicket(hd.deps, { idempotencyKey: 'e', requester: req('slack', 'U9'), text: 'old question about printers', origin: { platform: 'slack', workspace: 'T0000000' } });
}, 120_000);
afterAll(async () => db.drop());

describe('desk report from ticket facts', () => {
  it('counts volume, business-hours times, SLA, escalations, reopens, self-service, CSAT, agents and KB gaps', async () => {
    const m = await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17');
    expect(m.volume).toEqual({ total: 4, byChannel: { slack: 1, teams: 1, discord: 2 }, byCategory: { '(none)': 3, hardware: 1 }, byPriority: { P3: 2, P2: 1, P1: 1 } });
    // B: Mon 17:00 → Tue 09:00 Madrid is 2 business hours (17–18, 08–09); resolved 1 h later.
    // C: 11:00 → 11:30 is 30 min; resolved (last) at 13:00 Madrid, 2 h after the request.
    expect(m.firstResponse).toEqual({ count: 2, medianMinutes: 30, p90Minutes: 120 });
    expect(m.resolution).toEqual({ count: 2, medianMinutes: 120, p90Minutes: 180 });
    expect(m.perDay.map((p) => [p.day, p.total])).toEqual([['2026-11-11', 0], ['2026-11-12', 0], ['2026-11-13', 0], ['2026-11-14', 0], ['2026-11-15', 0], ['2026-11-16', 2], ['2026-11-17', 2]]);
    expect(m.perDay[5]).toMatchObject({ byChannel: { slack: 1, teams: 1 }, firstResponse: { count: 1, medianMinutes: 120 } });
    expect(m.sla.find((s) => s.priority === 'P1')).toMatchObject({ met: 0, breached: 1, running: 0 });
    expect(m.sla.find((s) => s.priority === 'P2')).toMatchObject({ met: 1, breached: 0, attainment: 1 });
    expect(m.sla.find((s) => s.priority === 'P3')).toMatchObject({ met: 1, breached: 0 });
    // C by Ana, D by the breach (escalateOnBreach); D's breach stays counted though escalation restarts its clock.
    expect(m.escalations).toEqual({ '2': 2 });
    expect(m.reopened).toBe(1);
    expect(m.reopenRate).toBe(0.5);
    expect(m.selfService).toEqual({ suggestionsShown: 2, solvedIt: 1, deflectionRate: 0.5, topDeflecting: [{ articleId: 'vpn-reset', deflected: 1 }] });
    expect(m.csat).toEqual({ count: 2, average: 3, distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 0 }, comments: [{ number: expect.stringMatching(/^IT-/), score: 4, comment: 'quick and kind' }] });
    const ana = m.agents.find((x) => x.agentId === 'ana')!;
    const ben = m.agents.find((x) => x.agentId === 'ben')!;
    // Ana claimed B and C and answered both first (120 and 30 min); Ben claimed C after the escalation.
    expect(ana).toMatchObject({ name: 'Ana García', claimed: 2, resolved: 1, medianFirstResponseMinutes: 30, currentLoad: 0 });
    expect(ben).toMatchObject({ name: 'Ben Okafor', claimed: 1, resolved: 1, medianFirstResponseMinutes: null, currentLoad: 0 });
    expect(m.kb.articles).toEqual([{ articleId: 'vpn-reset', shown: 2, helpful: 1, notHelpful: 1, deflected: 1 }]);
    // B and D (no article) share the printer concept; C (article did not help) is its own group.
    const printer = m.kb.gaps.find((g) => g.count === 2)!;
    expect(printer).toMatchObject({ noSuggestion: 2, notHelpful: 0 });
    expect(printer.examples.map((e) => e.question).sort()).toEqual(['printer jammed on floor 3', 'the printer is on fire']);
    expect(m.kb.gaps.find((g) => g.notHelpful === 1)?.examples[0]?.question).toBe('vpn broken again after the update');
  });

  it('the per desk-day read model gives exactly the figures of the one-document-per-ticket facts', async () => {
    const fast = await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17');
    expect(fast.volume.total).toBe(4);
    expect(fast).toEqual(await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17', { exact: true }));
    // Every period shape: one day, the whole month, a period with no ticket.
    for (const [from, to] of [['2026-11-16', '2026-11-16'], ['2026-11-01', '2026-11-30'], ['2026-10-01', '2026-10-31']] as const) {
      expect(await deskMetrics(deps, 'it', from, to)).toEqual(await deskMetrics(deps, 'it', from, to, { exact: true }));
    }
    // A second writer (another process) replays every event: entries merge, nothing is counted twice.
    const other = new MongoReportStore(db.connection);
    const record = ticketFactRecorder(other, hd.directory);
    await Promise.all(events.map((e) => record(e)));
    expect(await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17')).toEqual(fast);
    // Built from ticket_facts alone (a database from before the read model): the same figures.
    await db.connection.collection('report_days').deleteMany({});
    await db.connection.collection('report_writers').deleteMany({});
    expect((await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17')).volume.total).toBe(0);
    expect(await hd.reports.backfillDays()).toBeGreaterThanOrEqual(5);
    expect(await hd.reports.backfillDays()).toBe(0); // once per database
    expect(await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17')).toEqual(fast);
  });

  it('replayed and stale events change nothing', async () => {
    const before = await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17');
    const docsBefore = await ticketFactModel(db.connection).find({}).lean();
    // Replay every event to the fact recorder, oldest first (a redelivery), then newest first
    // (out of order), then all at once (concurrent writers).
    const record = ticketFactRecorder(hd.reports, hd.directory);
    for (const e of events) await record(e);
    for (const e of [...events].reverse()) await record(e);
    await Promise.all(events.map((e) => record(e)));
    expect(await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17')).toEqual(before);
    const docsAfter = await ticketFactModel(db.connection).find({}).lean();
    expect(docsAfter.map((d) => d.v).sort()).toEqual(docsBefore.map((d) => d.v).sort());
  });

  it('`helpdesk report --json` prints the same figures as the use case', { timeout: 180_000 }, async () => {
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'report', '--desk', 'it', '--to', '2026-11-17', '--days', '7', '--json'], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: db.uri },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.stderr).toBe('');
    const out = JSON.parse(cli.stdout) as { metrics: unknown; opened: number };
    expect(out.metrics).toEqual(await deskMetrics(deps, 'it', '2026-11-11', '2026-11-17'));
    expect(out.opened).toBe(4); // the daily rollups agree on volume (UTC days; all four are inside)

    const text = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'report', '--desk', 'it', '--to', '2026-11-17', '--days', '7'], { cwd: ROOT, env: { ...process.env, MONGODB_URI: db.uri }, encoding: 'utf8', timeout: 60_000 });
    expect(text.stdout).toContain('first response, business hours  median 30 min  p90 120 min  (2)');
    expect(text.stdout).toContain('KB gap [');

    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'report', '--desk', 'it', '--to', '17/11/2026'], { cwd: ROOT, env: { ...process.env, MONGODB_URI: db.uri }, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--to takes a date YYYY-MM-DD');
  });
});
