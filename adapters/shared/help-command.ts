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
  | { kind: 'resolve'; ticket: string; note: string }
  /** Agents: send the desk's canned response `name` on `ticket` as their own message. */
  | { kind: 'macro'; ticket: string; name: string }
  /** The desk's macro names (of `ticket`'s desk when given, else the desk of the place). */
  | { kind: 'macros'; ticket?: string }
  /** Agents: put `ticket` into "waiting on requester". */
  | { kind: 'pending'; ticket: string }
  /** Agents: the desk's headline numbers of the last `days` days (default 7) with a link to the page. */
  | { kind: 'report'; days: number }
  /** Agents: `incident declare|update|resolve|list` (docs/incidents.md). */
  | { kind: 'incident'; op: IncidentOp };

/** The incident sub-commands (English and Spanish keywords). */
export type IncidentOp =
  | { action: 'declare'; severity?: Severity; services: string[]; title: string }
  | { action: 'update'; number: string; status?: 'investigating' | 'identified' | 'monitoring'; note: string }
  | { action: 'resolve'; number: string; note: string }
  | { action: 'list' }
  | { action: 'usage' };

const INCIDENT_WORDS = new Set(['incident', 'incidente', 'incidencia']);
const INCIDENT_OPS: Record<string, IncidentOp['action']> = {
  declare: 'declare', declarar: 'declare', open: 'declare', abrir: 'declare',
  update: 'update', actualizar: 'update',
  resolve: 'resolve', resolver: 'resolve',
  list: 'list', lista: 'list', listar: 'list',
  help: 'usage', ayuda: 'usage',
};
const STATUS_WORDS: Record<string, 'investigating' | 'identified' | 'monitoring'> = {
  investigating: 'investigating', investigando: 'investigating',
  identified: 'identified', identificado: 'identified',
  monitoring: 'monitoring', monitorizando: 'monitoring', observacion: 'monitoring', 'observación': 'monitoring',
};

import { isIncidentNumber, isSeverity, type Severity } from '../../core/domain/incident.js';

/** A human ticket number such as `IT-1042` (case-insensitive; normalised to upper case). */
export const TICKET_NUMBER = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;

type Keyword = 'status' | 'mine' | 'queue' | 'escalate' | 'resolve' | 'usage' | 'macro' | 'macros' | 'pending' | 'report';

const ALIASES: Record<string, Keyword> = {
  status: 'status', estado: 'status',
  mine: 'mine', mis: 'mine', mios: 'mine', 'míos': 'mine',
  tickets: 'queue', queue: 'queue', cola: 'queue',
  escalate: 'escalate', escalar: 'escalate',
  resolve: 'resolve', resolver: 'resolve',
  help: 'usage', ayuda: 'usage', '?': 'usage',
  macro: 'macro', plantilla: 'macro',
  macros: 'macros', plantillas: 'macros',
  pending: 'pending', pend: 'pending', pendiente: 'pending', esperar: 'pending',
  report: 'report', informe: 'report',
};

/** `report` takes an optional number of days, 1 to 366. */
const DAYS_ARG = /^\d{1,3}$/;

export function parseHelpCommand(raw: string): HelpCommand {
  const text = raw.trim();
  if (!text) return { kind: 'empty' };
  const [head = '', ...rest] = text.split(/\s+/);
  if (INCIDENT_WORDS.has(head.toLowerCase())) {
    const op = parseIncident(rest);
    if (op) return { kind: 'incident', op };
  }
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
    case 'pending':
      return rest.length === 1 && isNumber ? { kind: 'pending', ticket: arg.toUpperCase() } : { kind: 'open', text };
    case 'macros':
      if (rest.length === 0) return { kind: 'macros' };
      return rest.length === 1 && isNumber ? { kind: 'macros', ticket: arg.toUpperCase() } : { kind: 'open', text };
    case 'macro':
      return parseMacro(rest) ?? { kind: 'open', text };
    case 'report': {
      if (rest.length === 0) return { kind: 'report', days: 7 };
      const n = rest.length === 1 && DAYS_ARG.test(arg!) ? Number(arg) : 0;
      return n >= 1 && n <= 366 ? { kind: 'report', days: n } : { kind: 'open', text };
    }
    default:
      return { kind: 'open', text };
  }
}

/**
 * `macro <name> <TICKET>` (documented order) or `macro <TICKET> <name>`; the name may have several
 * words. The last word wins as the ticket when both ends look like ticket numbers.
 */
function parseMacro(args: string[]): HelpCommand | undefined {
  if (args.length < 2) return undefined;
  const last = args[args.length - 1]!;
  const first = args[0]!;
  if (TICKET_NUMBER.test(last)) return { kind: 'macro', ticket: last.toUpperCase(), name: args.slice(0, -1).join(' ') };
  if (TICKET_NUMBER.test(first)) return { kind: 'macro', ticket: first.toUpperCase(), name: args.slice(1).join(' ') };
  return undefined;
}

/**
 * `incident declare [SEV1-4] <service[,service]> <title…>`, `incident update <INC-n> [status] [note…]`,
 * `incident resolve <INC-n> [note…]`, `incident list` (and the Spanish words). Undefined when the
 * words after "incident" are not a sub-command (then the text is an ordinary help request); a
 * sub-command with missing arguments is `usage`.
 */
function parseIncident(args: string[]): IncidentOp | undefined {
  const action = INCIDENT_OPS[(args[0] ?? '').toLowerCase()];
  if (!action) return args.length === 0 ? { action: 'usage' } : undefined;
  const rest = args.slice(1);
  switch (action) {
    case 'usage':
      return { action: 'usage' };
    case 'list':
      return rest.length === 0 ? { action: 'list' } : { action: 'usage' };
    case 'declare': {
      const sev = rest[0]?.toUpperCase();
      const words = isSeverity(sev) ? rest.slice(1) : rest;
      const services = (words[0] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const title = words.slice(1).join(' ');
      if (services.length === 0 || !title) return { action: 'usage' };
      return { action: 'declare', ...(isSeverity(sev) ? { severity: sev } : {}), services, title };
    }
    case 'update':
    case 'resolve': {
      const number = rest[0] ?? '';
      if (!isIncidentNumber(number)) return { action: 'usage' };
      const status = STATUS_WORDS[(rest[1] ?? '').toLowerCase()];
      if (action === 'resolve') return { action, number: number.toUpperCase(), note: rest.slice(1).join(' ') };
      const note = rest.slice(status ? 2 : 1).join(' ');
      if (!status && !note) return { action: 'usage' };
      return { action, number: number.toUpperCase(), ...(status ? { status } : {}), note };
    }
  }
}
