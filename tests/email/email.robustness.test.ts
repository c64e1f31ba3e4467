import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_ADDRESS, startEmailHarness, waitFor, type EmailHarness } from './email-harness.js';

/** Loops, bounces and hostile input against the real listener, worker and outbound path. */
describe('email: never loop, never spam, survive bad input', () => {
  let e: EmailHarness;
  beforeAll(async () => {
    e = await startEmailHarness({ maxBytes: 512 * 1024, autoRepliesPerHour: 3 });
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  /** Sends one message and waits for the inbound worker's outcome. */
  const step = async (mail: Parameters<EmailHarness['send']>[0]) => {
    const n = e.outcomes.length;
    const sent = await e.send(mail);
    return { sent, outcome: (await e.processed(n + 1))[n]! };
  };
  const ticketOf = (o: { kind: string }) => (o as unknown as { ticket: { id: string; number: string; description: string; subject: string; links: Array<{ data?: Record<string, unknown> }> } }).ticket;

  it.each([
    ['Auto-Submitted: auto-replied', { 'Auto-Submitted': 'auto-replied' }],
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['List-Id', { 'List-Id': '<announce.example.com>' }],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }],
  ])('automatic mail (%s) opens a ticket but gets no automatic answer', async (_name, headers) => {
    const from = `robot-${Math.random().toString(36).slice(2)}@example.com`;
    const skipped = e.adapter.stats.get('outbound_skipped', 'automatic_sender');
    const { outcome } = await step({ from, to: DESK_ADDRESS, subject: 'Disk almost full on srv-7', text: 'Disk at 95%.', headers });
    expect(outcome.kind).toBe('opened');
    await waitFor(() => e.adapter.stats.get('outbound_skipped', 'automatic_sender') > skipped, 10_000, 'the routed notice to be withheld');
    expect(e.sink.to(from)).toHaveLength(0);
  });

  it('an out-of-office answer to our mail is recorded on the ticket and answered with nothing', async () => {
    const { outcome } = await step({ from: 'olga@example.com', to: DESK_ADDRESS, subject: 'Monitor flickers', text: 'It flickers.' });
    const t = ticketOf(outcome);
    const notice = await waitFor(() => e.sink.to('olga@example.com')[0]);
    const { outcome: ooo } = await step({
      from: 'olga@example.com',
      to: notice.parsed.replyTo!.value[0]!.address!,
      subject: `Automatic reply: [${t.number}] Monitor flickers`,
      inReplyTo: notice.parsed.messageId,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am out of the office until Monday.',
    });
    expect(ooo).toMatchObject({ kind: 'followup', by: 'signed-address' });
    await new Promise((r) => setTimeout(r, 300));
    expect(e.sink.to('olga@example.com')).toHaveLength(1);
  });

  it('mail carrying our own Message-ID (a forwarding loop) is ignored', async () => {
    const { outcome } = await step({ from: 'paul@example.com', to: DESK_ADDRESS, subject: 'Keyboard', text: 'Keys stick.' });
    const notice = await waitFor(() => e.sink.to('paul@example.com')[0]);
    const { outcome: loop } = await step({ from: 'paul@example.com', to: DESK_ADDRESS, subject: notice.parsed.subject, messageId: notice.parsed.messageId, text: 'loop' });
    expect(loop).toEqual({ kind: 'ignored', reason: 'own_message' });
    expect(ticketOf(outcome).number).toMatch(/^IT-/);
  });

  it('a bounce (DSN) marks the address undeliverable with a timeline note, opens no ticket, and stops further mail', async () => {
    const { outcome } = await step({ from: 'gone@example.com', to: DESK_ADDRESS, subject: 'Laptop battery', text: 'It dies in an hour.' });
    const t = ticketOf(outcome);
    const notice = await waitFor(() => e.sink.to('gone@example.com')[0]);
    const bounceTo = notice.mailFrom; // the signed envelope sender of our mail
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      `To: ${bounceTo}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.example.com>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
      '',
      '--BOUNDARY',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'The mail system could not deliver your message.',
      '--BOUNDARY',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; gone@example.com',
      'Action: failed',
      'Status: 5.1.1',
      '--BOUNDARY',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${notice.parsed.messageId}>`,
      '--BOUNDARY--',
      '',
    ].join('\r\n');
    const before = (await e.h.hd.store.list({ deskId: 'it', limit: 200 })).length;
    const { outcome: b } = await step({ envelope: { from: '', to: [bounceTo] }, raw: dsn });
    expect(b).toMatchObject({ kind: 'bounce', failed: ['gone@example.com'] });
    expect((await e.h.hd.store.list({ deskId: 'it', limit: 200 })).length).toBe(before);
    const after = (await e.h.hd.store.get(t.id))!;
    expect(after.links.find((l) => l.role === 'requester')!.data).toMatchObject({ undeliverable: 'gone@example.com' });
    const notes = (await e.h.hd.store.timeline(t.id, { includeInternal: true })).filter((x) => x.event === 'email_undeliverable');
    expect(notes).toHaveLength(1);
    // An agent's answer is not mailed to a dead address.
    const skipped = e.adapter.stats.get('outbound_skipped', 'undeliverable');
    await e.h.hd.helpdesk.handle({ type: 'ticket.resolve', eventId: `resolve-${t.id}`, actor: { platform: 'email', workspace: 'help.test', user: 'system@help.test' }, ticket: { id: t.id } }).catch(() => undefined);
    await e.h.hd.helpdesk.handle({ type: 'ticket.message', eventId: `msg-${t.id}`, actor: { platform: 'email', workspace: 'example.com', user: 'gone@example.com' }, ticket: { id: t.id }, text: 'hello?' });
    await waitFor(() => e.adapter.stats.get('outbound_skipped', 'undeliverable') > skipped || e.sink.to('gone@example.com').length > 1);
    expect(e.sink.to('gone@example.com')).toHaveLength(1);
  });

  it('per-sender rate limit on automatic answers', async () => {
    const from = 'chatty@example.com';
    for (let i = 0; i < 5; i++) await step({ from, to: DESK_ADDRESS, subject: `Question ${i}`, text: `Question number ${i}` });
    await waitFor(() => e.adapter.stats.get('outbound_skipped', 'rate_limited') >= 2, 10_000, 'rate-limited answers');
    expect(e.sink.to(from)).toHaveLength(3);
  });

  it('a message over SMTP_MAX_BYTES is refused with 552 during DATA, and the listener keeps serving', async () => {
    const n = e.outcomes.length;
    await expect(e.send({ from: 'big@example.com', to: DESK_ADDRESS, subject: 'big', text: 'x'.repeat(700 * 1024) })).rejects.toMatchObject({ responseCode: 552 });
    expect(e.adapter.stats.get('rejected', 'too_large')).toBe(1);
    const { outcome } = await step({ from: 'small@example.com', to: DESK_ADDRESS, subject: 'small', text: 'fits' });
    expect(outcome.kind).toBe('opened');
    expect(e.outcomes.length).toBe(n + 1);
  });

  it('unknown addresses are refused at RCPT time (550); 5,000 recipients do not break anything', async () => {
    await expect(e.send({ from: 'x@example.com', to: 'nobody@help.test', subject: 'hi', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(e.send({ from: 'x@example.com', to: 'it+forged-0123456789abcdef0123@help.test', subject: 'hi', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
    const many = Array.from({ length: 5000 }, (_, i) => `user${i}@elsewhere.test`);
    const { sent, outcome } = await step({ from: 'spray@example.com', to: [DESK_ADDRESS, ...many], subject: 'To everyone', text: 'Hello all' });
    expect(sent.accepted).toEqual([DESK_ADDRESS]);
    expect(sent.rejected).toHaveLength(5000);
    expect(outcome.kind).toBe('opened');
  }, 60_000);

  it('CRLF in subject and name, <script> in HTML: stored as plain one-line text, escaped in the mail we send', async () => {
    const raw = [
      'From: =?UTF-8?Q?Eve=0D=0ABcc=3A_victim=40example=2Ecom?= <eve@example.com>',
      `To: ${DESK_ADDRESS}`,
      'Subject: =?UTF-8?Q?VPN_help=0D=0ABcc=3A_victim=40example=2Ecom?=',
      'Message-ID: <crlf-1@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>My <b>vpn</b> fails</p><script>alert("x")</script><img src=x onerror=alert(1)>',
      '',
    ].join('\r\n');
    const { outcome } = await step({ envelope: { from: 'eve@example.com', to: [DESK_ADDRESS] }, raw });
    const t = ticketOf(outcome);
    expect(t.subject).not.toMatch(/[\r\n]/);
    expect(t.subject).toContain('VPN help');
    expect(t.description).not.toContain('<script');
    expect(t.description).toContain('My vpn fails');
    const ack = await waitFor(() => e.sink.to('eve@example.com')[0]);
    expect(ack.parsed.bcc).toBeUndefined();
    expect(ack.parsed.to && 'value' in ack.parsed.to ? ack.parsed.to.value.map((v) => v.address) : []).toEqual(['eve@example.com']);
    expect(ack.raw.toString('latin1')).not.toMatch(/^Bcc:/im);
    expect(ack.parsed.html).not.toContain('<script');
    expect(ack.parsed.html).not.toContain('onerror=alert');
  });

  it('an empty message is a counted rejection; nothing is stored', async () => {
    const before = (await e.h.hd.store.list({ deskId: 'it', limit: 200 })).length;
    const { outcome } = await step({ from: 'blank@example.com', to: DESK_ADDRESS, subject: '', text: '' });
    expect(outcome).toEqual({ kind: 'ignored', reason: 'empty' });
    expect(e.adapter.stats.get('rejected', 'empty')).toBe(1);
    expect((await e.h.hd.store.list({ deskId: 'it', limit: 200 })).length).toBe(before);
  });

  it('malformed MIME has a clear outcome and the listener keeps serving', async () => {
    const raw = [
      'From: broken@example.com',
      `To: ${DESK_ADDRESS}`,
      'Subject: broken',
      'Content-Type: multipart/mixed; boundary="never-closed"',
      'Content-Transfer-Encoding: base64',
      '',
      '--never-closed',
      'Content-Type: text/plain; charset=no-such-charset',
      'Content-Transfer-Encoding: base64',
      '',
      '!!!! not base64 at all ####',
      '--wrong-boundary',
      '',
    ].join('\r\n');
    const { sent, outcome } = await step({ envelope: { from: 'broken@example.com', to: [DESK_ADDRESS] }, raw });
    expect(sent.response).toMatch(/^250 /);
    expect(['opened', 'ignored']).toContain(outcome.kind);
    const { outcome: ok } = await step({ from: 'fine@example.com', to: DESK_ADDRESS, subject: 'fine', text: 'still here' });
    expect(ok.kind).toBe('opened');
  });

  it('ISO-8859-1 and Windows-1252 Spanish mail reads correctly', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(['From: =?ISO-8859-1?Q?Jos=E9_P=E9rez?= <jose@example.es>', `To: ${DESK_ADDRESS}`, 'Subject: =?ISO-8859-1?Q?Contrase=F1a_caducada?=', 'Message-ID: <latin1-1@example.es>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit', '', ''].join('\r\n'), 'latin1'),
      Buffer.from('No puedo cambiar la contraseña del año pasado. ¿Qué hago?\r\n', 'latin1'),
    ]);
    const { outcome } = await step({ envelope: { from: 'jose@example.es', to: [DESK_ADDRESS] }, raw: latin1 });
    expect(ticketOf(outcome).subject).toBe('Contraseña caducada');
    expect(ticketOf(outcome).description).toBe('No puedo cambiar la contraseña del año pasado. ¿Qué hago?');
    // Windows-1252: 0x93/0x94 are curly quotes, 0x80 is the euro sign (not in ISO-8859-1).
    const cp1252 = Buffer.concat([
      Buffer.from(['From: ana@example.es', `To: ${DESK_ADDRESS}`, 'Subject: Factura', 'Message-ID: <cp1252-1@example.es>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: 8bit', '', ''].join('\r\n'), 'latin1'),
      Buffer.from([...Buffer.from('La factura ', 'latin1'), 0x93, ...Buffer.from('mensual', 'latin1'), 0x94, ...Buffer.from(' cuesta 30 ', 'latin1'), 0x80, ...Buffer.from(' y está mal.\r\n', 'latin1')]),
    ]);
    const { outcome: o2 } = await step({ envelope: { from: 'ana@example.es', to: [DESK_ADDRESS] }, raw: cp1252 });
    expect(ticketOf(o2).description).toBe('La factura “mensual” cuesta 30 € y está mal.');
  });

  it('the same message delivered twice (client retry) is queued and processed once', async () => {
    const mail = { from: 'twice@example.com', to: DESK_ADDRESS, subject: 'Twice', text: 'sent twice', messageId: '<twice-1@example.com>' };
    const n = e.outcomes.length;
    await e.send(mail);
    await e.processed(n + 1);
    const again = await e.send(mail);
    expect(again.response).toMatch(/^250 /);
    await new Promise((r) => setTimeout(r, 500));
    expect(e.outcomes.length).toBe(n + 1);
    expect(await e.h.hd.store.list({ requester: { platform: 'email', workspace: 'example.com', user: 'twice@example.com' } })).toHaveLength(1);
  });
});
