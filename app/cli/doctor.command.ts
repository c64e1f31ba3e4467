import path from 'node:path';
import type { Command } from 'commander';
import { readEnv } from '../config/env.js';
import { loadDeskFile } from '../config/load-desk-file.js';
import { projectRoot } from '../config/web-secret.js';
import type { DoctorPlatform } from '../doctor/run-doctors.js';

/**
 * `helpdesk <platform> doctor`: the live setup checks of one platform plus the desk file's, from the
 * same environment and desk file the helpdesk runs with. Prints one line per check with the fix;
 * exits 1 when something is an error (warnings alone exit 0).
 */
export function registerDoctorCommand(parent: Command, platform: DoctorPlatform): void {
  const cmd = parent
    .command('doctor')
    .description(`Check the live ${platform} setup (permissions, scopes, channels, ids) and the desk file; says what to fix`)
    .option('--config <file>', 'desk file (default: HELPDESK_CONFIG, else helpdesk.example.yaml)');
  if (platform === 'teams') cmd.option('--package <zip>', 'the uploaded app package, to check its manifest against TEAMS_APP_ID');
  cmd.action(async (o: { config?: string; package?: string }) => {
    const cfg = readEnv();
    const deskFile = o.config ?? cfg.HELPDESK_CONFIG ?? path.join(projectRoot, 'helpdesk.example.yaml');
    const { desks } = loadDeskFile(deskFile);
    // Loaded here, not at the top: the platform SDKs take seconds to load and other commands need none.
    const [{ runDoctors }, { formatFindings }] = await Promise.all([import('../doctor/run-doctors.js'), import('../../adapters/shared/doctor.js')]);
    const findings = await runDoctors({ settings: cfg.platforms, desks, only: platform, teamsPackage: o.package });
    console.log(`${platform} doctor — desk file ${deskFile}\n${formatFindings(findings)}`);
    const errors = findings.filter((f) => f.level === 'error').length;
    const warnings = findings.filter((f) => f.level === 'warn').length;
    console.log(`\n${errors} error(s), ${warnings} warning(s)`);
    if (errors) process.exitCode = 1;
  });
}
