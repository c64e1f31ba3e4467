import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import { silentLogger, type Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { DirectDelivery } from '../../core/use-cases/deliver.js';
import { registerCommands } from './discord.commands.js';
import { DiscordInbound } from './discord.inbound.js';
import { DiscordPlatform } from './discord.platform.js';
import { DiscordTicketSync } from './discord.ticket-sync.js';
import type { InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { attachDiscordIntake, replayDiscord } from './discord.intake-queue.js';
import { attachDispatchIntake, replayDispatch } from './discord.dispatch-intake.js';
import { channelLookup } from './discord.inbound-input.js';
import { PayloadRejections } from '../shared/payload-rejections.js';
import { gateDispatches } from './discord.payloads.js';

export interface DiscordAdapterOptions {
  helpdesk: Helpdesk;
  directory: Directory;
  store: TicketStore;
  /** Bot token (without the `Bot ` prefix). */
  token: string;
  /** The application (client) id: command registration and interaction webhooks. */
  applicationId: string;
  /**
   * REST base without the version (`http://127.0.0.1:PORT/api` for a fake; app/config reads
   * `DISCORD_API_URL`). The gateway URL is whatever `GET /gateway/bot` there answers.
   * @defaultValue `'https://discord.com/api'`
   */
  apiUrl?: string;
  /** Guilds served; commands are registered in each at start-up. */
  guildIds: readonly string[];
  log?: Logger;
  /**
   * Delivery for the adapter's own posts (tier-role pings, transcripts). Pass the composed
   * (queued) delivery so they are retried like core's. @defaultValue immediate delivery
   */
  delivery?: Delivery;
  /** Register slash commands on `start()`. @defaultValue `true` */
  registerCommandsOnStart?: boolean;
  /** REST retries on 5xx/network errors inside discord.js (429s are never waited on). @defaultValue `3` */
  restRetries?: number;
  /** REST request timeout in ms. @defaultValue `15000` */
  restTimeoutMs?: number;
  /**
   * Durable intake (production): interactions are recorded here, then acknowledged; messages and
   * reactions the bot acts on are recorded as they arrive; all are processed through `replay` in an
   * intake worker. Without it, they are processed in the gateway process.
   */
  intake?: InboundIntake;
  /** Counts dispatches refused at the boundary. @defaultValue a counter on a registry of its own */
  rejections?: PayloadRejections;
}

export interface DiscordAdapter {
  platform: ChatPlatform & DiscordPlatform;
  client: Client;
  inbound: DiscordInbound;
  /** Dispatches refused at the boundary (malformed), counted by kind. */
  rejections: PayloadRejections;
  /** Registers commands (if enabled), connects to the gateway and resolves when the client is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Processes an interaction, message or reaction the intake recorded (intake workers). */
  replay(e: IntakeEnvelope, attempt: IntakeAttempt): Promise<void>;
}

/**
 * The Discord adapter: a discord.js Client (gateway + REST), its inbound mapping, the outbound
 * `ChatPlatform`, and the ticket-thread lifecycle. `platform` works without `start()` (REST only),
 * so worker processes can deliver while only the `gateway` role connects.
 */
export function createDiscordAdapter(o: DiscordAdapterOptions): DiscordAdapter {
  const log = (o.log ?? silentLogger).child({ platform: 'discord' });
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    // Reactions on cards posted before a restart arrive for uncached messages: partials let them through.
    partials: [Partials.Channel, Partials.Message, Partials.Reaction],
    rest: {
      api: o.apiUrl ?? 'https://discord.com/api',
      // A 429 becomes a retryable PlatformError for the delivery queue instead of blocking a worker.
      rejectOnRateLimit: () => true,
      retries: o.restRetries ?? 3,
      timeout: o.restTimeoutMs ?? 15_000,
    },
    allowedMentions: { parse: [], repliedUser: false },
  });
  client.rest.setToken(o.token);
  const rejections = o.rejections ?? new PayloadRejections();
  gateDispatches(client, { rest: client.rest, rejections, log });
  const platform = new DiscordPlatform(client.rest, { store: o.store });
  const deps = o.helpdesk.deps;
  const delivery: Delivery =
    o.delivery ?? new DirectDelivery({ platforms: new Map([['discord', platform]]), store: o.store, clock: deps.clock }, (err, op) => log.error({ err, key: op.key }, 'discord delivery failed'));
  const inbound = new DiscordInbound({ helpdesk: o.helpdesk, directory: o.directory, platform, rest: client.rest, applicationId: o.applicationId, guildIds: o.guildIds, channels: channelLookup(client), log });
  inbound.attach(client, { recorded: Boolean(o.intake) });
  if (o.intake) {
    attachDiscordIntake(client, inbound, o.intake, log);
    attachDispatchIntake(client, inbound, o.intake, { guildIds: o.guildIds, directory: o.directory, log });
  }
  const sync = new DiscordTicketSync({ helpdesk: o.helpdesk, directory: o.directory, delivery, platform, log });
  let detach: (() => void) | undefined = sync.attach(deps.events);
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  client.on(Events.ShardResume, (id, replayed) => log.info({ shard: id, replayed }, 'discord gateway resumed'));

  return {
    platform,
    client,
    inbound,
    // A bot's user id is its application id: a worker without a gateway connection knows it too.
    replay: (e, attempt) => (e.kind === 'interaction' ? replayDiscord(client, inbound, e, attempt) : replayDispatch(client.rest, inbound, e, client.user?.id ?? o.applicationId, attempt)),
    rejections,
    async start() {
      if (o.registerCommandsOnStart !== false) {
        const r = await registerCommands(client.rest, o.applicationId, o.guildIds);
        log.info({ guilds: r }, 'discord commands registered');
      }
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(o.token);
      await ready;
    },
    async stop() {
      detach?.();
      detach = undefined;
      await client.destroy();
    },
  };
}
