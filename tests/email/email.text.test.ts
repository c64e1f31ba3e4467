import { describe, expect, it } from 'vitest';
import { headerMessageId, inboundJobId } from '../../adapters/email/email.inbound-queue.js';
import { dsnRecipients, messageIds, oneLine } from '../../adapters/email/email.parse.js';
import { escapeHtml, renderMail } from '../../adapters/email/email.renderer.js';
import { firstWord, stripReply } from '../../adapters/email/email.text.js';
import { subjectTicketNumber } from '../../adapters/email/email.threading.js';
import { MailTokens, splitAddress } from '../../adapters/email/email.tokens.js';

describe('email text helpers', () => {
  it('strips quoted history and signatures (Gmail, Outlook, Spanish clients, RFC 3676)', () => {
    expect(stripReply('Thanks, fixed.\n\nOn Mon, 1 Jan 2026 at 10:00, IT <it@x> wrote:\n> old')).toBe('Thanks, fixed.');
    expect(stripReply('Gracias.\r\n\r\nEl lun, 1 ene 2026, IT <it@x> escribió:\r\n> viejo')).toBe('Gracias.');
    expect(stripReply('Still broken\n\nOn Mon, 1 Jan 2026 at 10:00, Some Long Name\n<it@x> wrote:\n> old')).toBe('Still broken');
    expect(stripReply('Yes\n\n________________________________\nFrom: IT\nSent: Monday')).toBe('Yes');
    expect(stripReply('Sí\n\nDe: IT\nEnviado: lunes')).toBe('Sí');
    expect(stripReply('Ok\n-----Original Message-----\nFrom: x')).toBe('Ok');
    expect(stripReply('Ok\n\n-- \nRita\nAcme')).toBe('Ok');
    expect(stripReply('Ok\n\nSent from my iPhone')).toBe('Ok');
    expect(stripReply('a\n> quoted\nb')).toBe('a\nb');
  });

  it('is linear on hostile input (no backtracking): 200k lines of near-misses', () => {
    const evil = `${'On '.repeat(50_000)}\n${'> '.repeat(50_000)}\n${'_'.repeat(9)}x\n`.repeat(2);
    const t0 = performance.now();
    stripReply(evil);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('first word, subject ticket numbers, one-line headers', () => {
    expect(firstWord('Solved! thanks')).toBe('solved');
    expect(firstWord('  resuelto 2')).toBe('resuelto');
    expect(subjectTicketNumber('Re: [it-1042] VPN')).toBe('IT-1042');
    expect(subjectTicketNumber('[urgent] Re: [HR-7] x')).toBe('HR-7');
    expect(subjectTicketNumber('[IT-] [-5] [1T-3]')).toBeUndefined();
    expect(oneLine('a\r\nBcc: x@y\u0000', 100)).toBe('a  Bcc: x@y');
  });

  it('signed tokens: verify, reject tampering, split plus addresses', () => {
    const t = new MailTokens('k'.repeat(40));
    const tok = t.token('65a1b2c3d4e5f60718293a4b');
    expect(t.verify(tok)).toBe('65a1b2c3d4e5f60718293a4b');
    expect(t.verify(tok.toUpperCase())).toBe('65a1b2c3d4e5f60718293a4b');
    expect(t.verify(tok.replace('65a1', '65a2'))).toBeUndefined();
    expect(new MailTokens('j'.repeat(40)).verify(tok)).toBeUndefined();
    expect(t.ticketOfMessageId(`<${t.messageId('help.test', '65a1b2c3d4e5f60718293a4b')}>`)).toBe('65a1b2c3d4e5f60718293a4b');
    expect(t.ticketOfMessageId('<abc.def@help.test>')).toBeUndefined();
    expect(splitAddress(t.replyAddress('it@help.test', 'abc'))).toMatchObject({ base: 'it@help.test', domain: 'help.test' });
    expect(() => new MailTokens('short')).toThrow(/32/);
  });

  it('Message-ID from the raw header block (folded), and deterministic job ids', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\nMessage-ID: <not-header@b>\r\n');
    expect(headerMessageId(raw)).toBe('<a@b>');
    expect(headerMessageId(Buffer.from('Subject: x\r\n\r\nMessage-ID: <body@b>'))).toBeUndefined();
    expect(inboundJobId(raw, ['it@x'])).toBe(inboundJobId(Buffer.concat([raw, Buffer.from('more')]), ['it@x']));
    expect(inboundJobId(raw, ['it@x'])).not.toBe(inboundJobId(raw, ['hr@x']));
    expect(messageIds('<a@b>  <c@d>')).toEqual(['a@b', 'c@d']);
    expect(dsnRecipients('Final-Recipient: rfc822; A@x.com\nAction: failed\n\nFinal-Recipient: rfc822; b@x.com\nAction: delivered')).toEqual(['a@x.com']);
  });

  it('renders text and HTML from the same view; HTML escaped; Spanish wording', () => {
    const m = renderMail({ kind: 'relay', fallback: 'x', author: 'Ana <script>', text: 'Use *this* & <b>that</b>' }, { locale: 'es', number: 'IT-1' });
    expect(m.text).toContain('Use *this* & <b>that</b>');
    expect(m.html).toContain('<strong>this</strong> &amp; &lt;b&gt;that&lt;/b&gt;');
    expect(m.html).toContain('Ana &lt;script&gt;');
    expect(m.text).toContain('Responde a este correo');
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
    const csat = renderMail({ kind: 'csat', fallback: 'rate', text: 'How was it?' }, { number: 'IT-1', rateUrl: (n) => `https://hd.example/rate/${n}?sig=x` });
    expect(csat.html).toContain('href="https://hd.example/rate/5?sig=x"');
  });
});
