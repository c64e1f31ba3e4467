import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailKey } from '../../adapters/email/email.threading.js';
import { DESK_ADDRESS, startEmailHarness, waitFor, type EmailHarness } from './email-harness.js';

/**
 * Mail processed again while the event's claim in core is still held by an earlier attempt — what a
 * worker SIGKILLed mid-way leaves behind until its 30 s lease ends (the queue takes the stalled job
 * up again after its own lock). The job must be thrown back and retried after the lease, not
 * completed as a duplicate: a new request would never become a ticket (nor get its acknowledgement),
 * a follow-up would never be recorded. The lease's end is played by releasing the claim.
 */
describe('email: a message whose claim a killed attempt still holds', () => {
  let e: EmailHarness;
  beforeAll(async () => {
    e = await startEmailHarness();
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  const idem = () => e.h.hd.helpdesk.deps.idempotency;
  const jobIdOf = (response: string) => response.slice(response.lastIndexOf(' ') + 1);
  const attempts = async (jobId: string) => (await e.adapter.queue.getJob(jobId))?.attemptsMade ?? 0;

  async function hold(key: string) {
    const held = await idem().begin(key);
    expect(held.outcome).toBe('run');
    return () => (held.outcome === 'run' ? idem().release(key, held.token) : Promise.resolve());
  }

  it('a new request: thrown back while held, then one ticket and its acknowledgement', async () => {
    const mid = 'held-new-1@example.com';
    const release = await hold(mailKey(mid));
    const n = e.outcomes.length;
    const sent = await e.send({ from: 'hana@example.com', to: DESK_ADDRESS, subject: 'VPN asks for a token', text: 'my vpn wants a token it never sent', messageId: `<${mid}>` });
    const jobId = jobIdOf(sent.response);
    await waitFor(async () => (await attempts(jobId)) >= 1, 15_000, 'first attempt');
    expect(e.outcomes.length).toBe(n); // thrown back: no outcome, the job waits for its retry
    expect(await e.h.hd.store.findByIdempotencyKey(mailKey(mid))).toBeNull();

    await release();
    const [o] = (await e.processed(n + 1)).slice(n);
    expect(o).toMatchObject({ kind: 'opened', created: true });
    const t = (o as { ticket: { number: string } }).ticket;
    const ack = await waitFor(() => e.sink.to('hana@example.com').find((m) => m.parsed.subject?.includes(t.number)), 15_000, 'acknowledgement');
    expect(ack.parsed.inReplyTo).toBe(`<${mid}>`);
    expect(await e.h.hd.store.list({ requester: { platform: 'email', workspace: 'example.com', user: 'hana@example.com' } })).toHaveLength(1);
  });

  it('a follow-up: thrown back while held, then recorded on the ticket once', async () => {
    const first = await e.send({ from: 'omar@example.com', to: DESK_ADDRESS, subject: 'Scanner qzx offline', text: 'the scanner qzx on floor 2 is offline', messageId: '<held-first-2@example.com>' });
    await waitFor(() => e.outcomes.find((x) => x.outcome.kind === 'opened' && x.outcome.ticket.requester.user === 'omar@example.com'), 15_000, 'first mail');
    const n = e.outcomes.length;
    const mid = 'held-reply-2@example.com';
    const release = await hold(mailKey(mid));
    const reply = await e.send({ from: 'omar@example.com', to: DESK_ADDRESS, subject: 'Re: Scanner qzx offline', text: 'it is back after a restart', inReplyTo: first.messageId, references: [first.messageId], messageId: `<${mid}>` });
    const jobId = jobIdOf(reply.response);
    await waitFor(async () => (await attempts(jobId)) >= 1, 15_000, 'first attempt');
    expect(e.outcomes.length).toBe(n);

    await release();
    const [o] = (await e.processed(n + 1)).slice(n);
    expect(o).toMatchObject({ kind: 'followup', as: 'message' });
    const t = (o as { ticket: { id: string } }).ticket;
    expect((await e.h.hd.store.timeline(t.id)).filter((x) => x.text === 'it is back after a restart')).toHaveLength(1);
  });
});
