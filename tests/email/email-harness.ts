import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { SMTPServer } from 'smtp-server';
import { createEmailAdapter, type EmailAdapter } from '../../adapters/email/email.adapter.js';
import type { InboundOutcome } from '../../adapters/email/email.inbound.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { redisClient } from '../../jobs/connection.js';
import { harness, waitFor, type Harness } from '../jobs/harness.js';
import { KeywordKb, testDesk } from '../support/fixtures.js';
import { testRedisUrl } from '../support/services.js';

export const DESK_ADDRESS = 'it@help.test';
export const SECRET = 'email-test-signing-secret-0123456789abcdef';

/** A local SMTP server that keeps what it receives (the "outside world" our outbound mail reaches). */
export async function startSink() {
  const received: Array<{ mailFrom: string; rcptTo: string[]; raw: Buffer; parsed: ParsedMail }> = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, cb) {
      if (failures > 0) {
        failures -= 1;
        return cb(Object.assign(new Error('4.3.2 Service temporarily unavailable'), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          received.push({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
          cb();
        }, cb);
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address: string) => received.filter((m) => m.rcptTo.includes(address)),
    /** The next transaction is refused with a temporary error (451), as a mail server in trouble answers. */
    failNext: () => {
      failures += 1;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface EmailHarness {
  h: Harness;
  adapter: EmailAdapter;
  sink: Awaited<ReturnType<typeof startSink>>;
  port: number;
  outcomes: Array<{ outcome: InboundOutcome; jobId: string }>;
  /** Sends a message into our listener with a real SMTP client (nodemailer). */
  send(mail: Mail.Options): Promise<{ messageId: string; accepted: unknown[]; rejected: unknown[]; response: string }>;
  /** Waits until `n` messages have been processed by the inbound worker. */
  processed(n: number): Promise<InboundOutcome[]>;
  close(): Promise<void>;
}

export async function startEmailHarness(o: { desk?: Partial<Desk>; agents?: Agent[]; kb?: KeywordKb; maxBytes?: number; outbox?: boolean; autoRepliesPerHour?: number } = {}): Promise<EmailHarness> {
  const sink = await startSink();
  const desk = testDesk({ channels: { email: { address: DESK_ADDRESS } }, ...o.desk });
  const kb = o.kb ?? new KeywordKb([
    { id: 'vpn-reset', title: 'Reset your VPN profile', keyword: 'vpn' },
    { id: 'vpn-client', title: 'Reinstall the VPN client', keyword: 'vpn' },
  ]);
  const h = await harness(desk, o.agents ?? [], { kb });
  const redis = redisClient(testRedisUrl());
  const outcomes: EmailHarness['outcomes'] = [];
  const adapter = await createEmailAdapter({
    helpdesk: h.hd.helpdesk,
    store: h.hd.store,
    directory: h.hd.directory,
    delivery: h.hd.delivery,
    redis,
    prefix: h.prefix,
    log: silentLogger,
    signingSecret: SECRET,
    smtpUrl: o.outbox ? undefined : sink.url,
    outboxDir: mkdtempSync(path.join(tmpdir(), 'outbox-')),
    smtp: { host: '127.0.0.1', port: 0, maxBytes: o.maxBytes ?? 1024 * 1024 },
    autoRepliesPerHour: o.autoRepliesPerHour,
    onOutcome: (outcome, jobId) => outcomes.push({ outcome, jobId }),
  });
  h.hd.platforms.set('email', adapter.platform);
  const port = await adapter.listen();
  adapter.work();
  await h.start();
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false });
  return {
    h,
    adapter,
    sink,
    port,
    outcomes,
    send: (mail) => client.sendMail(mail) as never,
    async processed(n) {
      await waitFor(() => outcomes.length >= n, 15_000, `${n} processed messages (have ${outcomes.length})`);
      return outcomes.map((x) => x.outcome);
    },
    async close() {
      client.close();
      await adapter.stop();
      await h.close();
      await redis.quit();
      await sink.close();
    },
  };
}

export { waitFor };
