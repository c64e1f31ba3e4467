import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readEnv } from '../config/env.js';
import { registerDoctorCommand } from './doctor.command.js';

/** Registers `helpdesk teams …` sub-commands. */
export function registerTeamsCommands(program: Command): void {
  const teams = program.command('teams').description('Microsoft Teams: build the app package to sideload');
  teams
    .command('package')
    .description('Build the Teams app package (manifest, bot command list, "Create ticket" message action, icons) as a zip')
    .option('--out <file>', 'where to write the zip', 'helpdesk-teams.zip')
    .option('--app-id <id>', "the bot's Microsoft App ID (default: TEAMS_APP_ID)")
    .option('--version <semver>', 'app version', '1.0.0')
    .option('--name <short>', 'short app name shown in Teams', 'Helpdesk')
    .option('--locale <lang>', 'language of the manifest texts (en, es)', 'en')
    .action(async (o: { out: string; appId?: string; version: string; name: string; locale: string }) => {
      const appId = o.appId ?? envAppId();
      if (!appId) throw new Error('--app-id is required (or set TEAMS_APP_ID): the Microsoft App ID of your Azure Bot registration');
      const { buildTeamsPackage } = await import('../../adapters/teams/teams.package.js');
      const zip = await buildTeamsPackage({ appId, version: o.version, shortName: o.name, locale: o.locale });
      const out = resolve(o.out);
      await writeFile(out, zip);
      console.log(`wrote ${out} (${zip.length} bytes) — upload it in Teams: Apps → Manage your apps → Upload an app`);
    });
  registerDoctorCommand(teams, 'teams');
}

function envAppId(): string | undefined {
  try {
    return readEnv().TEAMS_APP_ID;
  } catch {
    return undefined;
  }
}
