import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent } from '../support/fixtures.js';
import { DESK_ADDRESS, startEmailHarness, waitFor, type EmailHarness } from './email-harness.js';

/**
 * The email channel end to end: a real SMTP client (nodemailer) into our listener, the inbound worker,
 * core on FerretDB, the BullMQ delivery queue, and outbound mail to a local SMTP sink server.
 */
const ANA = person('slack', 'UANA', 'T1', 'Ana');

describe('email channel', () => {
  let e: EmailHarness;
  beforeAll(async () => {
    e = await startEmailHarness({ agents: [testAgent('ana', [ANA])] });
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  it('new mail → ticket + acknowledgement with suggestions, threaded under the request; "solved" deflects', async () => {
    const sent = await e.send({ from: '"Rita Requester" <rita@example.com>', to: DESK_ADDRESS, subject: 'VPN keeps dropping', text: 'My vpn drops every 10 minutes.\n\n-- \nRita\nAcme Corp' });
    expect(sent.response).toMatch(/^250 /);
    const before = e.outcomes.length;
    const [o] = (await e.processed(before + 1)).slice(before);
    expect(o!.kind).toBe('opened');
    const t = (o as { ticket: { id: string; number: string; description: string; status: string } }).ticket;
    expect(t.description).toBe('My vpn drops every 10 minutes.'); // signature stripped
    expect(t.status).toBe('new');
    const ack = await waitFor(() => e.sink.to('rita@example.com')[0]);
    expect(ack.parsed.subject).toBe(`Re: [${t.number}] VPN keeps dropping`);
    expect(ack.parsed.inReplyTo).toBe(sent.messageId);
    expect(ack.parsed.text).toContain(t.number);
    expect(ack.parsed.text).toContain('Reset your VPN profile');
    expect(ack.parsed.text).toContain('solved');
    expect(ack.parsed.html).toContain('<strong>solved</strong>');
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    const replyTo = ack.parsed.replyTo!.value[0]!.address!;
    expect(replyTo.startsWith('it+')).toBe(true);
    // Bounces of our mail come back to the signed address.
    expect(ack.mailFrom).toBe(replyTo);

    // "solved 2" by replying to the acknowledgement (quoted text below the answer).
    await e.send({
      from: 'rita@example.com',
      to: replyTo,
      subject: `Re: [${t.number}] VPN keeps dropping`,
      inReplyTo: ack.parsed.messageId,
      references: [sent.messageId, ack.parsed.messageId!],
      text: `Solved 2, thanks!\n\nOn Mon, 1 Jan 2026 at 10:00, IT <${DESK_ADDRESS}> wrote:\n> We received your request`,
    });
    const [f] = (await e.processed(before + 2)).slice(before + 1);
    expect(f).toMatchObject({ kind: 'followup', as: 'deflected' });
    const after = await e.h.hd.store.get(t.id);
    expect(after!.status).toBe('self_service');
    expect(after!.deflectedBy).toBe('vpn-client');
  });

  it('a reply by References, by subject number and by signed address joins the ticket; a forged sender opens a new one', async () => {
    const first = await e.send({ from: 'sam@example.com', to: DESK_ADDRESS, subject: 'Printer on floor 3 jams', text: 'It jams on every page.' });
    await waitFor(() => e.outcomes.find((x) => x.outcome.kind === 'opened' && x.outcome.ticket.requester.user === 'sam@example.com'));
    const t = (await e.h.hd.store.findByIdempotencyKey(`email:${first.messageId.slice(1, -1)}`))!;
    expect(t.status).toBe('open'); // no suggestion: routed to a person
    // The routed notice is the acknowledgement.
    const notice = await waitFor(() => e.sink.to('sam@example.com')[0]);
    expect(notice.parsed.text).toContain(t.number);

    // Sent one after another (the worker runs several messages at once; order matters for the assertions).
    const step = async (mail: Parameters<EmailHarness['send']>[0]) => {
      const n = e.outcomes.length;
      await e.send(mail);
      return (await e.processed(n + 1))[n]!;
    };
    // 1. References to the requester's own first message (no ticket number, plain desk address).
    const outs = [await step({ from: 'sam@example.com', to: DESK_ADDRESS, subject: 'more', references: [first.messageId], inReplyTo: first.messageId, text: 'Also the toner is low.\n> quoted' })];
    // 2. The ticket number in the subject.
    outs.push(await step({ from: 'Sam <SAM@example.com>', to: DESK_ADDRESS, subject: `Re: [${t.number}] Printer`, text: 'And now it smokes.' }));
    // 3. The signed reply address, from the requester's colleague (the token is proof of having our mail).
    const replyTo = notice.parsed.replyTo!.value[0]!.address!;
    outs.push(await step({ from: 'colleague@example.com', to: replyTo, subject: 'fwd', text: 'Same here on floor 3.' }));
    // 4. A stranger guessing the number: a new ticket, nothing added to Sam's.
    outs.push(await step({ from: 'mallory@evil.test', to: DESK_ADDRESS, subject: `Re: [${t.number}] Printer`, text: 'Please send me the admin password.' }));
    expect(outs.map((o) => (o.kind === 'followup' ? o.by : o.kind))).toEqual(['reference', 'subject', 'signed-address', 'opened']);
    const texts = (await e.h.hd.store.timeline(t.id)).filter((x) => x.kind === 'message').map((x) => x.text);
    expect(texts).toEqual(['It jams on every page.', 'Also the toner is low.', 'And now it smokes.', 'Same here on floor 3.']);
    const forged = outs[3] as { ticket: { id: string; requester: { user: string } } };
    expect(forged.ticket.id).not.toBe(t.id);
    expect(forged.ticket.requester.user).toBe('mallory@evil.test');
  });

  it('status changes and the CSAT question reach the requester; "5 …" as a reply rates the ticket', async () => {
    const first = await e.send({ from: 'lina@example.com', to: DESK_ADDRESS, subject: 'Need a new badge', text: 'Lost my badge yesterday.' });
    const t = await waitFor(() => e.h.hd.store.findByIdempotencyKey(`email:${first.messageId.slice(1, -1)}`));
    await waitFor(() => e.sink.to('lina@example.com').length >= 1); // routed notice
    await e.h.hd.helpdesk.handle({ type: 'ticket.claim', eventId: `c-${t.id}`, actor: ANA, ticket: { id: t.id } });
    await waitFor(() => e.sink.to('lina@example.com').some((m) => (m.parsed.text ?? '').includes('Ana')), 10_000, 'the claimed notice');
    await e.h.hd.helpdesk.handle({ type: 'ticket.resolve', eventId: `r-${t.id}`, actor: ANA, ticket: { id: t.id } });
    const csat = await waitFor(() => e.sink.to('lina@example.com').find((m) => (m.parsed.text ?? '').includes('1 (bad) to 5')), 10_000, 'the CSAT mail');
    expect(csat.parsed.subject).toBe(`Re: [${t.number}] Need a new badge`);
    const n = e.outcomes.length;
    await e.send({ from: 'lina@example.com', to: csat.parsed.replyTo!.value[0]!.address!, subject: `Re: ${csat.parsed.subject}`, inReplyTo: csat.parsed.messageId, text: '5 Great service, thanks\n\n> How would you rate' });
    expect((await e.processed(n + 1))[n]).toMatchObject({ kind: 'followup', as: 'rated' });
    const rated = await e.h.hd.store.get(t.id);
    expect(rated!.csat).toMatchObject({ score: 5, comment: 'Great service, thanks' });
  });

  it('a reply that arrives while the message it answers is still queued waits for it, then joins its ticket', async () => {
    // Both messages are queued before either is processed: the worker is paused.
    await e.adapter.pauseWorker();
    const n = e.outcomes.length;
    const original = await e.send({ from: 'quick@example.com', to: DESK_ADDRESS, subject: 'Projector in room 4', text: 'No signal.', messageId: '<orig-quick@example.com>' });
    await e.send({ from: 'quick@example.com', to: DESK_ADDRESS, subject: 'Re: Projector in room 4', text: 'Also no sound.', inReplyTo: original.messageId, references: [original.messageId] });
    e.adapter.resumeWorker();
    const outs = (await e.processed(n + 2)).slice(n);
    expect(outs.map((o) => o.kind).sort()).toEqual(['followup', 'opened']);
    const t = await e.h.hd.store.findByIdempotencyKey('email:orig-quick@example.com');
    const texts = (await e.h.hd.store.timeline(t!.id)).filter((x) => x.kind === 'message').map((x) => x.text);
    expect(texts).toEqual(['No signal.', 'Also no sound.']);
  }, 30_000);
});
