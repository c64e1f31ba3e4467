import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, type Activity, type ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Logger } from '../../core/ports/logger.port.js';
import { authFailureReason } from './teams.auth.js';

/**
 * CloudAdapter with authentication and the turn as two steps, so each failure gets its own answer:
 * `CloudAdapter.process` answers any non-`AuthenticationError` thrown while validating a token (a JWKS
 * that cannot be fetched, a tampered signature, a future `nbf`) with 500 and the SDK's message in the
 * body. Here every failure to authenticate is 401 with nothing internal in the body, and logged; a
 * failure inside the turn is 500 with a reference id that is also in the log.
 */
export class HelpdeskCloudAdapter extends CloudAdapter {
  constructor(private readonly auth: ConfigurationBotFrameworkAuthentication) {
    super(auth);
  }

  async serve(req: IncomingMessage, res: ServerResponse, body: unknown, logic: (ctx: TurnContext) => Promise<void>, log: Logger): Promise<void> {
    const activity = body as Partial<Activity> | undefined;
    if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') return plain(res, 400, 'missing activity type');
    const authenticated = await this.authenticate(req, res, activity as Activity, log);
    if (authenticated) await this.turn(res, authenticated, activity as Activity, logic, log);
  }

  /**
   * Verifies the request's Bot Framework JWT (when auth is configured). Refused: 401 is written,
   * logged, and undefined returned — nothing else may happen with the request.
   */
  async authenticate(req: IncomingMessage, res: ServerResponse, activity: Activity, log: Logger): Promise<Authenticated | undefined> {
    const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    try {
      return await this.auth.authenticateRequest(activity, header);
    } catch (err) {
      log.warn({ reason: authFailureReason(err), activityType: activity.type, channelId: activity.channelId }, 'teams: request refused: authentication failed');
      plain(res, 401, 'Unauthorized');
      return undefined;
    }
  }

  /** Runs the turn of an authenticated activity and writes its HTTP answer (200, an invoke's response, or 500 with a reference). */
  async turn(res: ServerResponse, authenticated: Authenticated, activity: Activity, logic: (ctx: TurnContext) => Promise<void>, log: Logger): Promise<void> {
    let invoke: { status: number; body?: unknown } | undefined;
    try {
      invoke = await this.processActivity(authenticated, activity, logic);
    } catch (err) {
      const reference = randomBytes(4).toString('hex');
      log.error({ err, reference, activityType: activity.type }, 'teams: turn failed');
      return plain(res, 500, `internal error (reference ${reference})`);
    }
    const status = invoke?.status ?? 200;
    if (invoke?.body === undefined) {
      res.writeHead(status).end();
    } else {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(invoke.body));
    }
  }

  /**
   * Runs a recorded activity's turn later (intake worker), long after its inbound token expired: the
   * turn gets the bot's own identity and connector, as a proactive `continueConversationAsync` does,
   * so replies go to the activity's stored serviceUrl and conversation. Turn errors reject.
   */
  async replay(botAppId: string, activity: Activity, callerId: string | undefined, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const claimsIdentity = this.createClaimsIdentity(botAppId);
    const connectorFactory = this.auth.createConnectorFactory(claimsIdentity);
    await this.processActivity({ claimsIdentity, connectorFactory, audience: undefined as unknown as string, callerId: callerId as string }, activity, logic);
  }
}

type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

export type BodyRead = { ok: true; text: string } | { ok: false; drained: boolean };

/**
 * Reads a request body of at most `max` bytes. A larger one is read on and discarded (up to
 * `drainMax` more bytes) so the 413 can be written on a healthy connection: destroying the socket
 * first made clients see a connection reset instead of the answer.
 */
export function readBody(req: IncomingMessage, max: number, drainMax = 4 * 1024 * 1024): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (c: Buffer) => {
      size += c.length;
      if (!over && size > max) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(c);
      else if (size > max + drainMax) {
        // Too much to drain: answer now; the connection is closed after the answer.
        req.off('data', onData);
        req.pause();
        resolve({ ok: false, drained: false });
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(over ? { ok: false, drained: true } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

/** 413 after {@link readBody} refused a body; closes the connection when the rest was not drained. */
export function tooLarge(req: IncomingMessage, res: ServerResponse, read: { drained: boolean }): void {
  plain(res, 413, 'request body too large', read.drained ? {} : { Connection: 'close' });
  if (!read.drained) res.once('finish', () => req.socket.destroySoon());
}
