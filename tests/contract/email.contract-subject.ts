import { MailTokens } from '../../adapters/email/email.tokens.js';
import { EmailPlatform } from '../../adapters/email/email.platform.js';
import { EmailStats } from '../../adapters/email/email.stats.js';
import { smtpTransport } from '../../adapters/email/email.transport.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { MongoDirectory } from '../../core/store/mongo-directory.js';
import { MongoTicketStore } from '../../core/store/mongo-ticket-store.js';
import { startSink } from '../email/email-harness.js';
import { person, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';
import type { ChatPlatformSubject } from './chat-platform.contract.js';

/**
 * Email as a ChatPlatform subject: the real EmailPlatform sending through nodemailer (SMTP) to a local
 * smtp-server sink; ticket store and directory on FerretDB. "Shown" is the text part of the mail the
 * sink received with the posted Message-ID; an outage is the server answering 451 (retryable).
 */
export async function emailSubject(): Promise<ChatPlatformSubject & { stop(): Promise<void> }> {
  const sink = await startSink();
  const db = await freshDb();
  const store = new MongoTicketStore(db.connection);
  await store.init();
  const directory = new MongoDirectory(db.connection, [testDesk({ channels: { email: { address: 'it@contract.test' } } })]);
  const transport = smtpTransport(sink.url);
  const platform = new EmailPlatform({
    store,
    directory,
    tokens: new MailTokens('contract-test-signing-secret-0123456789abcdef'),
    transport,
    // No automatic-mail limit in the contract (the per-address limit has its own tests).
    limiter: async () => true,
    log: silentLogger,
    stats: new EmailStats(),
  });
  const to = `vera-${randomId()}@example.com`;
  return {
    platform,
    channel: { workspace: 'example.com', channel: to },
    person: person('email', to, 'example.com', 'Vera'),
    messageMax: 100_000,
    async shown(posted) {
      const m = sink.received.find((r) => r.parsed.messageId === `<${posted.message}>`);
      return m?.parsed.text ?? '';
    },
    breakNext: () => sink.failNext(),
    async stop() {
      transport.close();
      await sink.close();
      await db.drop();
    },
  };
}
