import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../adapters/shared/action-codec.js';
import { parseHelpCommand } from '../../adapters/shared/help-command.js';
import { renderView, toMrkdwn } from '../../adapters/slack/slack.renderer.js';

describe('shared: /help sub-commands', () => {
  it('parses sub-commands only when their arguments fit', () => {
    expect(parseHelpCommand('')).toEqual({ kind: 'empty' });
    expect(parseHelpCommand('status it-1042')).toEqual({ kind: 'status', ticket: 'IT-1042' });
    expect(parseHelpCommand('status')).toEqual({ kind: 'mine' });
    expect(parseHelpCommand('status of my laptop is bad')).toEqual({ kind: 'open', text: 'status of my laptop is bad' });
    expect(parseHelpCommand('escalate IT-7 needs  network team')).toEqual({ kind: 'escalate', ticket: 'IT-7', reason: 'needs  network team' });
    expect(parseHelpCommand('resolve IT-7')).toEqual({ kind: 'resolve', ticket: 'IT-7', note: '' });
    expect(parseHelpCommand('resolve my printer')).toEqual({ kind: 'open', text: 'resolve my printer' });
    expect(parseHelpCommand('mine')).toEqual({ kind: 'mine' });
    expect(parseHelpCommand('tickets')).toEqual({ kind: 'queue' });
    expect(parseHelpCommand('estado IT-3')).toEqual({ kind: 'status', ticket: 'IT-3' });
  });
  it('parses the agent tools: macro (either order, multi-word names), macros, pending, Spanish aliases', () => {
    expect(parseHelpCommand('macro greeting it-7')).toEqual({ kind: 'macro', ticket: 'IT-7', name: 'greeting' });
    expect(parseHelpCommand('macro IT-7 greeting')).toEqual({ kind: 'macro', ticket: 'IT-7', name: 'greeting' });
    expect(parseHelpCommand('plantilla password reset IT-7')).toEqual({ kind: 'macro', ticket: 'IT-7', name: 'password reset' });
    expect(parseHelpCommand('macro greeting')).toEqual({ kind: 'open', text: 'macro greeting' });
    expect(parseHelpCommand('macro excel keeps crashing')).toEqual({ kind: 'open', text: 'macro excel keeps crashing' });
    expect(parseHelpCommand('macros')).toEqual({ kind: 'macros' });
    expect(parseHelpCommand('plantillas it-2')).toEqual({ kind: 'macros', ticket: 'IT-2' });
    expect(parseHelpCommand('macros are broken')).toEqual({ kind: 'open', text: 'macros are broken' });
    expect(parseHelpCommand('pending IT-9')).toEqual({ kind: 'pending', ticket: 'IT-9' });
    expect(parseHelpCommand('pendiente it-9')).toEqual({ kind: 'pending', ticket: 'IT-9' });
    expect(parseHelpCommand('pending')).toEqual({ kind: 'open', text: 'pending' });
    expect(parseHelpCommand('pending approval for my laptop')).toEqual({ kind: 'open', text: 'pending approval for my laptop' });
  });
  it('round-trips actions and rejects foreign values', () => {
    expect(decodeAction(encodeAction({ action: 'solved', ticketId: 'abc', arg: 'vpn-reset' }))).toEqual({ action: 'solved', ticketId: 'abc', arg: 'vpn-reset' });
    expect(decodeAction(encodeAction({ action: 'claim', ticketId: 'abc' }))).toEqual({ action: 'claim', ticketId: 'abc' });
    expect(decodeAction('other|claim|x|')).toBeNull();
    expect(decodeAction('hd|drop_tables|x|')).toBeNull();
    expect(decodeAction('hd:drop_tables:x')).toBeNull();
    // One codec for every platform; buttons posted in the earlier Slack form still decode.
    expect(decodeAction('hd|claim|abc|')).toEqual({ action: 'claim', ticketId: 'abc' });
    expect(decodeAction(encodeAction({ action: 'priority', ticketId: 'tk_1', arg: 'P1' }))).toEqual({ action: 'priority', ticketId: 'tk_1', arg: 'P1' });
    expect(() => encodeAction({ action: 'solved', ticketId: 't', arg: 'x'.repeat(100) })).toThrow(RangeError);
  });
});

describe('slack renderer', () => {
  it('never lets user text form broadcast mentions or disguised links', () => {
    const out = toMrkdwn('hey <!channel> <!here|here> <!everyone> <!subteam^S1|@devs> see <https://evil.example|bank> and <@U123>');
    expect(out).not.toMatch(/<!|<https/);
    expect(out).toContain('<@U123>'); // a person mention stays a mention
  });
  it('renders a card with unique action ids, the priority select and the note button', () => {
    const m = renderView(
      {
        kind: 'ticket_card', fallback: 'IT-1 · <!here>', title: 'IT-1 · VPN', text: 'body', fields: [{ label: 'Priority', value: 'P3' }],
        actions: [{ action: 'claim', label: 'Claim', ticketId: 't1', style: 'primary' }, { action: 'escalate', label: 'Escalate', ticketId: 't1' }],
        select: { action: 'priority', ticketId: 't1', placeholder: 'Set priority', options: [{ label: 'P1', value: 'P1' }, { label: 'P3', value: 'P3' }], selected: 'P3' },
      },
      { noteLabel: 'Add internal note' },
    );
    const els = m.blocks.flatMap((b) => (b.elements as Array<Record<string, unknown>> | undefined) ?? []);
    const ids = els.map((e) => e.action_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['hd:claim:0', 'hd:escalate:1', 'hd:priority:2', 'hd:note:3']);
    expect((els[2]!.initial_option as { value: string }).value).toBe('hd:priority:t1:P3');
    expect(m.text).not.toContain('<!here>');
  });
});
