import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, embedLength, renderView as renderDiscord } from '../../adapters/discord/discord.renderer.js';
import { SLACK_LIMITS, renderView as renderSlack } from '../../adapters/slack/slack.renderer.js';
import { TEAMS_LIMITS, renderActivity, renderCard, teamsPayloadBytes } from '../../adapters/teams/teams.renderer.js';
import { t } from '../../core/i18n/index.js';
import { CARD_PREVIEW_MAX, STORED_TEXT_MAX, clipStored, clipText, jsonPayloadWeight, measure, payloadBytes, safeCut, splitText } from '../../core/views/text-limits.js';
import { noticeView, relayView, ticketCard } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { testDesk } from '../support/fixtures.js';

const EN = t('en', 'text.truncated');
const ES = t('es', 'text.truncated');

/** Words with line breaks, mentions, links, entities, emoji and accents: what real long text holds. */
function longText(chars: number, seed = 'line'): string {
  const parts = [`${seed} one with a <@U12345|alice> mention `, 'and a [link](https://example.com/a/b) ', 'R&D costs < 5 & > 2 ', '😀 café ', '**bold** words\n'];
  let s = '';
  for (let i = 0; s.length < chars; i++) s += parts[i % parts.length];
  return s.slice(0, chars);
}

const relay = (text: string, locale = 'en'): View =>
  relayView({ id: 'e1', ticketId: 'tk', at: new Date(), kind: 'message', actor: { kind: 'system', reason: 'test' }, visibility: 'public', text }, 'Bob (slack)', false, locale);

/** No lone surrogate anywhere (a cut between the halves of a pair would leave one). */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

describe('core text policy (text-limits.ts)', () => {
  it('leaves text within the limit untouched and marks what it cuts', () => {
    expect(clipText('short', 10, EN)).toEqual({ text: 'short', clipped: false });
    const exact = 'x'.repeat(100);
    expect(clipText(exact, 100, EN)).toEqual({ text: exact, clipped: false });
    const r = clipText('word '.repeat(100), 100, EN);
    expect(r.clipped).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(100);
    expect(r.text.endsWith(`\n${EN}`)).toBe(true);
    expect(r.text.startsWith('word word')).toBe(true);
  });

  for (const factor of [1, 2, 50]) {
    it(`clips ${factor}× a limit within the limit, at a safe boundary, with the marker`, () => {
      const limit = 2000;
      const text = longText(limit * factor + (factor === 1 ? 0 : 7));
      const r = clipText(text, limit, ES);
      expect(r.text.length).toBeLessThanOrEqual(limit);
      if (factor === 1) return expect(r).toEqual({ text, clipped: false });
      expect(r.clipped).toBe(true);
      expect(r.text.endsWith(ES)).toBe(true);
      expect(wellFormed(r.text)).toBe(true);
      const kept = r.text.slice(0, -ES.length - 1);
      expect(text.startsWith(kept)).toBe(true);
      // Not inside a token: every `<` and `[` kept is closed.
      expect(kept.lastIndexOf('<')).toBeLessThan(kept.lastIndexOf('>'));
      expect(kept.lastIndexOf('[')).toBeLessThan(kept.lastIndexOf(')'));
      expect(kept.length).toBeGreaterThan(limit - 600);
    });
  }

  it('never splits a surrogate pair, even in text made only of emoji', () => {
    const emoji = '😀'.repeat(5000);
    for (let max = 40; max < 60; max++) {
      const r = clipText(emoji, max, EN);
      expect(r.text.length).toBeLessThanOrEqual(max);
      expect(wellFormed(r.text)).toBe(true);
    }
    for (let end = 1; end < 20; end++) expect(safeCut(emoji, end) % 2).toBe(0);
  });

  it('does not end inside a mention, a link or an entity', () => {
    const text = `${'a'.repeat(90)} <@U123|somebody> more`;
    const cut = safeCut(text, 100);
    expect(text.slice(0, cut).trimEnd()).toBe('a'.repeat(90));
    const link = `${'b'.repeat(90)} [label](https://example.com/x) tail`;
    expect(link.slice(0, safeCut(link, 110)).trimEnd()).toBe('b'.repeat(90));
    const ent = `${'c'.repeat(96)} &amp; d`;
    expect(ent.slice(0, safeCut(ent, 99)).trimEnd()).toBe('c'.repeat(96));
  });

  it('closes a code fence it cuts open', () => {
    const text = `intro\n\`\`\`\n${'log line\n'.repeat(500)}\`\`\`\nafter`;
    const r = clipText(text, 300, EN);
    expect(r.text.length).toBeLessThanOrEqual(300);
    expect(r.text.split('```').length - 1).toBe(2);
    expect(r.text.endsWith(`\`\`\`\n${EN}`)).toBe(true);
  });

  it('counts payload bytes for Teams (UTF-16 or UTF-8, JSON-escaped) and clips by them', () => {
    expect(measure('ab', jsonPayloadWeight)).toBe(4);
    expect(measure('"\n', jsonPayloadWeight)).toBe(8);
    expect(measure('日本', jsonPayloadWeight)).toBe(6);
    expect(measure('😀', jsonPayloadWeight)).toBe(4);
    expect(payloadBytes(JSON.stringify('日本'))).toBe(10);
    const cjk = '日本語のテキスト'.repeat(3000);
    const r = clipText(cjk, 9000, EN, jsonPayloadWeight);
    expect(measure(r.text, jsonPayloadWeight)).toBeLessThanOrEqual(9000);
    expect(r.text.endsWith(EN)).toBe(true);
  });

  it('splits long text into pieces within a block limit without losing words', () => {
    const text = longText(9000);
    const pieces = splitText(text, 3000);
    expect(pieces.every((p) => p.length <= 3000)).toBe(true);
    expect(pieces.join(' ').replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('stores up to STORED_TEXT_MAX in full, beyond it the first part with the marker and the original length', () => {
    const full = longText(STORED_TEXT_MAX);
    expect(clipStored(full, EN)).toEqual({ text: full });
    const big = longText(STORED_TEXT_MAX * 50);
    const r = clipStored(big, EN);
    expect(r.clippedFrom).toBe(big.length);
    expect(r.text.length).toBeLessThanOrEqual(STORED_TEXT_MAX);
    expect(r.text.endsWith(EN)).toBe(true);
  });

  it('previews a long description on the card with the marker in the desk language', () => {
    const desk = testDesk({ locale: 'es' });
    const ticket = { id: 'tk', number: 'IT-1', deskId: 'it', subject: 's', description: longText(10_000), requester: { platform: 'slack', workspace: 'T1', user: 'U1' }, priority: 'P3', status: 'open', tier: 1, links: [], sla: {}, createdAt: new Date(), updatedAt: new Date(), version: 1, idempotencyKey: 'k' } as unknown as Ticket;
    const card = ticketCard(ticket, desk, 'es');
    expect(card.text!.length).toBeLessThanOrEqual(CARD_PREVIEW_MAX);
    expect(card.text!.endsWith(ES)).toBe(true);
    expect(card.clipMarker).toBe(ES);
  });
});

/** Every text of a Slack message (block texts and fallback). */
const slackTexts = (m: { text: string; blocks: Array<Record<string, unknown>> }): string[] => {
  const out = [m.text];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'text' && typeof v === 'string') out.push(v);
        else walk(v);
      }
    }
  };
  walk(m.blocks);
  return out;
};

describe('Slack renderer: long text within Block Kit limits', () => {
  // A message body is spread over up to three 3,000-character sections: SLACK_LIMITS.body in all.
  for (const factor of [1, 2, 50]) {
    it(`relay of ${factor}× the body budget (${factor * SLACK_LIMITS.body} chars) fits, marked when cut`, () => {
      // 1×: plain words (nothing for mrkdwn to escape), so exactly the budget fits uncut.
      const text = factor === 1 ? 'plain words only\n'.repeat(SLACK_LIMITS.body / 17 + 1).slice(0, SLACK_LIMITS.body) : longText(SLACK_LIMITS.body * factor);
      const msg = renderSlack(relay(text));
      const sections = msg.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
      expect(sections.every((s) => s.length <= SLACK_LIMITS.section)).toBe(true);
      expect(sections.length).toBeLessThanOrEqual(SLACK_LIMITS.bodySections);
      expect(msg.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallback);
      expect(msg.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blockCount);
      const total = slackTexts(msg).slice(1).reduce((n, s) => n + s.length, 0);
      expect(total).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      const body = sections.join('\n');
      if (factor === 1) {
        expect(body).not.toContain(EN);
        expect(body.replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
        expect(msg.text.endsWith(EN)).toBe(true); // the 3,000-character notification fallback is cut
      } else {
        expect(body.endsWith(EN)).toBe(true);
        expect(body.length).toBeGreaterThan(SLACK_LIMITS.body - 2 * 600);
        expect(wellFormed(body)).toBe(true);
        // Escaping never split: no `&` that does not start an entity.
        expect(/&(?!amp;|lt;|gt;)/.test(body)).toBe(false);
      }
    });
  }
  it('a relay of 2× a section is split over sections, not cut', () => {
    const text = longText(SLACK_LIMITS.section * 2);
    const sections = renderSlack(relay(text)).blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
    expect(sections.length).toBe(3); // 6,000 characters grow when `&`, `<`, `>` are escaped
    expect(sections.join('\n')).not.toContain(EN);
  });
  it('uses the view language for the marker (Spanish requester)', () => {
    const msg = renderSlack(relay(longText(30_000), 'es'));
    expect(slackTexts(msg).join('\n')).toContain(ES);
  });
  it('a long notice without a marker language falls back to English', () => {
    const msg = renderSlack(noticeView(longText(20_000)));
    expect(msg.blocks.filter((b) => b.type === 'section').at(-1)!.text).toMatchObject({ text: expect.stringMatching(/\[truncated — full text in the ticket\]$/) });
  });
});

describe('Discord renderer: long text within content and embed limits', () => {
  for (const factor of [1, 2, 50]) {
    it(`notice of ${factor}× the content limit fits in 2,000 chars, marked when cut`, () => {
      const text = longText(DISCORD_LIMITS.content * factor);
      const { body } = renderDiscord(noticeView(text, undefined, 'es'));
      expect(body.content!.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      if (factor === 1) expect(body.content).toBe(text);
      else expect(body.content!.endsWith(ES)).toBe(true);
    });
    it(`relay of ${factor}× the description limit fits the embed (4,096 / 6,000 total), marked when cut`, () => {
      const text = longText(DISCORD_LIMITS.description * factor - (factor === 1 ? 100 : 0));
      const { body } = renderDiscord(relay(text));
      const embed = body.embeds![0]!;
      expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
      if (factor === 1) expect(embed.description).toBe(text);
      else expect(embed.description!.endsWith(EN)).toBe(true);
    });
  }
  it('keeps a card with many long fields and a long description under the 6,000 total', () => {
    const view: View = {
      kind: 'ticket_card',
      fallback: 'x',
      title: 'T'.repeat(400),
      text: longText(8000),
      fields: Array.from({ length: 30 }, (_, i) => ({ label: `F${i}`, value: longText(2000) })),
      context: 'c'.repeat(3000),
    };
    const embed = renderDiscord(view).body.embeds![0]!;
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
    expect(embed.fields!.every((f) => f.value.length <= DISCORD_LIMITS.fieldValue)).toBe(true);
    expect(embed.description!.length).toBeGreaterThan(900);
  });
});

describe('Teams renderer: long text within the activity size', () => {
  // The Teams limit is the size of the whole activity (~28 KB).
  for (const factor of [1, 2, 50]) {
    for (const kind of ['relay', 'card'] as const) {
      it(`${kind} with ${factor}× the activity size of text stays under the budget, marked when cut`, () => {
        const chars = Math.floor(((TEAMS_LIMITS.rendered - 2000) / 2) * factor);
        const text = factor === 1 ? longText(chars) : `${longText(chars / 2)}${'日本語の文章 "quoted"\n'.repeat(chars / 40)}`;
        const view: View = kind === 'relay' ? relay(text, 'es') : { kind: 'ticket_card', fallback: 'IT-1 — Open', title: 'IT-1 · VPN', text, fields: [{ label: 'Priority', value: 'P3' }], clipMarker: ES, actions: [{ action: 'claim', label: 'Claim', ticketId: 'tk' }] };
        const activity = renderActivity(view);
        expect(teamsPayloadBytes(activity)).toBeLessThanOrEqual(TEAMS_LIMITS.rendered);
        const all = JSON.stringify(activity);
        if (factor === 1) expect(all).not.toContain(ES);
        else {
          expect(all).toContain(ES);
          expect(teamsPayloadBytes(activity)).toBeGreaterThan(TEAMS_LIMITS.rendered * 0.8);
        }
      });
    }
  }
  it('an invoke-response card (renderCard) is fitted too', () => {
    const card = renderCard({ kind: 'escalation', fallback: 'x', title: 'IT-1', text: longText(200_000), items: Array.from({ length: 40 }, () => ({ title: longText(3000), text: longText(5000) })) });
    expect(teamsPayloadBytes(card)).toBeLessThanOrEqual(TEAMS_LIMITS.rendered);
  });
});
