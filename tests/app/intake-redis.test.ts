import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { asCoreLogger } from '../../app/logger.js';
import { startHelpdesk, type RunningHelpdesk } from '../../app/runtime.js';
import { startRedis } from '../../app/services/redis.js';
import { INTAKE_QUEUE, IntakeQueue } from '../../jobs/intake.queue.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { randomId, testMongoUri, testRedis, testRedisUrl } from '../support/services.js';

/**
 * INTAKE_REDIS_URL: inbound requests are recorded on a Redis of their own (acknowledgements then wait
 * only for its writes, docs/storm.md), while the jobs stay on REDIS_URL. A request recorded on the
 * jobs' Redis before the intake had its own (an upgraded data dir) was acknowledged: it is processed too.
 */
const SECRET = 'intake-redis-secret';
const prefix = `ir${randomId()}`;
let fake: SlackApiFake;
let hd: RunningHelpdesk | undefined;
let intakeRedis: Awaited<ReturnType<typeof startRedis>>;
let base: string;

const helpBody = (tag: string) =>
  new URLSearchParams({
    token: 'legacy', team_id: 'T0000000', team_domain: 'acme', channel_id: 'CGEN', channel_name: 'general', user_id: `U${tag.toUpperCase()}`, user_name: tag,
    command: '/help', text: `the zorbl frobnicator ${tag} emits purple smoke`, api_app_id: 'A1', response_url: fake.responseUrl(tag), trigger_id: `trg.${tag}`,
  });

beforeAll(async () => {
  fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  intakeRedis = await startRedis();
  // Acknowledged before the upgrade: on the jobs' Redis, where the intake used to live.
  const earlier = new IntakeQueue({ connection: testRedisUrl(), prefix, log: asCoreLogger(pino({ level: 'silent' })) });
  await earlier.record({ v: 1, platform: 'slack', kind: 'command', id: 'trg.before', receivedAt: Date.now(), payload: Object.fromEntries(helpBody('before')) });
  await earlier.close();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-intake-redis-'));
  const deskFile = path.join(dir, 'desks.yaml');
  writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
  hd = await startHelpdesk(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      EMAIL: 'off',
      HELPDESK_CONFIG: deskFile,
      HELPDESK_DATA_DIR: path.join(dir, 'data'),
      HELPDESK_QUEUE_PREFIX: prefix,
      MONGODB_URI: testMongoUri(),
      REDIS_URL: testRedisUrl(),
      INTAKE_REDIS_URL: intakeRedis.url,
      SLACK_BOT_TOKEN: 'xoxb-intake-redis',
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
  await intakeRedis?.stop();
});

describe('the intake on its own Redis (INTAKE_REDIS_URL)', () => {
  it('records on the intake Redis, answers, and processes what the jobs\' Redis held from before', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toEqual({ ok: true, checks: { mongodb: 'ok', redis: 'ok', intakeRedis: 'ok' } });

    const body = helpBody('after').toString();
    const r = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body });
    expect(r.status).toBe(200);
    for (const tag of ['after', 'before']) {
      const answer = await fake.waitFor(() => fake.responses.find((x) => x.id === tag), 60_000);
      expect(JSON.stringify(answer.body)).toMatch(/IT-\d+/);
    }

    const own = new Redis(intakeRedis.url);
    const main = testRedis();
    try {
      // The new request's job is on the intake's server; the jobs' Redis holds the earlier one only.
      expect(await own.exists(`${prefix}:${INTAKE_QUEUE}:in-slack-command-trg.after`)).toBe(1);
      expect(await main.exists(`${prefix}:${INTAKE_QUEUE}:in-slack-command-trg.after`)).toBe(0);
      expect(await main.exists(`${prefix}:${INTAKE_QUEUE}:in-slack-command-trg.before`)).toBe(1);
      // The jobs themselves stay on REDIS_URL: the triage card went through its delivery queue.
      expect((await main.keys(`${prefix}:delivery:*`)).length).toBeGreaterThan(0);
      expect(await own.keys(`${prefix}:delivery:*`)).toEqual([]);
    } finally {
      own.disconnect();
      main.disconnect();
    }
  }, 120_000);
});

describe('the local default: no Redis given', () => {
  it('runs one redis-server with its AOF, intake included, and stops it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-intake-local-'));
    const deskFile = path.join(dir, 'desks.yaml');
    writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
    const dataDir = path.join(dir, 'data');
    const local = await startHelpdesk(
      { PORT: '0', HOST: '127.0.0.1', EMAIL: 'off', HELPDESK_CONFIG: deskFile, HELPDESK_DATA_DIR: dataDir, MONGODB_URI: testMongoUri(), HELPDESK_QUEUE_PREFIX: `irl${randomId()}` },
      pino({ level: 'silent' }),
    );
    try {
      const ready = await fetch(`http://127.0.0.1:${local.port}/readyz`);
      expect(await ready.json()).toEqual({ ok: true, checks: { mongodb: 'ok', redis: 'ok' } });
      expect(readdirSync(path.join(dataDir, 'redis')).some((f) => f.startsWith('appendonly'))).toBe(true);
      expect(serversIn(dataDir)).toHaveLength(1);
    } finally {
      await local.stop();
    }
    expect(serversIn(dataDir)).toEqual([]);
  }, 120_000);
});

/** The redis-servers working in a directory under `dir` (Redis changes into its `--dir`; its title hides the arguments). */
function serversIn(dir: string): string[] {
  const pids = spawnSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return pids.filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false; // exited meanwhile
    }
  });
}
