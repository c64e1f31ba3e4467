import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flood, webChatter, webOpen } from '../support/storm.js';
import { testRedisUrl } from '../support/services.js';
import { launchBrowser, newPage, pageProblems, screenshot } from './browser.js';
import { readSse, type SseFrame } from './sse-reader.js';
import { startWebHarness, WebClient, type WebHarness } from './web.harness.js';

/**
 * A ticket storm on the web channel, end to end (issue 12 §3 "every ticket visible to agents within
 * 60 s, on every platform"): STORM_WEB_N (300) signed-in people open a web chat conversation each
 * through the chat's HTTP API (`POST /chat/api/it/conversations`, answered 202 once recorded), 20 at a
 * time. Meanwhile the agents' console is watched through its own interfaces: its queue pages
 * (`GET /console?fragment=1`, walked page by page with the `rel=next` cursor, once a second), its live
 * stream (`GET /console/live`, SSE) and a real Chromium showing the queue page. Every ticket must be
 * listed in the queue and named on the live stream within 60 s of its 202, each once; a sample is
 * claimed from the console as it appears. The live stream must not send one event per ticket change
 * (a storm would flood every agent's browser) and the page must keep refreshing during the storm
 * (a trailing-only debounce never fires while events keep coming).
 */
const N = Number(process.env.STORM_WEB_N ?? 300);
const TAG = `ws${Date.now().toString(36)}`;
const BUDGET_MS = 60_000;

let h: WebHarness;
let redis: Redis;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  h = await startWebHarness();
  redis = new Redis(testRedisUrl());
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  redis?.disconnect();
  await h?.stop();
});

const unitOf = (subject: string): number | undefined => {
  const at = subject.indexOf('unit ');
  if (at < 0) return undefined;
  const n = Number.parseInt(subject.slice(at + 5), 10);
  return Number.isFinite(n) ? n : undefined;
};

/** One walk of the queue, page by page: [ticket id, number, subject] in order. */
async function walkQueue(agent: WebClient, view = ''): Promise<Array<{ id: string; number: string; subject: string }>> {
  const rows: Array<{ id: string; number: string; subject: string }> = [];
  let url: string | undefined = `/console?desk=it${view}&fragment=1`;
  for (let pages = 0; url && pages < 200; pages++) {
    const res = await agent.request('GET', url);
    const html = await res.text();
    if (res.status !== 200) throw new Error(`queue page ${url}: ${res.status} ${html.slice(0, 200)}`);
    for (const part of html.split('<tr data-ticket="').slice(1)) {
      const id = part.slice(0, part.indexOf('"'));
      const numAt = part.indexOf('/console/tickets/') + '/console/tickets/'.length;
      const number = part.slice(numAt, part.indexOf('"', numAt));
      const subAt = part.indexOf('class="subject">') + 'class="subject">'.length;
      rows.push({ id, number, subject: part.slice(subAt, part.indexOf('</td>', subAt)) });
    }
    const next = html.indexOf('rel="next"');
    if (next < 0) url = undefined;
    else {
      const hrefAt = html.lastIndexOf('href="', next) + 6;
      url = html.slice(hrefAt, html.indexOf('"', hrefAt)).replaceAll('&amp;', '&');
      url += url.includes('fragment=1') ? '' : '&fragment=1';
    }
  }
  return rows;
}

describe('web ticket storm: every ticket visible and claimable in the console within 60 s', () => {
  it(`${N} web chat requests → console queue, live stream and browser`, async () => {
    const ana = new WebClient(h.base);
    expect((await ana.signIn(`/auth/magic?t=${h.magic.issue('ana', 60_000)}`)).status).toBe(303);
    const chatters = await Promise.all(Array.from({ length: N }, (_, i) => webChatter(redis, h.keyPrefix, h.base, TAG, i)));

    // The browser: ben's console queue, live.
    await page.goto(`${h.base}/auth/magic?t=${h.magic.issue('ben', 60_000)}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${h.base}/console`);
    await page.waitForFunction(() => String((globalThis as any).document.getElementById('live-status')?.textContent ?? '').startsWith('Live'), undefined, { timeout: 20_000 });
    const refreshes: number[] = [];
    page.on('request', (r) => {
      if (r.url().includes('fragment=1')) refreshes.push(Date.now());
    });

    // The live stream, as the console's EventSource reads it.
    const frames: SseFrame[] = [];
    const liveSeen = new Map<string, number>();
    const live = await fetch(`${h.base}/console/live?desk=it`, { headers: ana.headers() });
    expect(live.status).toBe(200);
    const sse = readSse(live, (f) => {
      frames.push(f);
      if (f.event !== 'ticket' && f.event !== 'tickets') return;
      const d = JSON.parse(f.data) as { ticketId?: string; ticketIds?: string[] };
      for (const id of d.ticketIds ?? (d.ticketId ? [d.ticketId] : [])) if (!liveSeen.has(id)) liveSeen.set(id, f.at);
    });

    // The queue, walked once a second; a sample claimed as it appears.
    const filedAt = new Map<number, number>();
    const listedAt = new Map<number, { at: number; id: string; number: string }>();
    const claimed: Array<{ unit: number; at: number; status: number }> = [];
    let walking = true;
    let walks = 0;
    let worstWalkMs = 0;
    let doubled = 0;
    const claims: Promise<void>[] = [];
    const watcher = (async () => {
      while (walking) {
        const t0 = Date.now();
        const rows = await walkQueue(ana);
        const at = Date.now();
        worstWalkMs = Math.max(worstWalkMs, at - t0);
        walks++;
        const ids = new Set<string>();
        for (const r of rows) {
          if (ids.has(r.id)) doubled++;
          ids.add(r.id);
          const unit = unitOf(r.subject);
          if (unit === undefined || !r.subject.includes('zorbl') || listedAt.has(unit)) continue;
          listedAt.set(unit, { at, id: r.id, number: r.number });
          if (unit % 30 === 7) {
            claims.push(
              ana.post(`/console/tickets/${r.number}/claim`, { eventId: `${TAG}-claim-${unit}` }).then((res) => {
                claimed.push({ unit, at: Date.now(), status: res.status });
              }),
            );
          }
        }
        if (listedAt.size >= N) break;
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - at))));
      }
    })();

    // The storm: N conversations, 20 requests in flight.
    const t0 = Date.now();
    const opened = await flood(N, 20, async (i) => {
      const r = await webOpen(h.base, chatters[i]!, TAG, i);
      filedAt.set(i, Date.now());
      return { i, ...r };
    });
    const filedMs = Date.now() - t0;
    expect(opened.filter((o) => o.status !== 202)).toEqual([]);

    // A look at the console in the middle of the storm: it says how busy it is.
    await page.waitForFunction(() => String((globalThis as any).document.getElementById('live-status')?.textContent ?? '').includes('Busy:'), undefined, { timeout: 30_000 });
    await screenshot(page, 'console-storm', false);

    const deadline = Date.now() + BUDGET_MS + 5000;
    while (listedAt.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    walking = false;
    await watcher;
    await Promise.all(claims);
    await new Promise((r) => setTimeout(r, 1500)); // the last live frames
    await sse.stop();
    await screenshot(page, 'console-storm-after', false);

    // Listed in the queue within 60 s of the 202, each once.
    const late = [...filedAt].map(([i, f]) => ({ i, ms: (listedAt.get(i)?.at ?? Infinity) - f })).sort((a, b) => b.ms - a.ms);
    const worst = late[0]!;
    // Named on the live stream within 60 s.
    const liveLate = [...filedAt].map(([i, f]) => {
      const id = listedAt.get(i)?.id;
      return { i, ms: (id && liveSeen.get(id) ? liveSeen.get(id)! : Infinity) - f };
    }).sort((a, b) => b.ms - a.ms);
    const stormFrames = frames.filter((f) => f.event === 'ticket' || f.event === 'tickets');
    const stormSpanS = stormFrames.length ? (stormFrames.at(-1)!.at - stormFrames[0]!.at) / 1000 : 0;
    const first = stormFrames[0]?.at ?? t0;
    const during = refreshes.filter((r) => r >= first && r <= (stormFrames.at(-1)?.at ?? t0));
    const gaps = during.map((r, i) => (i ? r - during[i - 1]! : r - first));
    console.log(
      `web storm: ${N} filed in ${(filedMs / 1000).toFixed(1)} s; listed in the queue: ${listedAt.size}, worst ${(worst.ms / 1000).toFixed(1)} s (unit ${worst.i});` +
        ` live stream: ${liveSeen.size} tickets named, worst ${(liveLate[0]!.ms / 1000).toFixed(1)} s, ${stormFrames.length} ticket frames over ${stormSpanS.toFixed(1)} s (${(stormFrames.length / N).toFixed(2)} per ticket);` +
        ` queue walks ${walks}, slowest ${worstWalkMs} ms; browser refreshes ${refreshes.length} (${during.length} during the storm, longest gap ${Math.max(0, ...gaps)} ms); claims ${claimed.map((c) => c.status).join(',')}`,
    );

    expect(listedAt.size).toBe(N);
    expect(worst.ms).toBeLessThanOrEqual(BUDGET_MS);
    expect(doubled).toBe(0);
    expect(liveLate[0]!.ms).toBeLessThanOrEqual(BUDGET_MS);
    // Claimable from the console as they appear (303 = done; a refusal would be 409 with the reason).
    expect(claimed.length).toBeGreaterThan(0);
    expect(claimed.filter((c) => c.status !== 303)).toEqual([]);

    // Nothing lost or doubled in the store: one ticket per request, distinct numbers.
    const tickets = (await Promise.all([...listedAt.values()].map((l) => h.hd.composed.store.get(l.id)))).filter((t) => t !== null);
    expect(tickets.length).toBe(N);
    expect(new Set(tickets.map((t) => t!.number)).size).toBe(N);
    expect(new Set(tickets.map((t) => t!.requester.user)).size).toBe(N);
    for (const c of claimed) expect(tickets.find((t) => t!.number === listedAt.get(c.unit)!.number)!.status).toBe('claimed');

    // The live stream coalesces a storm: about one frame a second, not one per ticket change.
    expect(stormFrames.length).toBeLessThanOrEqual(Math.ceil(stormSpanS) * 2 + 10);
    // The browser keeps up: it refreshed during the storm, and not once per event.
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5_000);
    expect(refreshes.length).toBeLessThanOrEqual(Math.ceil(stormSpanS) * 2 + 10);
    expect(pageProblems(page)).toEqual([]);

    // A filtered view over the storm (the queue index's rows, not a store scan): every unclaimed one, once.
    const tf = Date.now();
    const unassigned = (await walkQueue(ana, '&assigned=unassigned')).filter((r) => r.subject.includes('zorbl'));
    console.log(`unassigned view: ${unassigned.length} rows in ${Date.now() - tf} ms`);
    expect(unassigned.length).toBe(N - claimed.length);
    expect(new Set(unassigned.map((r) => r.id)).size).toBe(unassigned.length);
  }, 240_000);
});
