/**
 * Parses the text after a `/help` style command (Slack, Discord) or a "@Helpdesk help …" mention
 * (Teams) into a sub-command. Platform-free: adapters pass the raw text and map the result to
 * core InboundEvents.
 *
 * A keyword only counts as a sub-command when its arguments fit (e.g. `status` followed by nothing
 * or a ticket number); otherwise the whole text is a help request, so "status of my laptop is bad"
 * still opens a ticket.
 */
export type HelpCommand =
  | { kind: 'open'; text: string }
  | { kind: 'empty' }
  | { kind: 'usage' }
  | { kind: 'status'; ticket: string }
  | { kind: 'mine' }
  | { kind: 'queue' }
  | { kind: 'escalate'; ticket: string; reason: string }
  | { kind: 'resolve'; ticket: string; note: string };

/** A human ticket number such as `IT-1042` (case-insensitive; normalised to upper case). */
export const TICKET_NUMBER = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;

const ALIASES: Record<string, 'status' | 'mine' | 'queue' | 'escalate' | 'resolve' | 'usage'> = {
  status: 'status', estado: 'status',
  mine: 'mine', mis: 'mine', mios: 'mine', 'míos': 'mine',
  tickets: 'queue', queue: 'queue', cola: 'queue',
  escalate: 'escalate', escalar: 'escalate',
  resolve: 'resolve', resolver: 'resolve',
  help: 'usage', ayuda: 'usage', '?': 'usage',
};

export function parseHelpCommand(raw: string): HelpCommand {
  const text = raw.trim();
  if (!text) return { kind: 'empty' };
  const [head = '', ...rest] = text.split(/\s+/);
  const kw = ALIASES[head.toLowerCase()];
  const arg = rest[0];
  const isNumber = arg !== undefined && TICKET_NUMBER.test(arg);
  const tail = () => text.slice(text.indexOf(arg!) + arg!.length).trim();
  switch (kw) {
    case 'usage':
      return rest.length === 0 ? { kind: 'usage' } : { kind: 'open', text };
    case 'mine':
      return rest.length === 0 ? { kind: 'mine' } : { kind: 'open', text };
    case 'queue':
      return rest.length === 0 ? { kind: 'queue' } : { kind: 'open', text };
    case 'status':
      if (rest.length === 0) return { kind: 'mine' };
      return rest.length === 1 && isNumber ? { kind: 'status', ticket: arg.toUpperCase() } : { kind: 'open', text };
    case 'escalate':
      return isNumber ? { kind: 'escalate', ticket: arg.toUpperCase(), reason: tail() } : { kind: 'open', text };
    case 'resolve':
      return isNumber ? { kind: 'resolve', ticket: arg.toUpperCase(), note: tail() } : { kind: 'open', text };
    default:
      return { kind: 'open', text };
  }
}
