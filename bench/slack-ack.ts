/**
 * Slack ack benchmark: signed `/help <text>` slash commands against the real Bolt HTTP receiver at
 * rising rates (open loop, loopback only, bounded count and time). Measures the acknowledgement
 * latency (request sent → HTTP 200) p50/p99 and finds the rate where p99 crosses 1 s; every request
 * really creates a ticket, routes it (the texts match no KB article) and posts a triage card, a DM
 * and the ephemeral answer to the fake Slack Web API. Baseline: signed url_verification requests
 * (signature check + no work), measured in the same run.
 *
 *   npx tsx bench/slack-ack.ts            # FerretDB built/started in a temp dir
 *   MONGODB_URI=mongodb://… npx tsx bench/slack-ack.ts
 *   RATES=10,50,100 STEP_SECONDS=3 npx tsx bench/slack-ack.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { createSlackAdapter } from '../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../adapters/slack/slack.verify.js';
import { composeHelpdesk } from '../app/compose.js';
import { startFerretdb } from '../app/services/ferretdb.js';
import { silentLogger } from '../core/ports/logger.port.js';
import { openKnowledgeBase } from '../kb/open-kb.js';
import { SlackApiFake } from '../tests/fakes/slack-api.fake.js';
import { testAgent, testDesk, person } from '../tests/support/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RATES = (process.env.RATES ?? '10,25,50,100,200,400').split(',').map(Number);
const STEP_SECONDS = Number(process.env.STEP_SECONDS ?? 3);
const MAX_PER_STEP = Number(process.env.MAX_PER_STEP ?? 600);
const DRAIN_TIMEOUT_MS = 60_000;
const SECRET = 'bench-secret';

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'slack-ack-'));
  const ferret = process.env.MONGODB_URI ? undefined : await startFerretdb(path.join(tmp, 'db'), (m) => console.error(m));
  const base = process.env.MONGODB_URI ?? ferret!.url;
  const u = new URL(base);
  u.pathname = `/bench_slack_${Date.now()}`;
  const connection = await mongoose.createConnection(u.toString()).asPromise();
  const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
  const kbh = await openKnowledgeBase({ dir: path.resolve(here, '../kb/articles') });
  const composed = await composeHelpdesk({ connection, desks: [testDesk()], agents: [testAgent('alice', [person('slack', 'UALICE', 'T1', 'Alice')])], kb: kbh.kb });
  const adapter = createSlackAdapter({ helpdesk: composed.helpdesk, signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: fake.apiUrl, botUserId: 'UBOT', botId: 'BBOT', log: silentLogger, deskLocale: 'en' });
  composed.platforms.set('slack', adapter.platform);
  const server = createServer((req, res) => (adapter.handles(req) ? adapter.requestListener!(req, res) : (res.statusCode = 404, res.end())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const countTickets = () => connection.collection('tickets').countDocuments();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  const post = async (body: string, type: string) => {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...signSlackRequest(SECRET, body) }, body });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  };

  // Baseline: the receiver's own cost (signature + parse + answer), no listener work.
  const baseline: number[] = [];
  for (let i = 0; i < 100; i++) baseline.push((await post(JSON.stringify({ type: 'url_verification', challenge: `c${i}`, token: 'x' }), 'application/json')).ms);
  const baseP50 = pct(baseline, 50);
  console.log(`baseline url_verification: p50 ${ms(baseP50)} ms, p99 ${ms(pct(baseline, 99))} ms`);

  let n = 0;
  let crossed: number | undefined;
  const rows: Array<Record<string, string | number>> = [];
  for (const rate of RATES) {
    const count = Math.min(MAX_PER_STEP, Math.round(rate * STEP_SECONDS));
    const ticketsBefore = await countTickets();
    const cardsBefore = fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C_TIER1').length;
    const lat: number[] = [];
    let errors = 0;
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      n += 1;
      const body = new URLSearchParams({
        token: 'x', team_id: 'T1', team_domain: 'bench', channel_id: 'CGENERAL', channel_name: 'general', user_id: `UB${n % 500}`, user_name: `user${n % 500}`,
        command: '/help', text: `the coffee machine on floor ${n} makes a weird noise`, api_app_id: 'A1',
        response_url: fake.responseUrl(`b${n}`), trigger_id: `bench.${n}.${Date.now()}`,
      }).toString();
      inflight.push(post(body, 'application/x-www-form-urlencoded').then((r) => {
        if (r.status !== 200) errors += 1;
        lat.push(r.ms);
      }, () => void (errors += 1)));
    }
    await Promise.all(inflight);
    const sendSec = (performance.now() - start) / 1000;
    // Drain: every request's card must be posted before the next step (bounded wait).
    const t0 = performance.now();
    let cards = 0;
    while (performance.now() - t0 < DRAIN_TIMEOUT_MS) {
      cards = fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C_TIER1').length - cardsBefore;
      if (cards >= count - errors) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const drainSec = (performance.now() - t0) / 1000;
    const tickets = (await countTickets()) - ticketsBefore;
    const p50 = pct(lat, 50);
    const p99 = pct(lat, 99);
    rows.push({ rate, sent: count, achieved: Number((count / sendSec).toFixed(1)), p50: ms(p50), p99: ms(p99), max: ms(Math.max(...lat)), errors, tickets, cards, drain_s: drainSec.toFixed(1), p50_vs_baseline: (p50 / baseP50).toFixed(1) });
    console.log(JSON.stringify(rows.at(-1)));
    if (p99 > 1000 && crossed === undefined) {
      crossed = rate;
      break;
    }
  }
  console.table(rows);
  console.log(crossed !== undefined ? `p99 ack latency crossed 1 s at ${crossed} req/s` : `p99 stayed under 1 s up to ${RATES.at(-1)} req/s`);
  console.log(`tickets in db: ${await countTickets()}, cards posted: ${fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C_TIER1').length}, ephemeral answers: ${fake.responses.length}`);

  server.close();
  await fake.stop();
  await kbh.close();
  await connection.dropDatabase().catch(() => {});
  await connection.close();
  await ferret?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
