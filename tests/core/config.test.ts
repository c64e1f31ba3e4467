import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config/config-error.js';
import { readEnv } from '../../app/config/env.js';
import { loadDeskFile, parseDeskFile } from '../../app/config/load-desk-file.js';

const example = path.resolve(import.meta.dirname, '../../helpdesk.example.yaml');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('desk file validation', () => {
  it('accepts the shipped example', () => {
    const c = loadDeskFile(example);
    expect(c.desks[0]).toMatchObject({ id: 'it', prefix: 'IT', tiers: [{ level: 1 }, { level: 2 }] });
    expect(c.agents.map((a) => a.id)).toEqual(['ana', 'ben', 'carla']);
    expect(c.desks.map((d) => [d.id, d.kind])).toEqual([['it', 'internal'], ['support', 'external']]);
  });

  it('names the path of every problem', () => {
    const yaml = `
desks:
  - id: it
    prefix: IT
    name: IT
    tiers:
      - level: 1
        name: One
        channels: { slack: { workspace: T1, channel: C1 } }
      - level: 2
        name: Two
        channels: { slack: { workspace: T1 } }
    sla:
      targets:
        P1: { firstResponseMinutes: 15, resolutionMinutes: 60 }
        P2: { firstResponseMinutes: 15, resolutionMinutes: 60 }
        P3: { firstResponseMinutes: -1, resolutionMinutes: 60 }
        P4: { firstResponseMinutes: 15, resolutionMinutes: 60 }
    businessHours: { timezone: Mars/Olympus, weekly: { mon: [["18:00", "09:00"]] } }
agents:
  - id: a
    name: A
    identities: [{ platform: slack, workspace: T1, user: U1 }]
    desks: [{ desk: hr, tier: 1 }]
`;
    const p = problems(() => parseDeskFile(yaml, 'bad.yaml'));
    expect(p).toContain('desks[0].tiers[1].channels.slack.channel: required');
    expect(p.some((x) => x.startsWith('desks[0].sla.targets.P3.firstResponseMinutes:'))).toBe(true);
    expect(p.some((x) => x.startsWith('desks[0].businessHours.timezone: unknown IANA time zone'))).toBe(true);
    expect(p.some((x) => x.startsWith('desks[0].businessHours.weekly.mon[0]: start must be before end'))).toBe(true);
  });

  it('checks cross-references once the shapes are right', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(example, 'utf8').replace('desks: [{ desk: it, tier: 1 }]', 'desks: [{ desk: hr, tier: 1 }]').replace('desks: [{ desk: it, tier: 2, lead: true }]', 'desks: [{ desk: it, tier: 7 }]');
    const p = problems(() => parseDeskFile(text, 'x.yaml'));
    expect(p).toEqual(['agents[0].desks[0].desk: unknown desk hr', 'agents[1].desks[0].tier: desk it has no tier 7']);
  });

  it('reports broken YAML and unknown keys', () => {
    expect(problems(() => parseDeskFile('desks: [', 'x.yaml'))[0]).toMatch(/^YAML: /);
    const p = problems(() => parseDeskFile('desks: []\nagentz: []\n', 'x.yaml'));
    expect(p).toContain('desks: at least one desk');
    expect(p.some((x) => x.includes('unknown key(s): agentz'))).toBe(true);
  });

  it('a missing file is a clear error', () => {
    expect(problems(() => loadDeskFile('/nonexistent/desks.yaml'))[0]).toMatch(/cannot read the desk file: ENOENT/);
  });
});

describe('environment validation', () => {
  it('applies defaults and enables platforms by credentials', () => {
    const e = readEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(e.PORT).toBe(3000);
    expect(e.platforms.slack).toMatchObject({ botToken: 'xoxb-1', signingSecret: 's' });
    expect(e.platforms.teams).toBeUndefined();
  });

  it('names each bad variable', () => {
    expect(problems(() => readEnv({ PORT: 'abc', MONGODB_URI: 'http://x' }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^PORT: /), expect.stringMatching(/^MONGODB_URI: expected a mongodb: or mongodb\+srv: URL/)]),
    );
    expect(problems(() => readEnv({ DISCORD_TOKEN: 't' }))).toEqual(['DISCORD_TOKEN and DISCORD_APPLICATION_ID: both are required to enable Discord']);
  });

  it('passes the Teams identity endpoints through and checks them', () => {
    const teams = { TEAMS_APP_ID: 'app', TEAMS_APP_PASSWORD: 'pw' };
    const e = readEnv({ ...teams, TEAMS_CHANNEL_SERVICE: 'https://botframework.azure.us', TEAMS_OAUTH_SCOPE: 'https://api.botframework.us' });
    expect(e.platforms.teams?.identity).toEqual({ channelService: 'https://botframework.azure.us', oauthScope: 'https://api.botframework.us', openIdMetadataUrl: undefined, tokenIssuer: undefined, loginUrl: undefined });
    // MSAL refuses http authorities: say so at start-up, not at the first outbound call
    expect(problems(() => readEnv({ ...teams, TEAMS_LOGIN_URL: 'http://login.example/tenant' }))).toEqual(['TEAMS_LOGIN_URL: expected a https: URL']);
    // a private cloud is known to botbuilder only through its endpoints
    expect(problems(() => readEnv({ ...teams, TEAMS_CHANNEL_SERVICE: 'https://botframework.private.example', TEAMS_TOKEN_ISSUER: 'https://api.private.example' }))).toEqual([
      'TEAMS_OPENID_METADATA_URL, TEAMS_LOGIN_URL, TEAMS_OAUTH_SCOPE: required when TEAMS_CHANNEL_SERVICE is not https://botframework.azure.us (a private cloud)',
    ]);
  });

  it('local store backend and Redis Cluster seed nodes', () => {
    expect(readEnv({}).HELPDESK_FERRETDB_BACKEND).toBeUndefined(); // PostgreSQL unless only older SQLite data exists
    expect(readEnv({ HELPDESK_FERRETDB_BACKEND: 'sqlite' }).HELPDESK_FERRETDB_BACKEND).toBe('sqlite');
    expect(problems(() => readEnv({ HELPDESK_FERRETDB_BACKEND: 'mysql' }))[0]).toMatch(/^HELPDESK_FERRETDB_BACKEND: /);
    const e = readEnv({ REDIS_CLUSTER_NODES: 'rediss://u:p%40ss@10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002', HELPDESK_QUEUE_PREFIX: '{hd}' });
    expect(e.redisCluster).toEqual({
      cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }],
      options: { redisOptions: { username: 'u', password: 'p@ss', tls: {} } },
    });
    expect(readEnv({}).redisCluster).toBeUndefined();
    expect(problems(() => readEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,not a node:x' }))[0]).toMatch(/^REDIS_CLUSTER_NODES: expected host:port or redis:\/\/host:port, got "not a node:x"/);
    expect(problems(() => readEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'redis://x:6379' }))).toEqual([
      'REDIS_URL and REDIS_CLUSTER_NODES: set one (a single Redis or a Redis Cluster), not both',
    ]);
    expect(problems(() => readEnv({ HELPDESK_QUEUE_PREFIX: '{a}b}' }))[0]).toMatch(/^HELPDESK_QUEUE_PREFIX: /);
  });

  it('the intake Redis: optional, a redis URL, beside REDIS_URL or a cluster', () => {
    expect(readEnv({}).INTAKE_REDIS_URL).toBeUndefined();
    expect(readEnv({ INTAKE_REDIS_URL: '' }).INTAKE_REDIS_URL).toBeUndefined();
    expect(readEnv({ INTAKE_REDIS_URL: 'redis://127.0.0.1:6380', REDIS_URL: 'redis://127.0.0.1:6379' }).INTAKE_REDIS_URL).toBe('redis://127.0.0.1:6380');
    expect(readEnv({ INTAKE_REDIS_URL: 'rediss://intake.example:6380', REDIS_CLUSTER_NODES: '10.0.0.1:7000' }).INTAKE_REDIS_URL).toBe('rediss://intake.example:6380');
    expect(problems(() => readEnv({ INTAKE_REDIS_URL: 'http://127.0.0.1:6380' }))).toEqual(['INTAKE_REDIS_URL: expected a redis: or rediss: URL']);
    expect(problems(() => readEnv({ INTAKE_REDIS_URL: '127.0.0.1:6380' }))).toEqual(['INTAKE_REDIS_URL: expected a redis: or rediss: URL']);
  });

  it('storm-aware triage settings: defaults, overrides and clear errors', () => {
    expect(readEnv({}).storm).toEqual({ thresholdMs: 30_000, clearBacklogMs: 5_000, windowMs: 30_000, capacity: 50 });
    expect(readEnv({ HELPDESK_STORM_THRESHOLD_MS: '10000', HELPDESK_STORM_CLEAR_BACKLOG_MS: '2000', HELPDESK_STORM_WINDOW_MS: '60000', HELPDESK_STORM_CAPACITY: '20' }).storm).toEqual({ thresholdMs: 10_000, clearBacklogMs: 2_000, windowMs: 60_000, capacity: 20 });
    expect(problems(() => readEnv({ HELPDESK_STORM_CAPACITY: '61' }))).toEqual(["HELPDESK_STORM_CAPACITY: at most 60: a larger card would not fit Slack's, Discord's or Teams' message limits"]);
    expect(problems(() => readEnv({ HELPDESK_STORM_CAPACITY: '0' }))[0]).toMatch(/^HELPDESK_STORM_CAPACITY: /);
    expect(problems(() => readEnv({ HELPDESK_STORM_THRESHOLD_MS: '500' }))).toEqual(['HELPDESK_STORM_THRESHOLD_MS: at least 1000 (1 s)']);
    expect(problems(() => readEnv({ HELPDESK_STORM_WINDOW_MS: 'soon' }))[0]).toMatch(/^HELPDESK_STORM_WINDOW_MS: /);
    expect(problems(() => readEnv({ HELPDESK_STORM_THRESHOLD_MS: '4000' }))).toEqual([
      'HELPDESK_STORM_CLEAR_BACKLOG_MS: must be less than HELPDESK_STORM_THRESHOLD_MS (4000), or a storm would end as soon as it began',
    ]);
  });
});

describe('process start with a broken desk file', () => {
  it('prints the path-named problem and exits non-zero', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-cfg-'));
    const file = path.join(dir, 'desks.yaml');
    writeFileSync(file, 'desks:\n  - id: it\n    prefix: IT\n    name: IT\n    tiers: []\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, HELPDESK_CONFIG: file, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`invalid configuration in ${file}`);
    expect(r.stderr).toContain('desks[0].tiers: at least one tier');
    expect(r.stderr).toContain('desks[0].sla: required');
  });
});
