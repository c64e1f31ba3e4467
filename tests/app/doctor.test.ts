import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { PermissionFlagsBits, REST } from 'discord.js';
import pino from 'pino';
import YAML from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDiscord } from '../../adapters/discord/discord.doctor.js';
import type { Finding } from '../../adapters/shared/doctor.js';
import { checkSlack } from '../../adapters/slack/slack.doctor.js';
import { SLACK_BOT_SCOPES } from '../../adapters/slack/slack.scopes.js';
import { buildTeamsPackage } from '../../adapters/teams/teams.package.js';
import { checkTeams } from '../../adapters/teams/teams.doctor.js';
import { buildProgram } from '../../app/cli/main.js';
import { loadDeskFile } from '../../app/config/load-desk-file.js';
import { checkDeskCoverage } from '../../app/doctor/desk.checks.js';
import { startupChecks } from '../../app/doctor/run-doctors.js';
import type { Desk } from '../../core/domain/desk.js';
import { BotIdentityFake } from '../fakes/bot-identity.fake.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { testDesk } from '../support/fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const problems = (fs: Finding[]) => fs.filter((f) => f.level !== 'ok');
const bits = (...flags: Array<keyof typeof PermissionFlagsBits>) => flags.reduce((a, f) => a | PermissionFlagsBits[f], 0n).toString();

describe('desk file: tier coverage per platform', () => {
  it('the example desk file: Teams has tier 1 but no tier 2 → escalations are invisible to Teams specialists', () => {
    const { desks } = loadDeskFile(path.join(root, 'helpdesk.example.yaml'));
    expect(problems(checkDeskCoverage(desks))).toEqual([
      expect.objectContaining({ platform: 'desk', level: 'warn', check: 'tier-coverage', message: expect.stringMatching(/^desk it: teams has a tier-1 channel but no tier-2 \(Specialists\) channel: .*not shown to teams specialists \(only in slack, discord\)$/), fix: expect.stringContaining('desks[0].tiers[1].channels.teams') }),
    ]);
  });

  it('a desk covering every tier on each platform is fine; a platform not enabled is not judged', () => {
    expect(problems(checkDeskCoverage([testDesk()]))).toEqual([]);
    const desk = testDesk({ tiers: [testDesk().tiers[0]!, { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C2' } } }] });
    expect(problems(checkDeskCoverage([desk])).map((f) => f.message.split(':')[1]!.trim().split(' ')[0])).toEqual(['teams', 'discord']);
    expect(problems(checkDeskCoverage([desk], new Set(['slack'])))).toEqual([]);
  });
});

describe('Discord doctor (against the Discord fake with its permissions model)', () => {
  const GUILD = '910000000000000001';
  const T1 = '910000000000000011';
  const T2 = '910000000000000012';
  const LOG = '910000000000000013';
  const ROLE_T1 = '910000000000000021';
  const ROLE_T2 = '910000000000000022';
  const BOT_ROLE = '910000000000000030';
  const NEEDED = bits('ViewChannel', 'SendMessages', 'EmbedLinks', 'AttachFiles', 'ReadMessageHistory', 'AddReactions', 'CreatePublicThreads', 'SendMessagesInThreads', 'ManageThreads');
  let fake: DiscordFake;
  let rest: REST;
  const desk = (): Desk =>
    testDesk({
      tiers: [
        { level: 1, name: 'Service desk', channels: { discord: { workspace: GUILD, channel: T1, role: ROLE_T1 } } },
        { level: 2, name: 'Specialists', channels: { discord: { workspace: GUILD, channel: T2, role: ROLE_T2 } } },
      ],
      logChannels: { discord: { workspace: GUILD, channel: LOG } },
    });

  beforeAll(async () => {
    fake = await DiscordFake.start({
      guilds: [
        {
          id: GUILD,
          everyonePermissions: '0',
          botRoles: [BOT_ROLE],
          roles: [
            { id: ROLE_T1, name: 'Service desk', mentionable: true },
            { id: ROLE_T2, name: 'Specialists', mentionable: false },
            { id: BOT_ROLE, name: 'Helpdesk', permissions: NEEDED, mentionable: false },
          ],
          channels: [
            { id: T1, name: 'tier-1' },
            // the bot's role is denied Manage Threads here
            { id: T2, name: 'tier-2', overwrites: [{ id: BOT_ROLE, type: 0, allow: '0', deny: bits('ManageThreads') }] },
            // the bot cannot see the log channel at all
            { id: LOG, name: 'helpdesk-log', overwrites: [{ id: GUILD, type: 0, allow: '0', deny: bits('ViewChannel') }, { id: BOT_ROLE, type: 0, allow: '0', deny: bits('ViewChannel') }] },
          ],
        },
        { id: '920000000000000001', botAbsent: true, channels: [{ id: '920000000000000011', name: 'x' }] },
      ],
    });
    rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken('bot-token');
  });
  afterAll(async () => fake?.close());

  it('names each problem with its fix: commands, permissions, hidden channel, unpingable role, guild without the bot', async () => {
    const other = testDesk({ id: 'hr', tiers: [{ level: 1, name: 'HR', channels: { discord: { workspace: '920000000000000001', channel: '920000000000000011' } } }] });
    const findings = await checkDiscord({ rest, applicationId: fake.applicationId, desks: [desk(), other] });
    const p = problems(findings);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', check: 'commands', message: `guild ${GUILD}: commands not registered: /help, /ticket, "Create ticket"`, fix: expect.stringContaining(`helpdesk discord register --guild ${GUILD}`) }),
        expect.objectContaining({ level: 'error', check: 'permissions', message: `desk it tier 2 (Specialists): the bot lacks Manage Threads in channel ${T2}` }),
        expect.objectContaining({ level: 'error', check: 'channel-access', message: `desk it log: the bot cannot see channel ${LOG} (missing access)` }),
        expect.objectContaining({ level: 'warn', check: 'role-mentionable', message: expect.stringContaining('role @Specialists is not mentionable'), fix: expect.stringContaining('Allow anyone to @mention this role') }),
        expect.objectContaining({ level: 'error', check: 'guild', message: 'the bot is not in guild 920000000000000001 (desks hr)', fix: expect.stringContaining(`client_id=${fake.applicationId}`) }),
      ]),
    );
    expect(p).toHaveLength(5);
    // tier 1 is fine: every permission, and its role is mentionable
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'ok', check: 'permissions', message: expect.stringContaining(`tier 1 (Service desk): channel ${T1}`) }), expect.objectContaining({ level: 'ok', check: 'role-mentionable', message: expect.stringContaining('@Service desk') })]));
  });

  it('the bot\'s "Mention All Roles" permission makes an unmentionable role pingable; registered commands pass', async () => {
    const g = fake.guilds[0]!;
    g.roles!.find((r) => r.id === BOT_ROLE)!.permissions = (BigInt(NEEDED) | PermissionFlagsBits.MentionEveryone).toString();
    const program = buildProgram();
    await program.parseAsync(['node', 'helpdesk', 'discord', 'register', '--token', 'bot-token', '--application-id', fake.applicationId, '--guild', GUILD, '--api-url', fake.apiUrl]);
    const p = problems(await checkDiscord({ rest, applicationId: fake.applicationId, desks: [desk()] }));
    expect(p.map((f) => f.check).sort()).toEqual(['channel-access', 'permissions']);
  });

  it('a bad token is one clear error', async () => {
    const bad = new REST({ api: `http://127.0.0.1:1/api`, retries: 0, timeout: 2000 }).setToken('x');
    const [f] = await checkDiscord({ rest: bad, applicationId: fake.applicationId, desks: [desk()] });
    expect(f).toMatchObject({ level: 'error', check: 'token', fix: expect.stringContaining('DISCORD_TOKEN') });
  });
});

describe('Slack doctor (against the Slack Web API fake)', () => {
  let fake: SlackApiFake;
  let client: WebClient;
  const desk = () =>
    testDesk({
      tiers: [
        { level: 1, name: 'Service desk', channels: { slack: { workspace: 'T1', channel: 'C_T1' } } },
        { level: 2, name: 'Specialists', channels: { slack: { workspace: 'T1', channel: 'C_T2' } } },
      ],
      logChannels: { slack: { workspace: 'T1', channel: 'C_GONE' } },
    });
  beforeAll(async () => {
    fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    fake.channels.set('C_T1', { name: 'it-tier1', is_member: true });
    fake.channels.set('C_T2', { name: 'it-tier2', is_member: false, is_private: true });
  });
  afterAll(async () => fake?.stop());

  it('the shipped manifest asks for exactly the scopes the adapter uses (users:read included)', () => {
    const manifest = YAML.parse(readFileSync(path.join(root, 'adapters/slack/manifest.yml'), 'utf8')) as { oauth_config: { scopes: { bot: string[] } } };
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(Object.keys(SLACK_BOT_SCOPES).sort());
    expect(manifest.oauth_config.scopes.bot).toContain('users:read');
  });

  it('scopes granted vs needed, channel membership, unknown channel — each with its fix', async () => {
    fake.scopes = fake.scopes.filter((s) => s !== 'users:read' && s !== 'reactions:read');
    const p = problems(await checkSlack({ client, desks: [desk()], userLocale: 'slack' }));
    expect(p).toEqual([
      expect.objectContaining({ level: 'error', check: 'scopes', message: expect.stringMatching(/^scope reactions:read is not granted/), fix: expect.stringMatching(/reinstall the app to the workspace: reactions:read$/) }),
      expect.objectContaining({ level: 'error', check: 'scopes', message: expect.stringContaining('users:read is not granted (people\'s display names on cards and in threads, and SLACK_USER_LOCALE=slack (users.info)): SLACK_USER_LOCALE=slack falls back to the desk language') }),
      expect.objectContaining({ level: 'error', check: 'channel-membership', message: 'desk it tier 2 (Specialists): the bot is not a member of #it-tier2: cards cannot be posted there', fix: 'in Slack, open #it-tier2 and type /invite @<your bot>' }),
      expect.objectContaining({ level: 'error', check: 'channel-membership', message: 'desk it log: channel C_GONE: channel_not_found' }),
    ]);
    // without SLACK_USER_LOCALE=slack a missing users:read is a warning (names show as ids)
    const desk2 = testDesk({ tiers: [{ level: 1, name: 'T', channels: { slack: { workspace: 'T1', channel: 'C_T1' } } }] });
    expect(problems(await checkSlack({ client, desks: [desk2], userLocale: 'desk' })).map((f) => `${f.level} ${f.message.split(' ').slice(0, 2).join(' ')}`)).toEqual(['error scope reactions:read', 'warn scope users:read']);
  });

  it('start-up logs each problem as a warning and does not throw', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), cb()) }));
    const findings = await startupChecks({ settings: { slack: { botToken: 'xoxb-test', signingSecret: 's', apiUrl: fake.apiUrl, userLocale: 'slack' } }, desks: [desk()], log });
    const warned = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warned).toEqual(problems(findings).map((f) => `setup: ${f.message}`));
    expect(warned).toEqual(expect.arrayContaining([expect.stringMatching(/^setup: scope users:read is not granted/), expect.stringMatching(/^setup: desk it tier 2 \(Specialists\): the bot is not a member of #it-tier2/)]));
    expect(lines.at(-1)).toMatchObject({ level: 30, problems: warned.length });
  });
});

describe('Teams doctor (against the identity fake)', () => {
  const APP_ID = '00000000-0000-0000-0000-00000000d0c7';
  let identity: BotIdentityFake;
  const identitySettings = () => ({ openIdMetadataUrl: identity.openIdMetadataUrl, tokenIssuer: 'https://api.botframework.test', loginUrl: 'https://login.helpdesk.test/botframework.com', oauthScope: 'https://api.botframework.test' });
  beforeAll(async () => {
    identity = await new BotIdentityFake({ issuer: 'https://api.botframework.test', appId: APP_ID, appPassword: 'right-secret', oauthScope: 'https://api.botframework.test' }).start();
    identity.routeLoginHosts();
  });
  afterAll(async () => identity?.stop());

  it('credentials, channel ids and the uploaded package’s app id, each with its fix', async () => {
    const desk = testDesk({ tiers: [{ level: 1, name: 'T1', channels: { teams: { workspace: 'tenant1', channel: 'General' } } }, { level: 2, name: 'T2', channels: { teams: { workspace: 'tenant1', channel: '19:tier2@thread.tacv2' } } }] });
    const otherPackage = await buildTeamsPackage({ appId: '11111111-1111-1111-1111-111111111111' });
    const bad = await checkTeams({ appId: APP_ID, appPassword: 'wrong-secret', identity: identitySettings(), desks: [desk], packageZip: otherPackage });
    expect(problems(bad)).toEqual([
      expect.objectContaining({ level: 'error', check: 'credentials', message: expect.stringContaining('AADSTS7000215'), fix: expect.stringContaining('TEAMS_APP_PASSWORD is wrong or expired') }),
      expect.objectContaining({ level: 'error', check: 'channel-id', message: 'desk it tier 1: "General" is not a Teams channel id' }),
      expect.objectContaining({ level: 'error', check: 'manifest', message: expect.stringContaining('bots[0].botId=11111111-1111-1111-1111-111111111111'), fix: `rebuild and re-upload: helpdesk teams package --app-id ${APP_ID}` }),
    ]);

    const good = await checkTeams({ appId: APP_ID, appPassword: 'right-secret', identity: identitySettings(), desks: [testDesk()], packageZip: await buildTeamsPackage({ appId: APP_ID }) });
    expect(problems(good)).toEqual([]);
    expect(good.map((f) => f.check)).toEqual(['credentials', 'channel-id', 'channel-id', 'manifest']);
    expect(identity.tokenRequests.at(-1)?.form.client_secret).toBe('right-secret');
  });
});

describe('helpdesk <platform> doctor (CLI)', () => {
  let fake: SlackApiFake;
  const saved = { ...process.env };
  beforeAll(async () => {
    fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
    fake.channels.set('C0TIER1', { name: 'it-tier1', is_member: true });
  });
  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });
  afterAll(async () => fake?.stop());

  it('`helpdesk slack doctor` prints every check with its fix and exits 1 on errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-doctor-'));
    const deskFile = path.join(dir, 'desks.yaml');
    writeFileSync(deskFile, readFileSync(path.join(root, 'helpdesk.example.yaml'), 'utf8'));
    Object.assign(process.env, { SLACK_BOT_TOKEN: 'xoxb-cli', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.apiUrl, HELPDESK_CONFIG: deskFile });
    const out: string[] = [];
    const log = console.log;
    console.log = (s: string) => void out.push(s);
    try {
      await buildProgram().parseAsync(['node', 'helpdesk', 'slack', 'doctor']);
    } finally {
      console.log = log;
    }
    const text = out.join('\n');
    expect(text).toContain(`slack doctor — desk file ${deskFile}`);
    expect(text).toContain('✔ [slack:channel-membership] desk it tier 1 (Service desk): the bot is in #it-tier1');
    expect(text).toContain('✖ [slack:channel-membership] desk it tier 2 (Specialists): channel C0TIER2: channel_not_found');
    // only Slack is judged: the example's Teams gap is not this command's business
    expect(text).not.toContain('teams');
    expect(text).toMatch(/\n1 error\(s\), 0 warning\(s\)$/);
    expect(process.exitCode).toBe(1);
  });
});
