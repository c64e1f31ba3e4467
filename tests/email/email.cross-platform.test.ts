import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter, type EmailAdapter } from '../../adapters/email/email.adapter.js';
import type { InboundOutcome } from '../../adapters/email/email.inbound.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { redisClient, type RedisClient } from '../../jobs/connection.js';
import { ALICE, startSlackHarness, TIER1, type SlackHarness } from '../slack/slack-harness.js';
import { randomId, testRedisUrl } from '../support/services.js';
import { DESK_ADDRESS, SECRET, startSink, waitFor } from './email-harness.js';

/**
 * A desk served from Slack, a requester writing by email: the real Bolt app against the Slack Web API
 * fake, the real SMTP listener fed by nodemailer, outbound mail to a local SMTP sink.
 */
describe('email requester, Slack agents', () => {
  let h: SlackHarness;
  let email: EmailAdapter;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let redis: RedisClient;
  let port: number;
  const outcomes: InboundOutcome[] = [];
  beforeAll(async () => {
    sink = await startSink();
    h = await startSlackHarness({ desk: { channels: { email: { address: DESK_ADDRESS } } } });
    redis = redisClient(testRedisUrl());
    email = await createEmailAdapter({
      helpdesk: h.composed.helpdesk,
      store: h.composed.store,
      directory: h.composed.directory,
      delivery: h.composed.delivery,
      redis,
      prefix: `x${randomId()}`,
      log: silentLogger,
      signingSecret: SECRET,
      smtpUrl: sink.url,
      outboxDir: mkdtempSync(path.join(tmpdir(), 'outbox-')),
      smtp: { host: '127.0.0.1', port: 0, maxBytes: 1024 * 1024 },
      onOutcome: (o) => outcomes.push(o),
    });
    h.composed.platforms.set('email', email.platform);
    port = await email.listen();
    email.work();
  }, 60_000);
  afterAll(async () => {
    await email?.stop();
    await redis?.quit();
    await h?.stop();
    await sink?.close();
  });

  it("a Slack agent's thread reply reaches the requester by mail, threaded; the requester's answer reaches the Slack thread", async () => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const first = await client.sendMail({ from: 'Rosa <rosa@customer.test>', to: DESK_ADDRESS, subject: 'The zorbl frobnicator emits purple smoke', text: 'Since this morning.' });
    await waitFor(() => outcomes.length >= 1);
    expect(outcomes[0]!.kind).toBe('opened');
    const card = await h.fake.waitFor(() => h.fake.callsOf('chat.postMessage').find((c) => c.args.channel === TIER1), 10_000);
    expect(JSON.stringify(card.args)).toContain('zorbl');
    const cardTs = h.fake.messages.get(TIER1)![0]!.ts;

    await h.event({ type: 'message', channel: TIER1, channel_type: 'channel', user: ALICE.user, text: 'Please unplug it for <b>ten</b> seconds', ts: h.next(), thread_ts: cardTs });
    const reply = await waitFor(() => sink.to('rosa@customer.test').find((m) => (m.parsed.text ?? '').includes('unplug it')), 10_000, 'the relayed reply');
    expect(reply.parsed.inReplyTo).toBe(first.messageId);
    expect(reply.parsed.references).toContain(first.messageId);
    expect(reply.parsed.subject).toMatch(/^Re: \[IT-\d+\] The zorbl frobnicator emits purple smoke$/);
    expect(reply.parsed.text).toContain('Alice');
    expect(reply.parsed.html).toContain('&lt;b&gt;ten&lt;/b&gt;'); // agent text is escaped, never markup
    expect(reply.parsed.headers.get('auto-submitted')).toBeUndefined(); // a person's words, not an automatic reply
    expect(reply.parsed.messageId).toMatch(/@help\.test>?$/);

    // The requester answers from their mail client: quoted text stripped, posted in the card's thread.
    await client.sendMail({
      from: 'rosa@customer.test',
      to: reply.parsed.replyTo!.value[0]!.address!,
      subject: `Re: ${reply.parsed.subject}`,
      inReplyTo: reply.parsed.messageId,
      references: [first.messageId, reply.parsed.messageId!],
      text: 'Done, the smoke is gone.\n\nOn Tue, Alice <it@help.test> wrote:\n> Please unplug it',
    });
    const inThread = await h.fake.waitFor(() => h.fake.callsOf('chat.postMessage').find((c) => c.args.channel === TIER1 && c.args.thread_ts === cardTs && JSON.stringify(c.args).includes('smoke is gone')), 10_000);
    expect(JSON.stringify(inThread.args)).not.toContain('Please unplug it');
    client.close();
  });
});
