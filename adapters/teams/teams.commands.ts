import { isAgentCommand, type AgentCommand } from '../shared/agent-commands.js';
import { parseHelpCommand } from '../shared/help-command.js';

/** What a person typed to the bot, after mentions were removed. */
export type TeamsCommand =
  | AgentCommand
  | { kind: 'help'; text: string }
  | { kind: 'usage' }
  | { kind: 'status'; ticket?: string }
  | { kind: 'mine' }
  | { kind: 'tickets' }
  | { kind: 'text'; text: string };

const TICKET_NUMBER = /^[A-Za-z][A-Za-z0-9]*-\d+$/;

/**
 * The manifest's command list (`help`, `status`, `mine`, `tickets`) inserts these words as text.
 * `status`, `mine` and `tickets` are commands only when that is all the message says (so "status
 * of my laptop" stays a request); `help` alone shows usage, `help <text>` is a request.
 * The agent tools `macro <name> <ticket>`, `macros [ticket]`, `pending <ticket>` (and their Spanish
 * aliases) are parsed by the shared `/help` parser, with or without a leading `help`.
 */
export function parseTeamsCommand(input: string): TeamsCommand {
  const text = input.trim();
  const m = /^(\S+)(\s[\s\S]*)?$/.exec(text);
  if (!m) return { kind: 'usage' };
  const word = m[1]!.toLowerCase().replace(/^\//, '');
  const rest = (m[2] ?? '').trim();
  const agent = parseHelpCommand(word === 'help' || word === 'ayuda' ? rest : text.replace(/^\//, ''));
  if (isAgentCommand(agent)) return agent;
  if (word === 'help' || word === 'ayuda') return rest ? { kind: 'help', text: rest } : { kind: 'usage' };
  if (word === 'status' || word === 'estado') {
    if (!rest) return { kind: 'status' };
    if (TICKET_NUMBER.test(rest)) return { kind: 'status', ticket: rest.toUpperCase() };
  }
  if ((word === 'mine' || word === 'mis') && !rest) return { kind: 'mine' };
  if ((word === 'tickets' || word === 'queue') && !rest) return { kind: 'tickets' };
  return { kind: 'text', text };
}
