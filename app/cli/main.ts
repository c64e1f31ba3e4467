import { Command } from 'commander';
import { registerDiscordCommands } from './discord.command.js';
import { registerJobsCommands } from './jobs.command.js';
import { registerKbCommands } from './kb.command.js';
import { registerReportCommands } from './report.command.js';
import { registerSlackCommands } from './slack.command.js';
import { registerTeamsCommands } from './teams.command.js';
import { registerWebCommands } from './web.command.js';

/**
 * The `helpdesk` command. Each area registers its own sub-commands from a file named
 * `<area>.command.ts` so this file stays a table of contents.
 */
export function buildProgram(): Command {
  const program = new Command('helpdesk')
    .description('Chat-platform helpdesk: run it, search its knowledge base, manage its queues')
    .showHelpAfterError()
    .exitOverride();
  registerKbCommands(program);
  registerJobsCommands(program);
  registerSlackCommands(program);
  registerTeamsCommands(program);
  registerDiscordCommands(program);
  registerReportCommands(program);
  registerWebCommands(program);
  return program;
}

/** Runs the CLI; exits the process with the command's status. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e: unknown) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) process.exit(err.exitCode ?? 1);
    console.error(`helpdesk: ${err.message ?? String(e)}`);
    process.exit(1);
  }
}
