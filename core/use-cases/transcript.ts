import type { TimelineEntry } from '../domain/timeline.js';
import type { Ticket } from '../domain/ticket.js';
import { neutralizeMentions } from '../views/sanitize.js';
import type { CoreDeps } from './deps.js';

const who = (e: TimelineEntry) => (e.actor.kind === 'system' ? 'Helpdesk' : (e.actor.identity.name ?? e.actor.identity.user));

/** A Markdown transcript of the ticket's conversation (internal notes only when asked for). */
export async function buildTranscript(deps: Pick<CoreDeps, 'store'>, t: Ticket, opts: { includeInternal?: boolean } = {}): Promise<string> {
  const entries = await deps.store.timeline(t.id, { includeInternal: opts.includeInternal });
  const lines = [`# ${t.number}: ${neutralizeMentions(t.subject)}`, ''];
  for (const e of entries) {
    const at = e.at.toISOString().replace('T', ' ').slice(0, 16);
    if (e.kind === 'status') {
      lines.push(`- _${at} · ${who(e)} · ${e.event ?? 'status'}${e.text ? `: ${neutralizeMentions(e.text)}` : ''}_`);
    } else {
      lines.push(`- **${at} · ${who(e)}${e.kind === 'note' ? ' (internal)' : ''}:** ${neutralizeMentions(e.text)}`);
    }
  }
  return lines.join('\n');
}
