import type { Desk } from '../domain/desk.js';
import type { Ticket } from '../domain/ticket.js';
import type { StormTicket } from '../ports/triage-storm.port.js';
import { translator } from '../i18n/index.js';
import type { TicketGroup } from '../use-cases/group-tickets.js';
import { neutralizeMentions, truncate } from './sanitize.js';
import type { View, ViewAction } from './view.js';

/**
 * Groups shown one by one on a storm card; the rest share one "other requests" entry. Keeps every
 * platform within its limits: Slack 2 blocks per group (≤ 23 of 50), Discord one embed field and
 * one button per group (2 of 5 rows), a Teams card far under 28 KB.
 */
export const STORM_GROUPS_SHOWN = 9;
/** Agent names on a storm card are cut to this many characters (an entry stays short). */
const AGENT_NAME_MAX = 14;
/** A group label (the first ticket's subject) is cut to this many characters. */
const LABEL_MAX = 80;

/**
 * Longest list text of one group: Discord's embed field value takes 1,024 characters (the tightest
 * of the platforms). A list longer than this is written compactly (numbers and a status mark), which
 * fits {@link STORM_CARD_CAPACITY_MAX} tickets, so no ticket is ever cut from a card.
 */
export const STORM_ITEM_TEXT_MAX = 1000;
/** The most tickets one storm card may take (its compact list still fits every platform). */
export const STORM_CARD_CAPACITY_MAX = 60;

/** The `arg` a storm card's claim buttons carry: adapters answer those without replacing the card. */
export const STORM_CLAIM_ARG = 'storm';

/** What a storm card keeps of a ticket (the start of the description is what grouping compares). */
export function stormTicket(t: Ticket): StormTicket {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject.slice(0, 200),
    description: t.description.slice(0, 400),
    status: t.status,
    tier: t.tier,
    ...(t.assignee ? { assignee: (t.assignee.name ?? t.assignee.user).slice(0, 60) } : {}),
    version: t.version,
  };
}

/** One ticket as a storm card lists it: its number, and who has it once someone does. */
function entry(t: StormTicket, tr: ReturnType<typeof translator>, tier: number): string {
  if ((t.status === 'open' || t.status === 'new') && t.tier === tier) return t.number;
  if (t.status === 'open' && t.tier > tier) return tr('storm.entry_status', { number: t.number, status: tr('ticket.tier', { tier: t.tier }) });
  if ((t.status === 'claimed' || t.status === 'pending') && t.assignee) return tr('storm.entry_claimed', { number: t.number, agent: truncate(neutralizeMentions(t.assignee), AGENT_NAME_MAX) });
  return tr('storm.entry_status', { number: t.number, status: tr(`ticket.status.${t.status}`) });
}

/** The compact form: the number and a mark (✓ someone has it, ✔ done, ↑ escalated). */
function compact(t: StormTicket, tier: number): string {
  if (t.status === 'open' || t.status === 'new') return t.tier > tier ? `${t.number} ↑` : t.number;
  if (t.status === 'claimed' || t.status === 'pending') return `${t.number} ✓`;
  return `${t.number} ✔`;
}

/**
 * A group's list in texts of at most {@link STORM_ITEM_TEXT_MAX} characters: one, with names, when it
 * fits; otherwise the compact form, in as many parts as it takes (never cut).
 */
function listTexts(members: readonly StormTicket[], tr: ReturnType<typeof translator>, tier: number): string[] {
  const full = members.map((t) => entry(t, tr, tier)).join(' · ');
  if (full.length <= STORM_ITEM_TEXT_MAX) return [full];
  const parts: string[] = [];
  let cur = '';
  for (const t of members) {
    const e = compact(t, tier);
    if (cur && cur.length + 3 + e.length > STORM_ITEM_TEXT_MAX) {
      parts.push(cur);
      cur = '';
    }
    cur = cur ? `${cur} · ${e}` : e;
  }
  if (cur) parts.push(cur);
  return parts;
}

/**
 * The "N new tickets" card of a channel in storm mode: near-identical tickets grouped, every ticket
 * listed by number with who has it, and one "Claim IT-…" button per group (the group's oldest open
 * ticket; the next one appears after each claim). Edited in place as tickets join and change.
 */
export function stormCardView(tickets: readonly StormTicket[], groups: readonly TicketGroup[], desk: Desk, closed: boolean, locale?: string, tier = 1): View {
  // Claimable here: open at this card's tier (an escalated ticket is worked in the next tier's channel).
  const claimable = (t: StormTicket) => t.status === 'open' && t.tier === tier;
  const tr = translator(locale, desk.locale);
  const byId = new Map(tickets.map((t) => [t.id, t]));
  const shown = groups.slice(0, STORM_GROUPS_SHOWN);
  const rest = groups.slice(STORM_GROUPS_SHOWN);
  const pick = (ids: readonly string[]) => ids.map((id) => byId.get(id)).filter((t): t is StormTicket => t !== undefined);
  const entries: Array<{ label: string; members: StormTicket[] }> = shown.map((g) => ({ label: g.label, members: pick(g.ticketIds) }));
  if (rest.length) entries.push({ label: tr('storm.other'), members: rest.flatMap((g) => pick(g.ticketIds)) });
  const items = entries
    .filter((e) => e.members.length > 0)
    .flatMap((e) => {
      const next = e.members.find(claimable);
      const actions: ViewAction[] = next ? [{ action: 'claim', label: tr('storm.claim', { number: next.number }), ticketId: next.id, arg: STORM_CLAIM_ARG, style: 'primary' }] : [];
      const title = tr('storm.group', { subject: truncate(neutralizeMentions(e.label), LABEL_MAX), count: e.members.length });
      // A long list continues in further entries (same title, no second button).
      return listTexts(e.members, tr, tier).map((text, i) => ({ title, text, ...(i === 0 ? { actions } : {}) }));
    });
  const open = tickets.filter(claimable).length;
  // A tier-2+ channel's storm card lists escalations (issue 12: an SLA breach wave).
  const title = tr(tier > 1 ? 'storm.title_escalated' : 'storm.title', { count: tickets.length, open });
  return {
    kind: 'ticket_batch',
    fallback: title,
    title,
    items,
    context: tr(closed ? 'storm.context_closed' : tier > 1 ? 'storm.context_escalated' : 'storm.context', { desk: desk.name }),
    accent: open > 0 ? 'open' : 'claimed',
    clipMarker: tr('text.truncated'),
  };
}

/**
 * The answer to the agent who claimed a ticket from a storm card. A storm-card ticket has no card or
 * thread of its own in chat, so the console is the way to its conversation: the answer links its
 * page (an item with a URL: every renderer makes it a link) when the runtime knows the console's
 * address (`Helpdesk.consoleUrl`).
 */
export function stormClaimedView(t: Pick<Ticket, 'number' | 'subject'>, locale?: string, consoleUrl?: string): View {
  const tr = translator(locale);
  const head = tr('storm.claimed_subject', { number: t.number, subject: truncate(neutralizeMentions(t.subject), LABEL_MAX) });
  if (!consoleUrl) return { kind: 'notice', fallback: head, text: head, accent: 'claimed', clipMarker: tr('text.truncated') };
  return {
    kind: 'list',
    fallback: `${head} ${tr('storm.claimed_console_plain', { url: consoleUrl })}`,
    text: head,
    items: [{ title: tr('storm.claimed_open', { number: t.number }), url: consoleUrl, text: tr('storm.claimed_console') }],
    accent: 'claimed',
    clipMarker: tr('text.truncated'),
  };
}
