import path from 'node:path';
import type pino from 'pino';
import { createEmailAdapter } from '../adapters/email/email.adapter.js';
import type { JobsConnection } from '../jobs/index.js';
import { keyPrefix, quitQuietly, redisClient, throttledErrorLog } from '../jobs/connection.js';
import type { Composed } from './compose.js';
import type { EmailSettings } from './config/env.js';
import { asCoreLogger } from './logger.js';
import type { Ticket } from '../core/domain/ticket.js';

export interface StartEmailOptions {
  settings: EmailSettings;
  composed: Composed;
  connection: JobsConnection;
  prefix: string;
  dataDir: string;
  log: pino.Logger;
  /** Run the SMTP listener (roles all and web). */
  listen: boolean;
  /** Run the inbound worker (roles all and worker). */
  work: boolean;
  /** One-click CSAT link for a ticket and score (served by the web channel's /rate). */
  rateUrl?: (ticket: Ticket, score: number) => string | undefined;
  /** Received messages processed at once by this process's inbound worker. @defaultValue 5 */
  concurrency?: number;
}

/**
 * The email channel: outbound mail registered with core on every role (the delivery worker sends it),
 * the SMTP listener on `web`, the inbound worker on `worker`. Desks without `channels.email.address`
 * receive no mail; with none at all the listener is not started.
 */
export async function startEmail(o: StartEmailOptions): Promise<{ port?: number; outboxDir?: string; stop(): Promise<void> }> {
  const log = asCoreLogger(o.log.child({ platform: 'email' }));
  const redis = redisClient(o.connection, throttledErrorLog(log, 'email'));
  const email = await createEmailAdapter({
    helpdesk: o.composed.helpdesk,
    store: o.composed.store,
    directory: o.composed.directory,
    delivery: o.composed.delivery,
    redis,
    prefix: keyPrefix(o.connection, o.prefix),
    log,
    signingSecret: o.settings.signingSecret,
    state: o.composed.adapterState,
    smtpUrl: o.settings.smtpUrl,
    outboxDir: path.join(o.dataDir, 'outbox'),
    smtp: { host: o.settings.listenHost, port: o.settings.listenPort, maxBytes: o.settings.maxBytes },
    imapUrl: o.settings.imapUrl,
    attachments: o.composed.deps.attachments,
    attachmentLimits: o.settings.attachmentLimits,
    rateUrl: o.rateUrl,
  });
  o.composed.platforms.set('email', email.platform);
  let port: number | undefined;
  try {
    if (o.listen && email.addresses.size > 0) port = await email.listen();
    else if (o.listen) log.info({}, 'no desk has channels.email.address: SMTP listener not started');
    if (o.work) email.work(o.concurrency);
    if (o.work && o.settings.imapUrl) await email.readImap();
  } catch (e) {
    await email.stop().catch(() => {});
    await quitQuietly(redis);
    throw e;
  }
  return {
    port,
    outboxDir: email.transport.kind === 'outbox' ? path.join(o.dataDir, 'outbox') : undefined,
    async stop() {
      await email.stop();
      await quitQuietly(redis);
    },
  };
}
