import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { startHelpdesk, type RunningHelpdesk } from '../../app/runtime.js';
import { mongoUriFor, startFerretdb } from '../../app/services/ferretdb.js';
import type { RunningService } from '../../app/services/ferretdb.js';
import { DiscordFake, fakeUser } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { randomId, testRedisUrl } from '../support/services.js';

/**
 * A database stall never makes an acknowledgement late: with FerretDB stopped (SIGSTOP) for 5 s,
 * Slack slash commands get their 200 and Discord interactions their deferral within 3 s (the fake
 * refuses later callbacks with 10062, as Discord does); all are processed once the database is back.
 * The test's own FerretDB: the shared one serves parallel test files.
 */
const SECRET = 'pause-secret';
const GUILD = '100000000000000000'; // helpdesk.example.yaml
const TIER1 = '200000000000000001';
let slack: SlackApiFake;
let discord: DiscordFake;
let ferret: RunningService;
let hd: RunningHelpdesk;
let db: Connection;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-pause-'));
  const pg = process.env.HELPDESK_FERRETDB_POSTGRESQL_URL;
  const pgUrl = pg ? Object.assign(new URL(pg), { pathname: `/hd_pause_${randomId()}` }).toString() : undefined;
  ferret = await startFerretdb(path.join(dir, 'ferret'), () => {}, pgUrl ? { postgresqlUrl: pgUrl } : {});
  slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  discord = await DiscordFake.start({
    guilds: [
      {
        id: GUILD,
        name: 'Acme',
        channels: [
          { id: TIER1, name: 'tier-1' },
          { id: '200000000000000002', name: 'tier-2' },
          { id: '200000000000000009', name: 'helpdesk-log' },
          { id: '200000000000000050', name: 'general' },
        ],
        roles: [
          { id: '300000000000000001', name: 'T1' },
          { id: '300000000000000002', name: 'T2' },
        ],
      },
    ],
  });
  discord.interactionDeadlineMs = 3000;
  const deskFile = path.join(dir, 'desks.yaml');
  writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
  const mongoUri = mongoUriFor(ferret.url, 'pause');
  hd = await startHelpdesk(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      HELPDESK_CONFIG: deskFile,
      HELPDESK_QUEUE_PREFIX: `pause${randomId()}`,
      MONGODB_URI: mongoUri,
      REDIS_URL: testRedisUrl(),
      SLACK_BOT_TOKEN: 'xoxb-pause',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: 'fake-bot-token',
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    },
    pino({ level: 'silent' }),
  );
  db = await mongoose.createConnection(mongoUri).asPromise();
}, 120_000);
afterAll(async () => {
  const pid = ferret?.pid?.();
  if (pid) process.kill(pid, 'SIGCONT');
  await hd?.stop();
  await db?.close();
  await ferret?.stop();
  await slack?.stop();
  await discord?.close();
});

describe('database paused for 5 s during requests', () => {
  it('Slack and Discord requests are acknowledged in time and processed after the database returns', async () => {
    const url = `http://127.0.0.1:${hd.port}/slack/events`;
    const pid = ferret.pid!()!;
    process.kill(pid, 'SIGSTOP');
    const pausedAt = Date.now();
    let slackTimes: number[] = [];
    const interactions: Array<{ id: string; token: string }> = [];
    try {
      // Five waves over the pause, so requests arrive early and late in it.
      for (let wave = 0; wave < 5; wave++) {
        const sent = Array.from({ length: 4 }, async (_, k) => {
          const i = wave * 4 + k;
          const body = new URLSearchParams({
            token: 'legacy', team_id: 'T0000000', team_domain: 'acme', channel_id: 'CGEN', channel_name: 'general', user_id: `U${2000 + i}`, user_name: `p${i}`,
            command: '/help', text: `the zorbl frobnicator unit ${i} emits purple smoke`, api_app_id: 'A1', response_url: slack.responseUrl(`pause-${i}`), trigger_id: `trg.pause.${i}`,
          }).toString();
          const t0 = Date.now();
          const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body });
          expect(r.status).toBe(200);
          return Date.now() - t0;
        });
        interactions.push(
          discord.slashCommand({ user: fakeUser(`40000000000000${1000 + wave}`, `Person ${wave}`), channelId: '200000000000000050', name: 'help', options: [{ type: 3, name: 'text', value: `the zorbl printer ${wave} is on fire` }] }),
        );
        slackTimes = [...slackTimes, ...(await Promise.all(sent))];
        await new Promise((r) => setTimeout(r, 800));
      }
      // Every Discord interaction deferred (type 5) within its 3 s, while the database is still stopped.
      await discord.waitFor(() => interactions.every((ix) => discord.interactions.get(ix.token)?.ackedAt), 'deferrals', 3000);
      expect(Date.now() - pausedAt).toBeLessThan(5500);
    } finally {
      const wait = 5000 - (Date.now() - pausedAt);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      process.kill(pid, 'SIGCONT');
    }
    expect(slackTimes).toHaveLength(20);
    expect(Math.max(...slackTimes)).toBeLessThan(3000);
    for (const ix of interactions) {
      const st = discord.interactions.get(ix.token)!;
      expect(st.callbacks).toEqual([{ type: 5, data: { flags: 64 } }]);
      expect(st.ackedAt! - st.createdAt!).toBeLessThan(3000);
    }
    // After the database returns: 25 tickets, each Slack requester answered, each Discord reply edited with its number.
    await slack.waitFor(() => new Set(slack.responses.map((r) => r.id)).size === 20 || undefined, 60_000);
    await discord.waitFor(() => interactions.every((ix) => /IT-\d+/.test(JSON.stringify(discord.interactions.get(ix.token)?.original ?? {}))), 'answers', 60_000);
    expect(await db.collection('tickets').countDocuments()).toBe(25);
    for (const r of slack.responses) expect(JSON.stringify(r.body)).toMatch(/IT-\d+/);
  }, 120_000);
});
