import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { startHelpdesk, type RunningHelpdesk } from '../../app/runtime.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { randomId, testMongoUri, testRedisUrl } from '../support/services.js';

/**
 * The composition root end to end: config from env and a desk file, the HTTP server, the Slack
 * receiver, the KB, and the BullMQ delivery queue and workers — a signed /help that no article
 * answers must come out as a triage card posted by the delivery worker.
 */
const SECRET = 'runtime-secret';
let fake: SlackApiFake;
let hd: RunningHelpdesk;
let base: string;
let dataDir: string;

beforeAll(async () => {
  fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-runtime-'));
  const deskFile = path.join(dir, 'desks.yaml');
  dataDir = path.join(dir, 'data');
  writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
  hd = await startHelpdesk(
    {
      PORT: '0',
      SMTP_LISTEN_PORT: '0', // the example desk file has an email address: never the shared default port in tests
      HOST: '127.0.0.1',
      HELPDESK_CONFIG: deskFile,
      HELPDESK_DATA_DIR: dataDir,
      HELPDESK_QUEUE_PREFIX: `rt${randomId()}`,
      MONGODB_URI: testMongoUri(),
      REDIS_URL: testRedisUrl(),
      SLACK_BOT_TOKEN: 'xoxb-runtime',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
    },
    pino({ level: 'silent' }),
  );
  base = `http://127.0.0.1:${hd.port}`;
});
afterAll(async () => {
  await hd?.stop();
  await fake?.stop();
});

describe('runtime (role all)', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { mongodb: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(metrics).toMatch(/helpdesk_/);
  });

  it('rejects an unsigned Slack request', async () => {
    const r = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Fhelp&text=hi' });
    expect(r.status).toBe(401);
  });

  it('answers 400 to a signed but malformed Slack body and counts it on /metrics', async () => {
    const body = new URLSearchParams({ command: '/help', team_id: 'T0000000', user_id: 'U0RITA', channel_id: 'CGEN', trigger_id: 'trg.bad', response_url: 'not a url' }).toString();
    const r = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body });
    expect(r.status).toBe(400);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('helpdesk_payload_rejections_total{platform="slack",kind="command"} 1');
  });

  it('a /help nobody’s article answers becomes a card through the delivery queue', async () => {
    const body = new URLSearchParams({
      token: 'legacy', team_id: 'T0000000', team_domain: 'acme', channel_id: 'CGEN', channel_name: 'general', user_id: 'U0RITA', user_name: 'rita',
      command: '/help', text: 'the quarterly zorbl frobnicator emits purple smoke', api_app_id: 'A1', response_url: fake.responseUrl('rt-1'), trigger_id: 'trg.rt.1',
    }).toString();
    const t0 = Date.now();
    const r = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body });
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000); // Slack's deadline, not a benchmark
    const card = await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => c.args.channel === 'C0TIER1'), 15_000);
    expect(String(card.args.text ?? '')).toMatch(/IT-\d+/);
    const [ticket] = await hd.composed.store.list({ deskId: 'it' });
    expect(ticket).toMatchObject({ status: 'open', requester: { platform: 'slack', user: 'U0RITA' } });
    // The worker stored where the card is, so claims and replies in its thread find the ticket.
    let linked = false;
    for (let i = 0; i < 100 && !linked; i++) {
      linked = Boolean((await hd.composed.store.get(ticket!.id))?.links.some((l) => l.role === 'triage' && l.channel === 'C0TIER1' && l.message));
      if (!linked) await new Promise((r) => setTimeout(r, 50));
    }
    expect(linked).toBe(true);
  });

  it('a mail to the example desk address becomes a ticket; with no SMTP_URL the answer is an .eml in <data dir>/outbox', async () => {
    expect(hd.smtpPort).toBeGreaterThan(0);
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: hd.smtpPort, secure: false, ignoreTLS: true });
    const sent = await client.sendMail({ from: 'newcomer@example.com', to: 'it@helpdesk.localhost', subject: 'The zorbl frobnicator is purple', text: 'It has been purple since Monday.' });
    client.close();
    expect(sent.response).toMatch(/^250 /);
    const outbox = path.join(dataDir, 'outbox');
    let files: string[] = [];
    for (let i = 0; i < 200 && files.length === 0; i++) {
      try {
        files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      } catch {
        /* not created yet */
      }
      if (files.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(files.length).toBeGreaterThan(0);
    const eml = readFileSync(path.join(outbox, files[0]!), 'utf8');
    expect(eml).toMatch(/To: newcomer@example\.com/);
    expect(eml).toMatch(/Subject: Re: \[IT-\d+\] The zorbl frobnicator is purple/);
    expect(eml).toContain(`In-Reply-To: ${sent.messageId}`);
  });
});
