import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { t } from '../../core/i18n/index.js';
import { STORED_TEXT_MAX, TRANSCRIPT_MAX } from '../../core/views/text-limits.js';
import { buildTranscript } from '../../core/use-cases/transcript.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

const agent = person('slack', 'UAG', 'T1', 'Ana');
const requester = person('slack', 'UREQ', 'T1', 'Rita');
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk({ locale: 'es' })], agents: [testAgent('ana', [agent], 2)], kb: new KeywordKb([]) });
});
afterAll(async () => db.drop());

const words = (n: number, tag: string) => `${tag} ${'palabras de una consulta larga '.repeat(n / 31 + 1)}`.slice(0, n);

/** Core on the real store (FerretDB): what a ticket keeps of long text, and the transcript bound. */
describe('long text in the store', () => {
  it('keeps a message of exactly the stored maximum whole, and one character more cut with the Spanish marker', async () => {
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'lt-1', request: { idempotencyKey: 'lt-1', requester, text: 'la impresora no imprime', origin: { platform: 'slack', workspace: 'T1' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const id = opened.ticket.id;
    const exact = words(STORED_TEXT_MAX, 'EXACT');
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'lt-m1', actor: agent, ticket: { id }, text: exact });
    const over = words(STORED_TEXT_MAX + 1, 'OVER');
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'lt-m2', actor: agent, ticket: { id }, text: over });
    const tl = await hd.store.timeline(id, { includeInternal: true });
    const a = tl.find((e) => e.text.startsWith('EXACT'))!;
    const b = tl.find((e) => e.text.startsWith('OVER'))!;
    expect(a.text).toBe(exact);
    expect(a.clippedFrom).toBeUndefined();
    expect(b.text.length).toBeLessThanOrEqual(STORED_TEXT_MAX);
    expect(b.text.endsWith(t('es', 'text.truncated'))).toBe(true);
    expect(b.clippedFrom).toBe(STORED_TEXT_MAX + 1);
  });

  it('bounds a transcript of many long messages at TRANSCRIPT_MAX, marking the cut', async () => {
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'lt-2', request: { idempotencyKey: 'lt-2', requester, text: 'el correo no llega', origin: { platform: 'slack', workspace: 'T1' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const id = opened.ticket.id;
    for (let i = 0; i < 12; i++) await hd.helpdesk.handle({ type: 'ticket.message', eventId: `lt-t${i}`, actor: agent, ticket: { id }, text: words(STORED_TEXT_MAX - 1000, `M${i}`) });
    const transcript = await buildTranscript(hd, (await hd.store.get(id))!);
    expect(transcript.length).toBeLessThanOrEqual(TRANSCRIPT_MAX);
    expect(transcript.length).toBeGreaterThan(TRANSCRIPT_MAX - 2000);
    expect(transcript.slice(-200)).toMatch(/\[truncated — full text in the ticket\]$/);
    expect(transcript).toContain('M10 '); // the entry that crosses the bound, cut
    expect(transcript).not.toContain('M11 ');
  });

  it('cuts an escalation reason, a resolution note and a CSAT comment with the marker, never silently', async () => {
    const es = t('es', 'text.truncated');
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'lt-3', request: { idempotencyKey: 'lt-3', requester, text: 'la VPN se corta', origin: { platform: 'slack', workspace: 'T1' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const id = opened.ticket.id;
    const reason = words(2000, 'REASON');
    await hd.helpdesk.handle({ type: 'ticket.escalate', eventId: 'lt-e', actor: agent, ticket: { id }, reason });
    const escalated = (await hd.store.get(id))!;
    expect(escalated.escalationReason!.length).toBeLessThanOrEqual(500);
    expect(escalated.escalationReason!.endsWith(es)).toBe(true);
    const note = words(10_000, 'NOTE');
    await hd.helpdesk.handle({ type: 'ticket.resolve', eventId: 'lt-r', actor: agent, ticket: { id }, note });
    await hd.helpdesk.handle({ type: 'ticket.rate', eventId: 'lt-c', actor: requester, ticket: { id }, score: 5, comment: words(5000, 'COMMENT') });
    const tl = await hd.store.timeline(id, { includeInternal: true });
    expect(tl.find((e) => e.event === 'escalate')!.text).toBe(reason); // the timeline keeps the whole reason
    const resolved = tl.find((e) => e.event === 'resolve')!;
    expect(resolved.text.length).toBeLessThanOrEqual(4000);
    expect(resolved.text.endsWith(es)).toBe(true);
    expect(resolved.clippedFrom).toBe(note.length);
    const csat = (await hd.store.get(id))!.csat!;
    expect(csat.comment!.length).toBeLessThanOrEqual(2000);
    expect(csat.comment!.endsWith(es)).toBe(true);
  });
});
