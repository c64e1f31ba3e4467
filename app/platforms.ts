import type pino from 'pino';
import { createDiscordAdapter } from '../adapters/discord/discord.adapter.js';
import { createSlackAdapter } from '../adapters/slack/slack.adapter.js';
import { createTeamsAdapter } from '../adapters/teams/teams.adapter.js';
import { SharedTeamsInstallStore } from '../adapters/teams/teams.installs.shared.js';
import type { Registry } from 'prom-client';
import { PayloadRejections } from '../adapters/shared/payload-rejections.js';
import type { Composed } from './compose.js';
import type { PlatformSettings } from './config/env.js';
import type { RequestHandler } from './http-server.js';
import { asCoreLogger } from './logger.js';
import type { InboundIntake, IntakeHandler, IntakePlatform } from '../adapters/shared/intake.js';

export interface StartPlatformsOptions {
  settings: PlatformSettings;
  composed: Composed;
  /** HTTP routes to fill (Slack events, Teams messages). */
  routes: Map<string, RequestHandler>;
  log: pino.Logger;
  /** Connect the Discord gateway (roles `all` and `gateway`). */
  startGateway: boolean;
  /** Receive Slack Socket Mode (roles `all` and `web`). */
  receiveHttp: boolean;
  /** Where `helpdesk_payload_rejections_total` is registered (the app's /metrics). @defaultValue a registry of its own */
  registry?: Registry;
  /** Durable intake: requests are recorded here before they are acknowledged. */
  intake?: InboundIntake;
}

export interface StartedPlatforms {
  /** What the intake worker calls for each platform's recorded requests. */
  intakeHandlers: Map<IntakePlatform, IntakeHandler>;
  stop(): Promise<void>;
}

/**
 * Creates the adapter of every platform whose credentials are set, registers its outbound side with
 * core and mounts its receiver. A platform without credentials is simply not enabled.
 */
export async function startPlatforms(o: StartPlatformsOptions): Promise<StartedPlatforms> {
  const { composed, settings } = o;
  const stops: Array<() => Promise<void>> = [];
  const intakeHandlers = new Map<IntakePlatform, IntakeHandler>();
  // Malformed inbound payloads, counted per platform and kind by every adapter's boundary gate.
  const rejections = new PayloadRejections(o.registry);
  if (settings.slack) {
    const s = settings.slack;
    const slack = createSlackAdapter({
      helpdesk: composed.helpdesk,
      signingSecret: s.signingSecret,
      botToken: s.botToken,
      appToken: s.appToken,
      socketMode: Boolean(s.appToken),
      apiUrl: s.apiUrl,
      userLocale: s.userLocale,
      rejections,
      log: asCoreLogger(o.log.child({ platform: 'slack' })),
      ...(o.intake ? { intake: o.intake } : {}),
    });
    composed.platforms.set('slack', slack.platform);
    intakeHandlers.set('slack', (e, m) => slack.replay(e, m));
    const listener = slack.requestListener;
    if (listener) o.routes.set('/slack/events', (req, res) => listener(req, res));
    if (s.appToken && o.receiveHttp) await slack.start();
    stops.push(() => slack.stop());
    o.log.info({ mode: s.appToken ? 'socket' : 'http' }, 'Slack enabled');
  }
  if (settings.teams) {
    const t = settings.teams;
    const teams = createTeamsAdapter({
      helpdesk: composed.helpdesk,
      directory: composed.directory,
      store: composed.store,
      appId: t.appId,
      appPassword: t.appPassword,
      tenantId: t.tenantId,
      identity: t.identity,
      // Installs live in MongoDB: the replica that posts proactively may not be the one Teams told.
      installs: new SharedTeamsInstallStore(composed.adapterState),
      rejections,
      log: asCoreLogger(o.log.child({ platform: 'teams' })),
      ...(o.intake ? { intake: o.intake } : {}),
    });
    composed.platforms.set('teams', teams.platform);
    intakeHandlers.set('teams', (e, m) => teams.replay(e, m));
    o.routes.set('/api/messages', (req, res) => teams.handleRequest(req, res));
    o.log.info('Teams enabled');
  }
  if (settings.discord) {
    const d = settings.discord;
    const guildIds = [...new Set(composed.directory.desks().flatMap((desk) => desk.tiers.flatMap((tier) => (tier.channels.discord ? [tier.channels.discord.workspace] : []))))];
    const discord = createDiscordAdapter({
      helpdesk: composed.helpdesk,
      directory: composed.directory,
      store: composed.store,
      token: d.token,
      applicationId: d.applicationId,
      apiUrl: d.apiUrl,
      guildIds,
      delivery: composed.delivery,
      log: asCoreLogger(o.log.child({ platform: 'discord' })),
      registerCommandsOnStart: o.startGateway,
      ...(o.intake ? { intake: o.intake } : {}),
      rejections,
    });
    composed.platforms.set('discord', discord.platform);
    intakeHandlers.set('discord', (e, m) => discord.replay(e, m));
    if (o.startGateway) await discord.start();
    stops.push(() => discord.stop());
    o.log.info({ guilds: guildIds, gateway: o.startGateway }, 'Discord enabled');
  }
  return {
    intakeHandlers,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}
