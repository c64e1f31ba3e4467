import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter, type EmailAdapter } from '../../adapters/email/email.adapter.js';
import type { InboundOutcome } from '../../adapters/email/email.inbound.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { redisClient, type RedisClient } from '../../jobs/connection.js';
import { harness, waitFor, type Harness } from '../jobs/harness.js';
import { hasDovecot, startDovecot } from '../support/dovecot.js';
import { KeywordKb, testDesk } from '../support/fixtures.js';
import { testRedisUrl } from '../support/services.js';
import { DESK_ADDRESS, SECRET, startSink } from './email-harness.js';

const mail = (n: number) => `From: reader${n}@example.com\r\nTo: ${DESK_ADDRESS}\r\nSubject: IMAP request ${n}\r\nMessage-ID: <imap-${n}@example.com>\r\n\r\nThe scanner ${n} is offline.\r\n`;

/** IMAP intake against a real Dovecot (Debian's dovecot-imapd, installed by .ci/run when missing). */
// Skipped only where Dovecot is not installed (a developer machine); .ci/run installs it, so CI always runs it.
describe.skipIf(!hasDovecot())('email: IMAP inbox', () => {
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let h: Harness;
  let redis: RedisClient;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let client: ImapFlow;
  const outcomes: InboundOutcome[] = [];
  const adapter = () =>
    createEmailAdapter({
      helpdesk: h.hd.helpdesk, store: h.hd.store, directory: h.hd.directory, delivery: h.hd.delivery, redis, prefix: h.prefix, log: silentLogger,
      signingSecret: SECRET, smtpUrl: sink.url, outboxDir: mkdtempSync(path.join(tmpdir(), 'outbox-')), smtp: { host: '127.0.0.1', port: 0, maxBytes: 1024 * 1024 },
      state: h.hd.adapterState, imapUrl: dovecot.url, imapPollMs: 500, onOutcome: (o) => outcomes.push(o),
    });
  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSink();
    h = await harness(testDesk({ channels: { email: { address: DESK_ADDRESS } } }), [], { kb: new KeywordKb([]) });
    redis = redisClient(testRedisUrl());
    await h.start(); // the delivery worker
    client = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.logout().catch(() => {});
    await h?.close();
    await redis?.quit();
    await sink?.close();
    await dovecot?.stop();
  });

  it('each message is processed once, across a restart; messages are flagged after they are stored', async () => {
    await client.append('INBOX', mail(1));
    await client.append('INBOX', mail(2));
    let email: EmailAdapter = await adapter();
    h.hd.platforms.set('email', email.platform);
    email.work();
    await email.readImap();
    await waitFor(() => outcomes.length >= 2, 15_000, 'two IMAP messages processed');
    expect(outcomes.map((o) => o.kind)).toEqual(['opened', 'opened']);
    // New mail while running arrives through IDLE/poll.
    await client.append('INBOX', mail(3));
    await waitFor(() => outcomes.length >= 3, 15_000, 'the third message');
    await email.stop();

    // Restart: a new reader with the same MongoDB state sees only what is new.
    await client.append('INBOX', mail(4));
    email = await adapter();
    h.hd.platforms.set('email', email.platform);
    email.work();
    await email.readImap();
    await waitFor(() => outcomes.length >= 4, 15_000, 'the fourth message');
    await new Promise((r) => setTimeout(r, 1500)); // a few polls: nothing else may come
    await email.stop();
    expect(outcomes).toHaveLength(4);
    const tickets = await h.hd.store.list({ deskId: 'it', limit: 50 });
    expect(tickets.map((t) => t.subject).sort()).toEqual(['IMAP request 1', 'IMAP request 2', 'IMAP request 3', 'IMAP request 4']);
    const lock = await client.getMailboxLock('INBOX');
    try {
      const flags: string[][] = [];
      for await (const m of client.fetch('1:*', { uid: true, flags: true })) flags.push([...(m.flags ?? [])]);
      expect(flags).toHaveLength(4);
      for (const f of flags) expect(f).toEqual(expect.arrayContaining(['\\Seen', '$HelpdeskQueued']));
    } finally {
      lock.release();
    }
    // The acknowledgement (routed notice) reached the IMAP sender by SMTP.
    await waitFor(() => sink.to('reader1@example.com').length > 0, 10_000, 'the notice to reader1');
  }, 90_000);
});
