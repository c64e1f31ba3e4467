import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { REST } from 'discord.js';
import type pino from 'pino';
import { checkDiscord } from '../../adapters/discord/discord.doctor.js';
import type { Finding } from '../../adapters/shared/doctor.js';
import { checkSlack } from '../../adapters/slack/slack.doctor.js';
import { checkTeams } from '../../adapters/teams/teams.doctor.js';
import type { Desk } from '../../core/domain/desk.js';
import type { Platform } from '../../core/domain/identity.js';
import type { PlatformSettings } from '../config/env.js';
import { checkDeskCoverage } from './desk.checks.js';

export type DoctorPlatform = 'slack' | 'teams' | 'discord';

export interface DoctorOptions {
  settings: PlatformSettings;
  desks: readonly Desk[];
  /** Which platforms to check. @defaultValue every enabled one */
  only?: DoctorPlatform;
  /** Teams: the app package that was (or will be) uploaded, to compare its manifest. */
  teamsPackage?: string;
  /** Per-request timeout of the platform calls. @defaultValue 10 s */
  timeoutMs?: number;
}

/**
 * Runs the desk-file checks and the live checks of each enabled platform (or only `only`). A check
 * that throws becomes an error finding; this never throws for a platform's answer.
 */
export async function runDoctors(o: DoctorOptions): Promise<Finding[]> {
  const s = o.settings;
  const wants = (p: DoctorPlatform) => (o.only ? o.only === p : Boolean(s[p]));
  const enabled = new Set<Platform>((['slack', 'teams', 'discord'] as const).filter((p) => s[p] && wants(p)));
  const out: Finding[] = checkDeskCoverage(o.desks, enabled);
  const guard = async (platform: DoctorPlatform, run: () => Promise<Finding[]>) => {
    try {
      out.push(...(await run()));
    } catch (e) {
      out.push({ platform, level: 'error', check: 'unreachable', message: `the ${platform} check failed: ${(e as Error).message}`, fix: `check network access to the ${platform} API and the credentials` });
    }
  };
  const timeout = o.timeoutMs ?? 10_000;
  for (const p of ['slack', 'teams', 'discord'] as const) {
    if (!wants(p)) continue;
    if (!s[p]) {
      out.push({ platform: p, level: 'error', check: 'configured', message: `${p} is not configured`, fix: p === 'slack' ? 'set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)' : p === 'teams' ? 'set TEAMS_APP_ID and TEAMS_APP_PASSWORD' : 'set DISCORD_TOKEN and DISCORD_APPLICATION_ID' });
      continue;
    }
    if (p === 'slack' && s.slack) {
      const client = new WebClient(s.slack.botToken, { slackApiUrl: s.slack.apiUrl, retryConfig: { retries: 0 }, timeout, rejectRateLimitedCalls: true });
      await guard('slack', () => checkSlack({ client, desks: o.desks, userLocale: s.slack!.userLocale }));
    }
    if (p === 'teams' && s.teams) {
      const packageZip = o.teamsPackage ? await readFile(o.teamsPackage) : undefined;
      await guard('teams', () => checkTeams({ ...s.teams!, desks: o.desks, packageZip }));
    }
    if (p === 'discord' && s.discord) {
      const rest = new REST({ api: s.discord.apiUrl ?? 'https://discord.com/api', retries: 0, timeout }).setToken(s.discord.token);
      await guard('discord', () => checkDiscord({ rest, applicationId: s.discord!.applicationId, desks: o.desks }));
    }
  }
  return out;
}

/**
 * Start-up: the same checks, in the background; problems are logged as warnings (never blocking
 * start, never failing it). Resolves with the findings (for tests).
 */
export function startupChecks(o: DoctorOptions & { log: pino.Logger }): Promise<Finding[]> {
  return runDoctors(o).then(
    (findings) => {
      for (const f of findings) if (f.level !== 'ok') o.log.warn({ platform: f.platform, check: f.check, fix: f.fix }, `setup: ${f.message}`);
      const problems = findings.filter((f) => f.level !== 'ok').length;
      o.log.info({ problems }, problems ? `setup checks: ${problems} problem(s); run \`helpdesk <platform> doctor\` for details` : 'setup checks passed');
      return findings;
    },
    (err: unknown) => {
      o.log.warn({ err }, 'setup checks could not run');
      return [];
    },
  );
}

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The project root from the sources (app/doctor → ..) or the build (dist/app/doctor → ../..). */
export const projectRoot = path.basename(here) === 'dist' ? path.dirname(here) : here;
