import type { Command } from 'commander';
import { registerDoctorCommand } from './doctor.command.js';

/** Registers `helpdesk slack …` sub-commands. */
export function registerSlackCommands(program: Command): void {
  const slack = program.command('slack').description('Slack adapter tools');
  registerDoctorCommand(slack, 'slack');
}
