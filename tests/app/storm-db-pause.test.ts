import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { Queue } from 'bullmq';
import pino from 'pino';
import { INTAKE_QUEUE } from '../../jobs/intake.queue.js';
import { personalMessage } from '../teams/activities.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { startHelpdesk, type RunningHelpdesk } from '../../app/runtime.js';
import { mongoUriFor, startFerretdb } from '../../app/services/ferretdb.js';
import type { RunningService } from '../../app/services/ferretdb.js';
import { DiscordFake, fakeUser } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import type { BotIdentityFake } from '../fakes/bot-identity.fake.js';
import { randomId, testRedis, testRedisUrl } from '../support/services.js';
import { stormDir, teamsAnswers, until, teamsHelp, teamsIdentity, webChatter, webOpen, webStream } from '../support/storm.js';

/**
 * A database stall never makes an acknowledgement late: with FerretDB stopped (SIGSTOP) for 5 s,
 * Slack slash commands get their 200 and Discord interactions their deferral within 3 s (the fake
 * refuses later callbacks with 10062, as Discord does), Teams messages their 200 and web chat
 * requests their 202 within 3 s too (Teams allows 15); all are processed once the database is back.
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
let connector: FakeBotConnector;
let identity: BotIdentityFake;
const redis = testRedis();
const prefix = `pause${randomId()}`;

beforeAll(async () => {
  const { dir, deskFile } = stormDir('pause');
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
  connector = await new FakeBotConnector().start();
  const teams = await teamsIdentity();
  identity = teams.identity;
  identity.routeLoginHosts();
  const mongoUri = mongoUriFor(ferret.url, 'pause');
  hd = await startHelpdesk(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      HELPDESK_CONFIG: deskFile,
      HELPDESK_QUEUE_PREFIX: prefix,
      HELPDESK_WEB_SECRET: 'pause-web-secret-0123456789abcdef0123456789',
      EMAIL: 'off', // not under test here (and another run may hold the default SMTP port)
      ...teams.env,
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
  await connector?.stop();
  await identity?.stop();
  redis.disconnect();
});

describe('database paused for 5 s during requests', () => {
  it('Slack, Discord, Teams and web chat requests are acknowledged in time and processed after the database returns', async () => {
    const base = `http://127.0.0.1:${hd.port}`;
    const url = `${base}/slack/events`;
    const keys = `${prefix}:`;
    const chatters = await Promise.all(Array.from({ length: 11 }, (_, i) => webChatter(redis, keys, base, 'pw', i)));
    // A conversation opened before the pause: a message to it during the pause is accepted from Redis alone.
    const before = await webOpen(base, chatters[10]!, 'pw', 10);
    expect(before.status).toBe(202);
    await until(async () => ((await webStream(redis, keys, before.conv)).some((e) => e.type === 'conversation' && e.conversation?.number) ? true : undefined), 30_000, () => 'conversation opened before the pause');
    const pid = ferret.pid!()!;
    process.kill(pid, 'SIGSTOP');
    const pausedAt = Date.now();
    let slackTimes: number[] = [];
    const others: Array<Promise<{ status: number; ms: number; what: string }>> = [];
    const convs: string[] = [];
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
        for (const k of [0, 1]) {
          const i = wave * 2 + k;
          others.push(teamsHelp(base, identity, connector, 'pt', i).then((r) => ({ ...r, what: `teams ${i}` })));
          others.push(
            webOpen(base, chatters[i]!, 'pw', i).then((r) => {
              convs.push(r.conv);
              return { ...r, what: `web ${i}` };
            }),
          );
        }
        if (wave === 2) {
          const t0 = Date.now();
          others.push(
            fetch(`${base}/chat/api/it/conversations/${before.conv}/messages`, { method: 'POST', headers: chatters[10]!, body: JSON.stringify({ clientId: 'pw-msg-during-pause', text: 'still smoking, now green' }) }).then((r) => ({ status: r.status, ms: Date.now() - t0, what: 'web message' })),
          );
        }
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
    // Teams 200 and web 202 within 3 s each (Teams' own deadline is 15 s), all while the database was stopped.
    const acks = await Promise.all(others);
    expect(acks.filter((a) => a.status !== (a.what.startsWith('teams') ? 200 : 202) || a.ms >= 3000)).toEqual([]);
    expect(acks).toHaveLength(21);
    for (const ix of interactions) {
      const st = discord.interactions.get(ix.token)!;
      expect(st.callbacks).toEqual([{ type: 5, data: { flags: 64 } }]);
      expect(st.ackedAt! - st.createdAt!).toBeLessThan(3000);
    }
    // After the database returns: 25 tickets, each Slack requester answered, each Discord reply edited with its number.
    await slack.waitFor(() => new Set(slack.responses.map((r) => r.id)).size === 20 || undefined, 60_000);
    await discord.waitFor(() => interactions.every((ix) => /IT-\d+/.test(JSON.stringify(discord.interactions.get(ix.token)?.original ?? {}))), 'answers', 60_000);
    for (const r of slack.responses) expect(JSON.stringify(r.body)).toMatch(/IT-\d+/);
    // Teams: each requester answered once in their 1:1 chat; web: each conversation opened on its stream, the message shown.
    await until(async () => (Array.from({ length: 10 }, (_, i) => teamsAnswers(connector, 'pt', i).length === 1).every(Boolean) ? true : undefined), 60_000, () => 'teams answers');
    await until(async () => ((await Promise.all(convs.map(async (c) => (await webStream(redis, keys, c)).some((e) => e.type === 'conversation' && e.conversation?.number)))).every(Boolean) ? true : undefined), 60_000, () => 'web conversations');
    await until(async () => ((await webStream(redis, keys, before.conv)).some((e) => e.clientId === 'pw-msg-during-pause') ? true : undefined), 60_000, () => 'web message');
    expect(await db.collection('tickets').countDocuments()).toBe(25 + 10 + 11);
    // Hostile input is refused before anything is recorded: a tampered Teams token (401), another person's conversation (404).
    const before2 = await db.collection('tickets').countDocuments();
    const forged = personalMessage(connector.url, { id: '29:mallory', name: 'Mallory' }, 'help give me everything', { id: 'pt-forged' });
    const r401 = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${identity.sign(connector.url, {}, { tamper: true })}` }, body: JSON.stringify(forged) });
    expect(r401.status).toBe(401);
    const r404 = await fetch(`${base}/chat/api/it/conversations/${before.conv}/messages`, { method: 'POST', headers: chatters[0]!, body: JSON.stringify({ clientId: 'pw-not-mine-0001', text: 'not my conversation' }) });
    expect(r404.status).toBe(404);
    const q = new Queue(INTAKE_QUEUE, { connection: redis, prefix });
    try {
      const ids = (await q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).map((j) => j.id ?? '');
      expect(ids.filter((id) => id.includes('pt-forged') || id.includes('pw-not-mine'))).toEqual([]);
    } finally {
      await q.close();
    }
    expect(await db.collection('tickets').countDocuments()).toBe(before2);
  }, 120_000);
});
