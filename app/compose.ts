import type { Connection } from 'mongoose';
import { withConsoleIdentities } from '../adapters/web/web.identity.js';
import type { Agent, Desk } from '../core/domain/desk.js';
import { EventBus } from '../core/domain/event-bus.js';
import type { Platform } from '../core/domain/identity.js';
import { Helpdesk } from '../core/helpdesk.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import { systemClock, type Clock } from '../core/ports/clock.port.js';
import type { Delivery } from '../core/ports/delivery.port.js';
import type { KnowledgeBase } from '../core/ports/kb.port.js';
import { silentLogger, type Logger } from '../core/ports/logger.port.js';
import { MongoAdapterStateStore } from '../core/store/adapter-state.store.js';
import { MongoDirectory } from '../core/store/mongo-directory.js';
import { MongoTicketStore } from '../core/store/mongo-ticket-store.js';
import { MongoIdempotencyStore } from '../core/store/processed-event.model.js';
import { MongoMetricsStore } from '../core/store/metrics-rollup.model.js';
import { metricsRecorder } from '../core/use-cases/record-metrics.js';
import { MongoReportStore } from '../core/store/ticket-fact.store.js';
import { ticketFactRecorder } from '../core/use-cases/record-ticket-facts.js';
import { gapTerms } from '../kb/gap-terms.js';
import { DirectDelivery } from '../core/use-cases/deliver.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { TicketNotifier } from '../core/use-cases/notify-ticket-change.js';

export interface ComposeOptions {
  connection: Connection;
  desks: readonly Desk[];
  agents: readonly Agent[];
  kb: KnowledgeBase;
  /** Enabled platforms' outbound sides. Adapters can also be registered later with `platforms.set`. */
  platforms?: Map<Platform, ChatPlatform>;
  /** Defaults to immediate delivery; production passes the BullMQ delivery queue (jobs/). */
  delivery?: (platforms: Map<Platform, ChatPlatform>, store: MongoTicketStore, clock: Clock) => Delivery;
  clock?: Clock;
  log?: Logger;
}

export interface Composed {
  helpdesk: Helpdesk;
  deps: CoreDeps;
  store: MongoTicketStore;
  directory: MongoDirectory;
  idempotency: MongoIdempotencyStore;
  events: EventBus;
  notifier: TicketNotifier;
  metrics: MongoMetricsStore;
  /** Ticket facts that reports read (one per ticket). */
  reports: MongoReportStore;
  platforms: Map<Platform, ChatPlatform>;
  delivery: Delivery;
  /** Key/value state adapters share across replicas (Teams installs). */
  adapterState: MongoAdapterStateStore;
}

/** Wires core to its storage, KB and platforms. The one place that knows every piece of core. */
export async function composeHelpdesk(o: ComposeOptions): Promise<Composed> {
  const log = o.log ?? silentLogger;
  const clock = o.clock ?? systemClock;
  const store = new MongoTicketStore(o.connection);
  await store.init();
  const directory = new MongoDirectory(o.connection, o.desks);
  // Every agent can also act from the web console (adapters/web/web.identity.ts).
  await directory.syncAgents(withConsoleIdentities(o.agents));
  const idempotency = new MongoIdempotencyStore(o.connection, () => clock.now());
  await idempotency.init();
  const events = new EventBus((err, e) => log.error({ err, event: e.type, ticket: e.ticket.number }, 'event subscriber failed'));
  const platforms = o.platforms ?? new Map<Platform, ChatPlatform>();
  const delivery =
    o.delivery?.(platforms, store, clock) ??
    new DirectDelivery({ platforms, store, clock }, (err, op) => log.error({ err, op: op.kind, platform: op.platform, key: op.key }, 'delivery failed'));
  const deps: CoreDeps = { store, directory, kb: o.kb, events, clock, idempotency, log };
  const notifier = new TicketNotifier(deps, delivery);
  notifier.attach(events);
  const metrics = new MongoMetricsStore(o.connection);
  events.subscribe(metricsRecorder(metrics, idempotency));
  const reports = new MongoReportStore(o.connection);
  events.subscribe(ticketFactRecorder(reports, directory));
  // Chat reports and digests (the web role adds the page's address and the queue index's load).
  deps.reporting = { reports, terms: (t) => gapTerms(t) };
  // Facts stored before the per desk-day read model existed: built once per database, in the background.
  void reports.backfillDays().then(
    (n) => n > 0 && log.info({ facts: n }, 'reports: per desk-day read model built from ticket facts'),
    (err: unknown) => log.warn({ err }, 'reports: building the per desk-day read model failed; it is tried again at the next start'),
  );
  const adapterState = new MongoAdapterStateStore(o.connection, () => clock.now());
  return { helpdesk: new Helpdesk(deps), deps, store, directory, idempotency, events, notifier, metrics, reports, platforms, delivery, adapterState };
}
