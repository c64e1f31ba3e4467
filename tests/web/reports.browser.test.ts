import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../adapters/web/auth/session.js';
import { reportTables, toCsv, type TableName } from '../../adapters/web/reports/reports.tables.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { DeskMetrics } from '../../core/use-cases/desk-metrics.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { escalateTicket } from '../../core/use-cases/escalate-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { rateTicket } from '../../core/use-cases/rate-ticket.js';
import { reopenTicket, resolveTicket } from '../../core/use-cases/resolve-ticket.js';
import { markSelfServed, stillNeedHelp } from '../../core/use-cases/self-serve.js';
import { handleSlaTimer } from '../../core/use-cases/sla-breach.js';
import { PRIORITIES } from '../../core/domain/ticket.js';
import { createQueues } from '../../jobs/queues.js';
import { randomId, testMongoUri, testRedisUrl } from '../support/services.js';
import { axeSerious, launchBrowser, newPage, pageProblems, screenshot } from './browser.js';
import { startWebHarness, WebClient, type WebHarness } from './web.harness.js';

/**
 * The reports page in Chromium: a month of tickets made through core's use cases with a fake clock
 * (claims, escalations, reopens, breaches, self-service, ratings with hostile comments), then the
 * page for that month — charts drawn, numbers equal to `helpdesk report --json`, every CSV parses
 * and equals the same figures, non-agents refused, user text escaped.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const ANA = { platform: 'slack', workspace: 'T0000000', user: 'U0ANA' } as const;
const BEN = { platform: 'slack', workspace: 'T0000000', user: 'U0BEN' } as const;
const TO = '2026-10-30';
const DAYS = 30;
const HOSTILE = '<img src=x onerror="document.title=1">great & "fast"';
const GAP_Q = 'payroll <script>alert(1)</script> portal frozen';

let h: WebHarness;
let uri: string;
let seed: Composed;
let seedConn: mongoose.Connection;
let browser: Browser;
let page: Page;
let now = new Date('2026-09-20T08:00:00Z');
const at = (d: Date) => {
  now = d;
};

/** A month (plus a few days of the previous period) of desk `it`, through the use cases. */
async function seedMonth(): Promise<number> {
  const channels = [
    { platform: 'slack', workspace: 'T0000000' },
    { platform: 'teams', workspace: 'W' },
    { platform: 'discord', workspace: 'W' },
  ] as const;
  const texts = ['my vpn keeps dropping at home', 'printer on floor 2 prints blank pages', 'outlook mailbox is full', 'laptop very slow after update', 'cannot connect to the guest wifi', GAP_Q];
  const categories = [undefined, 'hardware', 'network', 'email'];
  let n = 0;
  const starts = [...[20, 24, 28].map((d) => new Date(Date.UTC(2026, 8, d, 8))), ...Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 9, 1 + i, 7 + (i % 6))))];
  for (const [i, start] of starts.entries()) {
    at(start);
    const ch = channels[i % 3]!;
    const requester = { ...ch, user: `U${i}` };
    const r = await openTicket(seed.deps, { idempotencyKey: `seed-${i}`, requester, text: texts[i % texts.length]!, category: categories[i % 4], priority: PRIORITIES[i % 4], origin: ch });
    const ref = { id: r.ticket.id };
    n++;
    if (i % 7 === 3 && r.suggestions.length) {
      at(new Date(start.getTime() + 5 * 60_000));
      await markSelfServed(seed.deps, ref, r.suggestions[0]!.id, requester);
      continue;
    }
    if (r.ticket.status === 'new') await stillNeedHelp(seed.deps, ref, requester);
    if (i % 9 === 5) {
      // Nobody answers: the first-response timer breaches (and escalates, per the desk's policy).
      const t = (await seed.store.get(r.ticket.id))!;
      at(new Date(new Date(t.sla.firstResponseDueAt!).getTime() + 60_000));
      await handleSlaTimer(seed.deps, seed.delivery, { ticketId: t.id, target: 'firstResponse', stage: 'breach', dueAt: new Date(t.sla.firstResponseDueAt!).getTime(), tier: 1 });
      continue;
    }
    if (i % 11 === 10) continue; // still open
    at(new Date(start.getTime() + (20 + (i % 5) * 35) * 60_000));
    const agent = i % 2 ? ANA : BEN;
    await claimTicket(seed.deps, ref, agent);
    if (i % 8 === 6) {
      await escalateTicket(seed.deps, ref, agent, 'needs a specialist');
      continue;
    }
    if (i % 13 === 12) continue; // claimed, in progress
    at(new Date(now.getTime() + (60 + (i % 4) * 90) * 60_000));
    await resolveTicket(seed.deps, ref, agent, 'fixed');
    if (i % 10 === 4) {
      await reopenTicket(seed.deps, ref, requester);
      at(new Date(now.getTime() + 120 * 60_000));
      await resolveTicket(seed.deps, ref, agent, 'fixed again');
    }
    if (i % 3 === 0) await rateTicket(seed.deps, ref, requester, (1 + (i % 5)) as 1, i % 6 === 0 ? HOSTILE : undefined);
  }
  return n;
}

/** What `helpdesk report --json` prints for the same database and period. */
function cliMetrics(): DeskMetrics {
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'report', '--desk', 'it', '--to', TO, '--days', String(DAYS), '--json'], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: uri, HELPDESK_CONFIG: '' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(cli.stderr).toBe('');
  return (JSON.parse(cli.stdout) as { metrics: DeskMetrics }).metrics;
}

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (ch === '"') q = false;
      else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(f);
      f = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
      i++;
    } else f += ch;
  }
  return rows;
}

const signIn = async (p: Page, agentId: string) => {
  await p.goto(`${h.base}/auth/magic?t=${h.magic.issue(agentId, 60_000)}`);
  await p.getByRole('button', { name: 'Continue' }).click();
  await p.waitForURL(`${h.base}/console`);
};
const reportUrl = `/console/reports?desk=it&to=${TO}&days=${DAYS}`;

beforeAll(async () => {
  uri = testMongoUri();
  h = await startWebHarness({ MONGODB_URI: uri });
  // The seeding process: core on the same database with a fake clock; its events feed the
  // console's queue index like any other process's would.
  seedConn = await mongoose.createConnection(uri).asPromise();
  // The same agents as the runtime's desk file (a compose syncs its list: anyone missing would lose their desks).
  const dir = h.hd.composed.directory;
  const agents = [...new Map((await Promise.all(dir.desks().map((d) => dir.agentsOf(d.id)))).flat().map((a) => [a.id, a])).values()];
  seed = await composeHelpdesk({ connection: seedConn, desks: dir.desks(), agents, kb: h.hd.composed.deps.kb, clock: { now: () => now } });
  const index = h.hd.composed.deps.queueIndex!;
  seed.events.subscribe((e) => index.record(e.ticket, e.before));
  expect(await seedMonth()).toBe(33);
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await seedConn?.close();
  await h?.stop();
});

describe('reports page in Chromium', () => {
  let cli: DeskMetrics;

  it('a desk lead sees every chart drawn, and the numbers are those of `helpdesk report --json`', { timeout: 180_000 }, async () => {
    cli = cliMetrics();
    expect(cli.volume.total).toBe(30);
    expect(cli.escalations['2']).toBeGreaterThan(0);
    expect(cli.csat.count).toBeGreaterThan(0);
    await signIn(page, 'carla');
    await page.goto(`${h.base}${reportUrl}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.chartsReady === '5', undefined, { timeout: 15_000 });
    for (const id of ['chart-volume', 'chart-times', 'chart-sla', 'chart-esc', 'chart-csat']) {
      expect(await page.locator(`#${id}`).getAttribute('data-drawn')).toBe('1');
      // Something was painted: the canvas is not blank.
      const painted = await page.evaluate(`(() => { const c = document.getElementById('${id}'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()`);
      expect(painted as number).toBeGreaterThan(500);
    }
    const kpi = async (k: string) => (await page.locator(`[data-kpi="${k}"] .kpi-value`).textContent())!.trim();
    expect(await kpi('tickets')).toBe(String(cli.volume.total));
    expect(await kpi('first_response_median_min')).toBe(String(cli.firstResponse.medianMinutes));
    expect(await kpi('resolution_p90_min')).toBe(String(cli.resolution.p90Minutes));
    expect(await kpi('csat_average')).toBe(String(cli.csat.average));
    expect(await page.locator('#csat-avg').textContent()).toContain(`from ${cli.csat.count} ratings`);
    expect(await page.locator('#self-service dd').first().textContent()).toBe(String(cli.selfService.suggestionsShown));
    // The agents table (leads only) with the current load from the Redis queue index = the store's count.
    const agents = page.locator('section[aria-labelledby="h-agents"] tbody tr');
    expect(await agents.count()).toBe(cli.agents.length);
    for (const a of cli.agents) {
      const cells = await page.locator('section[aria-labelledby="h-agents"] tbody tr', { hasText: a.name }).locator('td').allTextContents();
      expect(cells).toEqual([a.name, String(a.claimed), String(a.resolved), a.medianFirstResponseMinutes === null ? '—' : String(a.medianFirstResponseMinutes), String(a.currentLoad)]);
    }
    expect(await page.locator('#period').textContent()).toContain('2026-10-01 to 2026-10-30');
    await screenshot(page, 'reports-lead');
    expect(pageProblems(page)).toEqual([]);
    expect(await axeSerious(page)).toEqual([]);
  });

  it('escapes user text: a CSAT comment and a KB-gap question render as text', async () => {
    expect(await page.locator('.comments img').count()).toBe(0);
    expect(await page.locator('.comments').textContent()).toContain(HOSTILE);
    expect(await page.locator('#kb-gaps script').count()).toBe(0);
    expect(await page.locator('#kb-gaps').textContent()).toContain('<script>alert(1)</script>');
    expect(await page.title()).not.toBe('1');
  });

  it('every CSV download parses and holds the same figures as the CLI', async () => {
    const client = new WebClient(h.base);
    await client.signIn(`/auth/magic?t=${h.magic.issue('carla', 60_000)}`);
    // The previous period, from the same code path, for the comparison table.
    const { deskMetrics } = await import('../../core/use-cases/desk-metrics-report.js');
    const ctxDeps = { reports: h.hd.composed.reports, directory: h.hd.composed.directory, store: h.hd.composed.store, terms: (await import('../../kb/gap-terms.js')).gapTerms };
    const prev = await deskMetrics(ctxDeps, 'it', '2026-09-01', '2026-09-30');
    expect(prev.volume.total).toBe(3);
    const expected = reportTables(cli, prev, true);
    for (const [name, table] of Object.entries(expected) as Array<[TableName, NonNullable<(typeof expected)[TableName]>]>) {
      const res = await client.request('GET', `/console/reports/export.csv?desk=it&to=${TO}&days=${DAYS}&table=${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toContain(`report-it-2026-10-01-${TO}-${name}.csv`);
      const text = await res.text();
      expect(text, name).toBe(toCsv(table));
      const rows = parseCsv(text);
      expect(rows[0], name).toEqual(table.header);
      expect(rows.length, name).toBe(table.rows.length + 1);
    }
    // The hostile comment survives a round trip, defused for spreadsheets only where it starts with a formula sign.
    const comments = parseCsv(await (await client.request('GET', `/console/reports/export.csv?desk=it&to=${TO}&days=${DAYS}&table=comments`)).text());
    expect(comments.slice(1).map((r) => r[2])).toContain(HOSTILE);
    // The CSV link in the page downloads in the browser too.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('section[aria-labelledby="h-sla"] a.csv').click()]);
    expect(download.suggestedFilename()).toBe(`report-it-2026-10-01-${TO}-sla.csv`);
    // Page weight of the HTML (docs/web.md): printed, not asserted.
    const { html } = await client.page(reportUrl);
    console.log(`reports page HTML: ${Buffer.byteLength(html)} bytes, ${gzipSync(html, { level: 6 }).length} gzipped`);
    const bad = await client.request('GET', `/console/reports/export.csv?desk=it&to=${TO}&days=${DAYS}&table=nope`);
    expect(bad.status).toBe(400);
  });

  it('an agent who is not a lead sees no agents table and no queue health; their CSV of agents is refused', async () => {
    const p = await newPage(browser);
    await signIn(p.page, 'ana');
    await p.page.goto(`${h.base}${reportUrl}`);
    await p.page.waitForFunction(() => (globalThis as any).document.body.dataset.chartsReady === '5', undefined, { timeout: 15_000 });
    expect(await p.page.locator('#h-agents').count()).toBe(0);
    expect(await p.page.locator('#health').count()).toBe(0);
    await screenshot(p.page, 'reports-agent');
    const client = new WebClient(h.base);
    await client.signIn(`/auth/magic?t=${h.magic.issue('ana', 60_000)}`);
    expect((await client.request('GET', `/console/reports/export.csv?desk=it&to=${TO}&days=${DAYS}&table=agents`)).status).toBe(403);
    expect(pageProblems(p.page)).toEqual([]);
    await p.context.close();
  });

  it('refuses non-agents (403), agents of another desk (403) and anonymous requests', async () => {
    // A signed-in visitor (web chat person) is not an agent.
    const redis = new Redis(testRedisUrl());
    const visitor = await new SessionStore(redis, h.keyPrefix).create({ kind: 'visitor', name: 'Vera', email: 'vera@example.com', identity: { platform: 'web', workspace: 'email', user: 'vera@example.com' } }, 'test');
    await redis.quit();
    const asVisitor = await fetch(`${h.base}${reportUrl}`, { headers: { cookie: `hd_session=${visitor.id}`, accept: 'text/html' }, redirect: 'manual' });
    expect(asVisitor.status).toBe(403);
    const csvAsVisitor = await fetch(`${h.base}/console/reports/export.csv?desk=it&table=sla`, { headers: { cookie: `hd_session=${visitor.id}` } });
    expect(csvAsVisitor.status).toBe(403);
    // Hugo is an agent of `hr` only.
    const hugo = new WebClient(h.base);
    await hugo.signIn(`/auth/magic?t=${h.magic.issue('hugo', 60_000)}`);
    expect((await hugo.request('GET', reportUrl)).status).toBe(403);
    expect((await hugo.request('GET', `/console/reports/export.csv?desk=it&table=sla`)).status).toBe(403);
    const own = await hugo.request('GET', '/console/reports?desk=hr');
    expect(own.status).toBe(200);
    // Nobody signed in: to the sign-in page (HTML) or 401 (anything else).
    expect((await fetch(`${h.base}${reportUrl}`, { headers: { accept: 'text/html' }, redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${h.base}/console/reports/export.csv?desk=it&table=sla`, { redirect: 'manual' })).status).toBe(401);
    // Bad input is named.
    const bad = await hugo.request('GET', '/console/reports?desk=hr&days=9999', { headers: { accept: 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('days: a whole number from 1 to 366');
  });

  it('queue health for admins: a failed delivery is listed with its error and the retry button (CSRF-protected) puts it back', async () => {
    const queues = createQueues({ connection: testRedisUrl(), prefix: h.keyPrefix.slice(0, -1) });
    try {
      // A Slack post that Slack refuses for good (channel_not_found): the worker fails it at once.
      h.slack.failNext('chat.postMessage', { error: 'channel_not_found' }, 1);
      const op = { kind: 'post', key: `rep-fail-${randomId()}`, platform: 'slack', target: { workspace: 'T0000000', channel: 'C0GONE' }, view: { kind: 'notice', fallback: 'x', title: 'x', text: 'x' } };
      const job = await queues.delivery.add('deliver', { op } as never, { jobId: op.key, attempts: 1 });
      await expect.poll(async () => (await queues.delivery.getJob(job.id!))?.isFailed(), { timeout: 15_000 }).toBe(true);
      await page.goto(`${h.base}${reportUrl}`);
      const row = page.locator(`#failed-jobs tr[data-job="${job.id}"]`);
      await row.waitFor();
      expect((await row.locator('.error-text').textContent())!.length).toBeGreaterThan(3);
      expect(await row.locator('.error-text').textContent()).toContain('channel_not_found');
      expect(await page.locator('#health').textContent()).toContain('slack');
      await page.locator('#health').screenshot({ path: path.join(ROOT, 'tests/.artifacts/reports-health.png') });
      // Without the page's token the same POST is refused.
      const client = new WebClient(h.base);
      await client.signIn(`/auth/magic?t=${h.magic.issue('carla', 60_000)}`);
      expect((await client.post('/console/reports/jobs/retry', { queue: 'delivery', id: job.id! }, { csrf: false })).status).toBe(403);
      // A non-lead agent may not retry.
      const ana = new WebClient(h.base);
      await ana.signIn(`/auth/magic?t=${h.magic.issue('ana', 60_000)}`);
      expect((await ana.post('/console/reports/jobs/retry', { queue: 'delivery', id: job.id! })).status).toBe(403);
      // The button: back to the page with the notice; the job runs again and now goes through.
      await row.getByRole('button', { name: 'Retry' }).click();
      await page.waitForURL((u) => u.searchParams.get('retried') === '1');
      expect(await page.locator('.alert.ok').textContent()).toContain('1 job(s) put back to run');
      await expect.poll(async () => (await queues.delivery.getJob(job.id!))?.getState(), { timeout: 15_000 }).toBe('completed');
      expect(h.slack.calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0GONE')).toBe(true);
      expect(pageProblems(page)).toEqual([]);
    } finally {
      await queues.close();
    }
  });

  it('fits a phone’s width, in Spanish', async () => {
    const phone = await newPage(browser, { phone: true, locale: 'es-ES' });
    await phone.page.goto(`${h.base}/auth/magic?t=${h.magic.issue('ben', 60_000)}`);
    await phone.page.getByRole('button', { name: 'Continuar' }).click();
    await phone.page.waitForURL(`${h.base}/console`);
    await phone.page.goto(`${h.base}${reportUrl}`);
    await phone.page.waitForFunction(() => (globalThis as any).document.body.dataset.chartsReady === '5', undefined, { timeout: 15_000 });
    expect(await phone.page.locator('h1').textContent()).toBe('Informes');
    expect(await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'reports-phone-es');
    expect(pageProblems(phone.page)).toEqual([]);
    await phone.context.close();
  });
});
