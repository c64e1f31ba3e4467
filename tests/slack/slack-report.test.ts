import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHelpCommand } from '../../adapters/shared/help-command.js';
import { dayIn } from '../../core/domain/ticket-fact.js';
import { deskMetrics } from '../../core/use-cases/desk-metrics-report.js';
import { ALICE, blockText, startSlackHarness, TEAM, TIER1, type SlackHarness } from './slack-harness.js';

/**
 * `/help report [days]` from Slack: the desk's headline numbers (this period and the one before)
 * with a link to the reports page, through the same code path as the page and `helpdesk report` —
 * the real Bolt app, core on FerretDB, the fake Web API.
 */
describe('slack: /help report', () => {
  let h: SlackHarness;
  const REQ = { user: 'UREQ', name: 'Rita' };
  const MALLORY = { user: 'UMAL', name: 'Mallory' };
  const posts = (channel: string) => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  async function ask(text: string, user: { user: string; name?: string }, channel = 'CGENERAL') {
    const triggerId = `trg.${h.next()}`;
    const r = await h.command(text, { user, channel, triggerId });
    expect(r.status).toBe(200);
    const resp = await h.fake.waitFor(() => h.fake.responses.find((x) => x.id === `cmd-${triggerId}`));
    expect(resp.body.response_type).toBe('ephemeral');
    return `${String(resp.body.text)}\n${blockText(resp.body.blocks)}`;
  }

  beforeAll(async () => {
    h = await startSlackHarness();
    h.composed.deps.reporting!.pageUrl = (desk, to, days) => `https://helpdesk.example.com/console/reports?desk=${desk}&to=${to}&days=${days}`;
    // Two requests: one claimed and resolved by Alice, one still open.
    for (const text of ['zqxv frobnicator widget 7781 is misbehaving', 'qwpl gizmo 5512 makes a noise']) await h.command(text, { user: REQ });
    const card = await h.fake.waitFor(() => posts(TIER1)[0]);
    await h.interaction(h.blockAction(card.args.blocks, 'claim', { user: ALICE, channel: TIER1, messageTs: h.fake.messages.get(TIER1)![0]!.ts }));
    const [t] = await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: REQ.user }, status: ['claimed'] });
    await h.composed.helpdesk.handle({ type: 'ticket.resolve', eventId: 'rep-resolve', actor: ALICE, ticket: { id: t!.id } });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('parses `report [days]`; anything else after it is a help request', () => {
    expect(parseHelpCommand('report')).toEqual({ kind: 'report', days: 7 });
    expect(parseHelpCommand('informe 30')).toEqual({ kind: 'report', days: 30 });
    expect(parseHelpCommand('report 0').kind).toBe('open');
    expect(parseHelpCommand('report 400').kind).toBe('open');
    expect(parseHelpCommand('report my printer').kind).toBe('open');
  });

  it('an agent gets the headline numbers of the last 7 days against the 7 before, with the page link', async () => {
    const tz = h.composed.directory.desk('it').businessHours.timezone;
    const to = dayIn(new Date(), tz);
    const from = dayIn(new Date(Date.now() - 6 * 86_400_000), tz);
    const m = await deskMetrics({ ...h.composed.deps.reporting!, directory: h.composed.directory, store: h.composed.store }, 'it', from, to);
    expect(m.volume.total).toBe(2);
    const said = await ask('report', ALICE, TIER1);
    expect(said).toContain(`IT: ${from} to ${to}`);
    expect(said).toContain('Tickets');
    expect(said).toContain('2 (0)');
    expect(said).toContain(`${m.resolution.medianMinutes === null ? '—' : `${m.resolution.medianMinutes} min`} (—)`);
    expect(said).toContain(`https://helpdesk.example.com/console/reports?desk=it&to=${to}&days=7`);
    // Thirty days, in Spanish by its alias.
    const es = await ask('informe 30', ALICE, TIER1);
    expect(es).toContain(`days=30`);
    expect(es).toContain(dayIn(new Date(Date.now() - 29 * 86_400_000), tz));
  });

  it('a non-agent is refused and opens no ticket', async () => {
    const before = await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: MALLORY.user } });
    expect(await ask('report', MALLORY)).toContain('Only agents of this desk can do that.');
    expect(await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: MALLORY.user } })).toHaveLength(before.length);
  });
});
