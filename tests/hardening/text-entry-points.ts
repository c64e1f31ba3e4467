/**
 * Every function that user text passes through on its way in (parsing, cleaning, KB analysis) or out
 * (sanitising, views, platform renderers), and adversarial inputs built from the fragments that
 * trip up regular expressions and hand-written scanners. Shared by `linear-time.test.ts` and the
 * worker that times them (`linear-time.worker.ts`).
 */
import { parseTeamsCommand } from '../../adapters/teams/teams.commands.js';
import { cleanText, htmlToText } from '../../adapters/teams/teams.inbound.js';
import { renderActivity } from '../../adapters/teams/teams.renderer.js';
import { renderView as renderDiscord } from '../../adapters/discord/discord.renderer.js';
import { renderView as renderSlack, toMrkdwn } from '../../adapters/slack/slack.renderer.js';
import { parseHelpCommand } from '../../adapters/shared/help-command.js';
import { macrosView } from '../../adapters/shared/agent-commands.js';
import { subjectFrom, type Ticket } from '../../core/domain/ticket.js';
import { renderMacro } from '../../core/use-cases/apply-macro.js';
import { neutralizeMentions, truncate } from '../../core/views/sanitize.js';
import { clipStored, clipText, jsonPayloadWeight, splitText } from '../../core/views/text-limits.js';
import { escalationView, relayView, ticketCard } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { analyze } from '../../kb/analyze.js';
import { cleanQuery } from '../../kb/clean-query.js';
import { queryKey } from '../../kb/feedback.js';
import { defaultGlossary } from '../../kb/glossary.js';
import { parseArticle } from '../../kb/loader.js';
import { deriveSummary } from '../../kb/summary.js';
import { words } from '../../kb/text.js';
import { textSignature } from '../../kb/similarity.js';
import type { Incident } from '../../core/domain/incident.js';
import { wordsOf } from '../../core/use-cases/fanout/match-incident.js';
import { incidentView, knownIssueView, spikeCardView } from '../../core/views/incident-views.js';
import { person, testDesk } from '../support/fixtures.js';

/** Repeated to the input's length; each is a known way to make a pattern or scanner misbehave. */
export const FRAGMENTS: Record<string, string> = {
  'is fixed': 'is fixed ',
  'thanks words': 'thanks ok ',
  spaces: ' ',
  newlines: '\n',
  'slack ref <@': '<@',
  'slack broadcast <!': '<!',
  'slack <!here|': '<!here|',
  'slack subteam': '<!subteam^S1|',
  'teams <at>': '<at>',
  'html <': '<',
  'html <br': '<br ',
  'markdown *_~`': '*_~`',
  'bold **': '**a',
  'link [': '[',
  'link [a](': '[a](',
  'nested brackets': '[[(<{',
  'image ![': '![a](',
  'template {{': '{{ a ',
  'emoji code :': ':a',
  'url http://': 'http://',
  'mention @': '@a.',
  'greeting hi': 'hi ',
  entities: '&amp;&lt',
  'long token': 'a',
  'combining marks': 'e\u0301\u0302\u0303\u0304',
  emoji: '👍🏽\u200d',
  'surrogate halves': '\ud83d',
};

/** `fragment` repeated to exactly `n` characters, with a rejecting suffix. */
export function adversarial(fragment: string, n: number): string {
  return fragment.repeat(Math.ceil(n / fragment.length)).slice(0, n - 1) + 'x';
}

const desk = testDesk();
const glossary = defaultGlossary();
const now = new Date('2026-01-05T10:00:00Z');

function ticketWith(text: string): Ticket {
  return {
    id: 't1', deskId: 'it', number: 'IT-1', idempotencyKey: 'k1', requester: person('slack', 'U1', 'T1', 'Maria'),
    subject: text, description: text, priority: 'P3', status: 'open', tier: 1, links: [],
    sla: { firstResponseDueAt: now, resolutionDueAt: now } as Ticket['sla'],
    escalationReason: text, createdAt: now, updatedAt: now, version: 1,
  };
}

function incidentWith(text: string): Incident {
  return {
    id: 'i1', deskId: 'it', number: 'INC-1001', idempotencyKey: 'k', title: text, services: [text.slice(0, 64)], severity: 'SEV2', status: 'identified',
    alertFingerprints: [], declaredBy: { kind: 'system', reason: 'test' }, startedAt: now, createdAt: now, updatedAt: now, version: 2,
  };
}

/** A view with the text in every slot a renderer reads. */
function viewWith(text: string): View {
  return {
    kind: 'ticket_card', fallback: text, title: text, text, author: text, context: text,
    fields: [{ label: text, value: text }],
    // Article URLs come from the configured builder and validated ids, never from user text.
    items: [{ title: text, text, url: 'https://kb.example/vpn-auth-failed' }],
    actions: [{ action: 'claim', label: text, ticketId: 't1' }],
  };
}

/** Name → function under test. Each must finish in time linear in its input's length. */
export const ENTRY_POINTS: Record<string, (s: string) => unknown> = {
  'kb cleanQuery': cleanQuery,
  'kb words (fold, tokenise)': words,
  'kb analyze (stem, glossary)': (s) => analyze(s, glossary),
  'kb queryKey (feedback)': queryKey,
  'kb deriveSummary': (s) => deriveSummary(s),
  'kb parseArticle (saved from a ticket)': (s) => parseArticle('a.md', `---\ntitle: t\n---\n${s}`),
  'core neutralizeMentions': neutralizeMentions,
  'core truncate': (s) => truncate(s, 2500),
  'core subjectFrom': subjectFrom,
  'core clipStored': (s) => clipStored(s, '[truncated]'),
  'core clipText (JSON weight)': (s) => clipText(s, 3000, '[truncated]', jsonPayloadWeight),
  'core splitText': (s) => splitText(s, 2000),
  'core renderMacro': (s) => renderMacro(s, { requester: s, agent: s, ticket: 'IT-1', subject: s, desk: 'IT' }),
  'core ticketCard + escalationView': (s) => escalationView(ticketWith(s), desk, s, 1),
  'core relayView': (s) => relayView({ text: s } as Parameters<typeof relayView>[0], s, false),
  'shared parseHelpCommand': parseHelpCommand,
  'shared parseHelpCommand (macro)': (s) => parseHelpCommand(`macro ${s} IT-1`),
  'shared macrosView': (s) => macrosView(testDesk({ macros: [{ name: s, text: s }] })),
  'teams parseTeamsCommand': parseTeamsCommand,
  'teams htmlToText': htmlToText,
  'teams cleanText': (s) => cleanText({ text: s, recipient: { id: 'bot', name: 'Helpdesk' }, entities: [] }),
  'slack toMrkdwn': toMrkdwn,
  'slack renderView': (s) => renderSlack(viewWith(s)),
  'slack renderView (ticket card)': (s) => renderSlack(ticketCard(ticketWith(s), desk)),
  'teams renderActivity': (s) => renderActivity(viewWith(s)),
  'discord renderView': (s) => renderDiscord(viewWith(s)),
  'kb textSignature (incident matching, spikes)': (s) => textSignature(s, glossary),
  'core incident wordsOf (service names)': wordsOf,
  'core incident views (announce, known issue, spike card)': (s) => [
    incidentView(incidentWith(s), [{ id: 'u1', incidentId: 'i1', at: now, kind: 'note', actor: { kind: 'system', reason: s }, visibility: 'public', text: s }], desk),
    knownIssueView(ticketWith(s), incidentWith(s)),
    spikeCardView('sp-t1', [ticketWith(s)], 7, 10, desk),
  ],
};
