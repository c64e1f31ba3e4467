import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { createTeamsAuth, type TeamsIdentitySettings } from './teams.auth.js';
import { TeamsHelpdeskBot } from './teams.bot.js';
import { HelpdeskCloudAdapter, plain, readBody, tooLarge } from './teams.http.js';
import { MemoryTeamsInstallStore, type TeamsInstallStore } from './teams.installs.js';
import { TeamsPlatform } from './teams.platform.js';
import { PayloadRejections } from '../shared/payload-rejections.js';
import { parseTeamsActivity } from './teams.payloads.js';
import type { InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { INVOKE_SAFETY_DELAY_MS, isDeferred, markReplay, teamsEnvelope, teamsRequestId } from './teams.intake-queue.js';
import type { Activity } from 'botbuilder';

export interface TeamsAdapterOptions {
  helpdesk: Helpdesk;
  directory: Directory;
  store: TicketStore;
  /** Microsoft App ID of the bot registration. Without it, authentication is off (local runs, tests). */
  appId?: string;
  /** Client secret of the app registration. */
  appPassword?: string;
  /** Tenant of a single-tenant app registration (sets `MicrosoftAppType: SingleTenant`). */
  tenantId?: string;
  /** Identity endpoints for other clouds (government, private) or a local identity fake. @defaultValue the public cloud */
  identity?: TeamsIdentitySettings;
  /**
   * Service URL for proactive posts to tenants the bot has not heard from since start.
   * @defaultValue `https://smba.trafficmanager.net/teams/`
   */
  serviceUrl?: string;
  /**
   * Where installs (team, service URL) are remembered. Deployments pass `SharedTeamsInstallStore`
   * over shared state (app/platforms.ts does), so every replica sees every install.
   * @defaultValue process memory (`MemoryTeamsInstallStore`: one process only — tests, embedding)
   */
  installs?: TeamsInstallStore;
  /** Reactions on a triage card that claim it. @defaultValue `['like', '👀', 'eyes']` */
  claimReactions?: readonly string[];
  /** Largest request body accepted. @defaultValue 256 KiB */
  maxBodyBytes?: number;
  /** Counts activities refused at the boundary. @defaultValue a counter on a registry of its own */
  rejections?: PayloadRejections;
  /**
   * Durable intake (docs/storm.md): activities are recorded here before Teams gets its answer and
   * processed by an intake worker (`replay`). @defaultValue none: every turn runs in its request
   */
  intake?: InboundIntake;
  log: Logger;
}

export interface TeamsAdapter {
  /** Register into composeHelpdesk's platforms map under `teams`. */
  platform: TeamsPlatform;
  /** Node HTTP handler for `POST /api/messages`. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  adapter: CloudAdapter;
  bot: TeamsHelpdeskBot;
  installs: TeamsInstallStore;
  /** The id used for proactive calls (the app id, or a placeholder when auth is off). */
  botAppId: string;
  /** Activities refused at the boundary (malformed), counted by kind. */
  rejections: PayloadRejections;
  /** Runs a recorded activity's turn (intake worker). Rejects when it should be tried again. */
  replay(e: IntakeEnvelope, attempt: IntakeAttempt): Promise<void>;
}

/**
 * Removes the connector client's own retry policy: throttling (429) and gateway errors must reach
 * the delivery queue, which retries with backoff and per-platform limits. Two retry layers would
 * multiply waits and hide failures. Wraps the two places CloudAdapter gets connector factories from.
 */
function withoutConnectorRetries(auth: ConfigurationBotFrameworkAuthentication): ConfigurationBotFrameworkAuthentication {
  const authenticate = auth.authenticateRequest.bind(auth);
  const createFactory = auth.createConnectorFactory.bind(auth);
  auth.authenticateRequest = async (activity, header) => {
    const r = await authenticate(activity, header);
    return { ...r, connectorFactory: r.connectorFactory && noRetry(r.connectorFactory) };
  };
  auth.createConnectorFactory = (claims) => noRetry(createFactory(claims));
  return auth;
}

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;

function noRetry(factory: ConnectorFactory): ConnectorFactory {
  return {
    create: async (serviceUrl: string, audience?: string) => {
      const client = await factory.create(serviceUrl, audience);
      // ConnectorClient → @azure/core-client ServiceClient → pipeline with `defaultRetryPolicy`.
      (client as unknown as { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } }).client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
      return client;
    },
  } as ConnectorFactory;
}

const PLACEHOLDER_APP_ID = 'helpdesk-local-bot';

/** Builds the Teams adapter: the CloudAdapter, the bot's turn logic and the outbound ChatPlatform. */
export function createTeamsAdapter(o: TeamsAdapterOptions): TeamsAdapter {
  const authOn = Boolean(o.appId);
  const auth = withoutConnectorRetries(createTeamsAuth(o));
  const adapter = new HelpdeskCloudAdapter(auth);
  const log = o.log.child({ platform: 'teams' });
  const installs = o.installs ?? new MemoryTeamsInstallStore();
  const botAppId = o.appId ?? PLACEHOLDER_APP_ID;
  const platform = new TeamsPlatform({ adapter, botAppId, store: o.store, directory: o.directory, installs, serviceUrl: o.serviceUrl, log });
  const bot = new TeamsHelpdeskBot({ helpdesk: o.helpdesk, directory: o.directory, platform, installs, claimReactions: o.claimReactions, log });
  const maxBody = o.maxBodyBytes ?? 256 * 1024;
  const rejections = o.rejections ?? new PayloadRejections();

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return plain(res, 405, 'POST only');
    const read = await readBody(req, maxBody);
    if (!read.ok) return tooLarge(req, res, read);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(read.text) as Record<string, unknown>;
    } catch {
      return plain(res, 400, 'invalid JSON');
    }
    // No token at all: refuse before the SDK (which would also refuse, after more work).
    if (authOn && !req.headers.authorization) return plain(res, 401, 'Unauthorized');
    // The activity's shape is checked before botbuilder reads any of it (its auth reads serviceUrl
    // and channelId): a malformed one is a 400 (for an invoke too), counted, and touches nothing.
    const parsed = parseTeamsActivity(body);
    if (!parsed.ok) {
      rejections.reject('teams', parsed.kind, parsed.error, log);
      return plain(res, 400, 'invalid activity');
    }
    // The Bot Framework JWT (when configured) is verified before any turn logic runs: an
    // unauthenticated request is answered 401 and touches nothing.
    const intake = o.intake;
    if (!intake) return adapter.serve(req, res, parsed.activity, (ctx) => bot.run(ctx), log);
    const activity = parsed.activity as unknown as Activity;
    const authenticated = await adapter.authenticate(req, res, activity, log);
    if (!authenticated) return;
    const id = teamsRequestId(activity);
    if (!id) return adapter.turn(res, authenticated, activity, (ctx) => bot.run(ctx), log); // nothing to dedupe by (never sent by Teams)
    const envelope = teamsEnvelope(activity, id, authenticated.callerId);
    if (isDeferred(activity)) {
      try {
        await intake.record(envelope);
      } catch (err) {
        // Not acknowledged when Redis cannot take it: the Bot Framework retries.
        log.error({ err, activityType: activity.type }, 'teams: activity not recorded');
        return plain(res, 503, 'not recorded: try again');
      }
      res.writeHead(200).end();
      return;
    }
    // An invoke's answer is its HTTP response: it runs here, with a crash copy recorded first.
    try {
      await intake.recordDelayed(envelope, INVOKE_SAFETY_DELAY_MS);
    } catch (err) {
      log.error({ err, activityType: activity.type }, 'teams: invoke not recorded');
      return plain(res, 503, 'not recorded: try again');
    }
    try {
      await adapter.turn(res, authenticated, activity, (ctx) => bot.run(ctx), log);
    } finally {
      await intake.discard(envelope);
    }
  }

  async function replay(e: IntakeEnvelope, attempt: IntakeAttempt): Promise<void> {
    const activity = e.payload as unknown as Activity;
    const callerId = typeof e.reply?.callerId === 'string' ? e.reply.callerId : undefined;
    await adapter.replay(botAppId, activity, callerId, async (ctx) => {
      markReplay(ctx, attempt);
      await bot.run(ctx);
    });
  }

  return { platform, handleRequest, adapter, bot, installs, botAppId, rejections, replay };
}
