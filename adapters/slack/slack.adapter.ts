import type { IncomingMessage, RequestListener } from 'node:http';
import { App, HTTPModuleFunctions, HTTPReceiver, LogLevel, SocketModeReceiver, defaultProcessEventErrorHandler, type Logger as BoltLogger, type ReceiverEvent } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import { WebClient, type RetryOptions } from '@slack/web-api';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { registerCommands } from './slack.commands.js';
import type { SlackInboundDeps } from './slack.context.js';
import { registerEvents } from './slack.events.js';
import { registerInteractions } from './slack.interactions.js';
import { PayloadRejections } from '../shared/payload-rejections.js';
import { PAYLOAD_KEY, SlackPayloadRejected, parseSlackBody } from './slack.payloads.js';
import { guardSlackHttp } from './slack.http-guard.js';
import { SlackPlatform } from './slack.platform.js';
import { SlackPeople } from './slack.people.js';
import type { InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { failReplay, replaySlack, slackIntakeReceiverApp } from './slack.intake.js';

type BoltApp = InstanceType<typeof App>;

/** Options of `createSlackAdapter`. Only `app/config` reads the environment; it passes these in. */
export interface SlackAdapterOptions {
  helpdesk: Helpdesk;
  /** @defaultValue `helpdesk.deps.directory` */
  directory?: Directory;
  /** Used to find the ticket behind a card or thread. @defaultValue `helpdesk.deps.store` */
  store?: Pick<TicketStore, 'findByLink' | 'get'>;
  /** Signs every HTTP request from Slack; bad or stale signatures get 401 before anything runs. */
  signingSecret: string;
  /** Bot token (`xoxb-…`). */
  botToken: string;
  /** App-level token (`xapp-…`, scope `connections:write`), required for Socket Mode. */
  appToken?: string;
  /** Receive over a WebSocket instead of HTTP (no public URL needed). @defaultValue false */
  socketMode?: boolean;
  /**
   * Socket Mode: how long to wait for a pong before dropping the connection. The client also waits
   * this long (× consecutive failures) before reconnecting after Slack's `disconnect`, so tests
   * lower it. @defaultValue 5000 (the SDK's)
   */
  socketPingTimeoutMs?: number;
  /** Web API base URL (`SLACK_API_URL`), ending in `/`. @defaultValue `https://slack.com/api/` */
  apiUrl?: string;
  /** HTTP paths of the receiver. @defaultValue `['/slack/events']` */
  endpoints?: string | string[];
  /** Skip the `auth.test` call at start by giving the bot's ids. */
  botUserId?: string;
  botId?: string;
  /**
   * Hold the HTTP response until listeners finish (tests; AWS Lambda). Production leaves it off:
   * Slack gets its 200 within milliseconds and the work continues after. @defaultValue false
   */
  processBeforeResponse?: boolean;
  /**
   * Retries of the Web API client. Outbound deliveries are retried by the delivery queue, so the
   * default does not retry (and rate limits are rejected at once with their Retry-After).
   * @defaultValue `{ retries: 0 }`
   */
  retryConfig?: RetryOptions;
  /** Request timeout of Web API calls. @defaultValue 10000 */
  timeoutMs?: number;
  log: Logger;
  /** Fallback locale for texts when the person's is unknown. @defaultValue the desk's */
  deskLocale?: string;
  /** `desk`: texts in the desk's locale; `slack`: the person's Slack locale via `users.info` (one extra call). @defaultValue 'desk' */
  userLocale?: 'desk' | 'slack';
  /** Channels where the file-ticket reaction works. @defaultValue the desks' Slack intake channels, or any channel when none is listed */
  watchedChannels?: readonly string[];
  /** Slash command. @defaultValue '/help' */
  command?: string;
  /** Own port for the HTTP receiver, when not mounted on the app's server (see `requestListener`). */
  port?: number;
  /**
   * Durable intake (production): each request is recorded here before it is acknowledged and its
   * listeners run later through `replay` in an intake worker. Without it (unit tests), listeners run
   * in the request, after their own `ack()`.
   */
  intake?: InboundIntake;
  /** Counts payloads refused at the boundary. @defaultValue a counter on a registry of its own */
  rejections?: PayloadRejections;
}

export interface SlackAdapter {
  /** Outbound side, for `composeHelpdesk`'s `platforms` map: `platforms.set('slack', adapter.platform)`. */
  platform: SlackPlatform;
  app: BoltApp;
  /**
   * HTTP mode: Bolt's HTTPReceiver handler, to mount on the main HTTP server for the `endpoints`
   * paths. It throws `HTTPReceiverDeferredRequestError` for other paths; `handles(req)` tells first.
   */
  requestListener?: RequestListener;
  handles(req: IncomingMessage): boolean;
  /** Processes a request the intake recorded (intake workers). Rejects when a listener failed. */
  replay(e: IntakeEnvelope, attempt: IntakeAttempt): Promise<void>;
  /** Payloads refused at the boundary (malformed bodies), counted by kind. */
  rejections: PayloadRejections;
  /** Socket Mode: connects. HTTP mode: listens on `port` if one was given; otherwise nothing to do. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Bolt's logger interface over ours (pino-like). */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const fmt = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(' ');
  return {
    debug: (...m: unknown[]) => log.debug({ bolt: true }, fmt(m)),
    info: (...m: unknown[]) => log.info({ bolt: true }, fmt(m)),
    warn: (...m: unknown[]) => log.warn({ bolt: true }, fmt(m)),
    error: (...m: unknown[]) => log.error({ bolt: true }, fmt(m)),
    setLevel: (l: typeof level) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  } as BoltLogger;
}

/**
 * Bolt's App with the payload gate in front of its dispatch: every body the receiver has verified
 * and parsed is validated (slack.payloads.ts) before Bolt routes it. A malformed body is counted,
 * logged and thrown as `SlackPayloadRejected`, which the receivers answer with 400 (HTTP) or an
 * empty acknowledgement (Socket Mode). A valid one reaches listeners as `context.helpdeskPayload`.
 */
class GatedApp extends App {
  gate?: (event: ReceiverEvent) => void;

  override async processEvent(event: ReceiverEvent): Promise<void> {
    this.gate?.(event);
    return super.processEvent(event);
  }
}

/** 400 for a rejected payload; Bolt's own handling for anything else. */
const httpRejection: NonNullable<ConstructorParameters<typeof HTTPReceiver>[0]['processEventErrorHandler']> = async (args) => {
  if (!(args.error instanceof SlackPayloadRejected)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  if (!args.response.headersSent) HTTPModuleFunctions.buildNoBodyResponse(args.response, 400);
  return true;
};
const socketRejection: NonNullable<ConstructorParameters<typeof SocketModeReceiver>[0]['processEventErrorHandler']> = async (args) =>
  args.error instanceof SlackPayloadRejected ? true : defaultProcessEventErrorHandler(args);

/**
 * Builds the Slack adapter: a Bolt App (HTTP receiver mounted on our server, or Socket Mode) whose
 * listeners verify → dedupe → map → `helpdesk.handle`, and the `ChatPlatform` core posts through.
 */
export function createSlackAdapter(o: SlackAdapterOptions): SlackAdapter {
  const log = o.log.child({ adapter: 'slack' });
  const logger = boltLogger(log);
  const apiUrl = o.apiUrl ?? 'https://slack.com/api/';
  const clientOptions = { slackApiUrl: apiUrl, retryConfig: o.retryConfig ?? { retries: 0 }, timeout: o.timeoutMs ?? 10_000, rejectRateLimitedCalls: true, logger };
  const client = new WebClient(o.botToken, clientOptions);
  const endpoints = o.endpoints ? (Array.isArray(o.endpoints) ? o.endpoints : [o.endpoints]) : ['/slack/events'];

  let httpReceiver: InstanceType<typeof HTTPReceiver> | undefined;
  let receiver;
  if (o.socketMode) {
    if (!o.appToken) throw new Error('Slack Socket Mode needs an app-level token (appToken)');
    // Its own receiver so `apps.connections.open` goes to the configured API base too.
    receiver = new SocketModeReceiver({
      appToken: o.appToken,
      logger,
      installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
      processEventErrorHandler: socketRejection,
      ...(o.socketPingTimeoutMs !== undefined ? { clientPingTimeout: o.socketPingTimeoutMs } : {}),
    });
  } else {
    httpReceiver = new HTTPReceiver({
      signingSecret: o.signingSecret,
      endpoints,
      logger,
      processBeforeResponse: o.processBeforeResponse ?? false,
      processEventErrorHandler: httpRejection,
      ...(o.port !== undefined ? { port: o.port } : {}),
    });
    receiver = httpReceiver;
  }
  const app = new GatedApp({
    token: o.botToken,
    receiver,
    logger,
    clientOptions,
    ...(o.botUserId && o.botId ? { botUserId: o.botUserId, botId: o.botId } : {}),
    // The conversation store is in-process state a second replica would not see; we keep none.
    convoStore: false,
    // The error handler sees the context: a replayed request's failure goes back to its job.
    extendedErrorHandler: true,
  });

  const rejections = o.rejections ?? new PayloadRejections();
  app.gate = (event) => {
    const r = parseSlackBody(event.body);
    if (!r.ok) {
      rejections.reject('slack', r.kind, r.error, log);
      throw new SlackPayloadRejected(r.kind);
    }
    event.customProperties = { ...event.customProperties, [PAYLOAD_KEY]: r.payload };
  };

  const deps = o.helpdesk.deps;
  const platform = new SlackPlatform({ client, deskLocale: o.deskLocale, store: o.store ?? deps.store, log });
  const inbound: SlackInboundDeps = {
    helpdesk: o.helpdesk,
    directory: o.directory ?? deps.directory,
    platform,
    client,
    people: new SlackPeople(client, log),
    log,
    deskLocale: o.deskLocale,
    userLocale: o.userLocale ?? 'desk',
    watchedChannels: o.watchedChannels,
    command: o.command ?? '/help',
  };
  registerCommands(app, inbound);
  registerInteractions(app, inbound);
  registerEvents(app, inbound);
  app.error((async ({ error, context }: ExtendedErrorHandlerArgs) => {
    if (failReplay(context, error)) return log.warn({ err: error }, 'slack listener failed; the intake retries the request');
    log.error({ err: error }, 'unhandled slack listener error');
  }) as never);
  // With an intake, the receiver hands requests to it (record, then ack) instead of to the App.
  if (o.intake) receiver.init(slackIntakeReceiverApp(app, inbound, o.intake) as BoltApp);

  let listening = false;
  return {
    platform,
    app,
    rejections,
    // Callers mount it for our endpoints only (`handles(req)`), as before.
    requestListener: httpReceiver ? guardSlackHttp(httpReceiver.requestListener, { signingSecret: o.signingSecret, rejections, log }) : undefined,
    replay: (e, attempt) => replaySlack(app, e, attempt),
    handles: (req) => !o.socketMode && req.method === 'POST' && endpoints.includes(new URL(req.url ?? '/', 'http://x').pathname),
    async start() {
      if (o.socketMode || o.port !== undefined) {
        await app.start();
        listening = true;
      }
    },
    async stop() {
      if (listening) await app.stop();
      listening = false;
    },
  };
}
