import { systemActor } from '../domain/actor.js';
import { carriedConversation, logEntry, type PublicLogEntry } from '../domain/public-log.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { neutralizeMentions } from '../views/sanitize.js';
import { TRANSCRIPT_MAX, clipText } from '../views/text-limits.js';
import type { CoreDeps } from './deps.js';

/**
 * A Markdown transcript of the ticket's conversation (internal notes only when asked for), at most
 * TRANSCRIPT_MAX characters: beyond that, the last entry that fits is cut and marked and the rest left out.
 */
export async function buildTranscript(deps: Pick<CoreDeps, 'store'>, t: Ticket, opts: { includeInternal?: boolean } = {}): Promise<string> {
  const entries = await deps.store.timeline(t.id, { includeInternal: opts.includeInternal });
  return formatTranscript(t, entries.map(logEntry));
}

/**
 * The public transcript of `t` as `buildTranscript` gives it, from what `carrier` (the ticket as
 * read for the change being announced) carries when it keeps its public log — no timeline read —
 * else from the timeline.
 */
export async function publicTranscript(deps: Pick<CoreDeps, 'store'>, t: Ticket, carrier: Ticket = t): Promise<string> {
  const carried = carriedConversation(carrier);
  return carried ? formatTranscript(t, carried) : buildTranscript(deps, t);
}

function formatTranscript(t: Ticket, entries: readonly PublicLogEntry[]): string {
  const lines = [`# ${t.number}: ${neutralizeMentions(t.subject)}`, ''];
  let size = lines[0]!.length + 2; // counts one newline per line: never under the joined length
  for (const e of entries) {
    const at = new Date(e.at).toISOString().replace('T', ' ').slice(0, 16);
    if (e.kind === 'status') {
      lines.push(`- _${at} · ${e.who} · ${e.event ?? 'status'}${e.text ? `: ${neutralizeMentions(e.text)}` : ''}_`);
    } else {
      lines.push(`- **${at} · ${e.who}${e.kind === 'note' ? ' (internal)' : ''}:** ${neutralizeMentions(e.text)}`);
    }
    const room = TRANSCRIPT_MAX - size;
    if (lines.at(-1)!.length > room) {
      lines[lines.length - 1] = clipText(lines.at(-1)!, room, translator(t.locale)('text.truncated')).text;
      break;
    }
    size += lines.at(-1)!.length + 1;
  }
  return lines.join('\n');
}

/**
 * Builds the transcript of a closed ticket and keeps it on the timeline as an internal `system`
 * entry, once per ticket (keyed): a repeat returns the transcript stored the first time.
 */
export async function recordTranscript(deps: Pick<CoreDeps, 'store' | 'clock'>, t: Ticket): Promise<string> {
  const key = `transcript:${t.id}`;
  const stored = await deps.store.keyedEntry(key);
  if (stored) return stored.text;
  const markdown = await buildTranscript(deps, t);
  const entry = await deps.store.appendTimeline(
    { ticketId: t.id, at: deps.clock.now(), kind: 'system', actor: systemActor('transcript'), visibility: 'internal', text: markdown, event: 'transcript' },
    { key },
  );
  return entry.text;
}
