import { DEFAULT_ABSORB, type Desk } from '../../domain/desk.js';
import type { Incident } from '../../domain/incident.js';
import { signatureSimilarity } from '../../domain/similarity.js';
import type { IncidentStore } from '../../ports/incident-store.port.js';
import type { KnowledgeBase } from '../../ports/kb.port.js';
import { ACTIVE_INCIDENT_STATUSES } from '../../domain/incident.js';

/** Characters of a request compared with incidents (what it is about is said at the start). */
const MATCH_TEXT_MAX = 2_000;
/** Open incidents of a desk considered per request. */
const MATCH_INCIDENTS_MAX = 50;
/**
 * How old a desk's list of active incidents may be when a request is matched against it: every
 * request of a storm asks, so the list is read once per second per process instead of once per
 * request. An incident declared or resolved in this process is seen at once; one changed in another
 * process at most this much later (a request filed in that second is opened as usual).
 */
export const MATCH_INCIDENTS_MAX_AGE_MS = 1_000;

/** Lower-case words joined by single spaces, with a space at each end: linear, no regular expression. */
export function wordsOf(text: string): string {
  let out = ' ';
  for (const ch of text.slice(0, MATCH_TEXT_MAX).toLowerCase()) {
    const word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch > '\u007f';
    if (word) out += ch;
    else if (!out.endsWith(' ')) out += ' ';
  }
  return out.endsWith(' ') ? out : `${out} `;
}

/**
 * The active incident a new request is about, if any: one of its affected services named in the
 * request (as whole words) or as the request's category, else the KB analyzer's similarity between
 * the request and the incident's title and services at or above the desk's threshold. The most
 * similar wins; ties go to the most severe, then the newest.
 */
export async function matchIncident(
  deps: { incidents: IncidentStore; kb: KnowledgeBase },
  desk: Desk,
  req: { text: string; subject?: string; category?: string },
): Promise<Incident | null> {
  const settings = desk.absorb ?? DEFAULT_ABSORB;
  if (!settings.enabled) return null;
  const active = await deps.incidents.list({ deskId: desk.id, status: ACTIVE_INCIDENT_STATUSES, limit: MATCH_INCIDENTS_MAX, maxAgeMs: MATCH_INCIDENTS_MAX_AGE_MS });
  if (!active.length) return null;
  const text = `${req.subject ?? ''} ${req.text}`.slice(0, MATCH_TEXT_MAX);
  const words = wordsOf(text);
  const category = req.category?.trim().toLowerCase();
  const mine = deps.kb.signature?.(text) ?? [];
  let best: { incident: Incident; score: number } | null = null;
  for (const inc of active) {
    const named = inc.services.some((s) => s === category || words.includes(wordsOf(s)));
    const score = named ? 1 : mine.length ? signatureSimilarity(mine, deps.kb.signature!(`${inc.title} ${inc.services.join(' ')}`)) : 0;
    if (score < settings.minSimilarity) continue;
    if (!best || score > best.score || (score === best.score && inc.severity < best.incident.severity)) best = { incident: inc, score };
  }
  return best?.incident ?? null;
}
