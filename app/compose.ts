import type { Connection } from 'mongoose';
import { withConsoleIdentities } from '../adapters/web/web.identity.js';
import type { Agent, Desk } from '../core/domain/desk.js';
import { EventBus } from '../core/domain/event-bus.js';
import type { Platform } from '../core/domain/identity.js';
import { Helpdesk } from '../core/helpdesk.js';
import { Incidents } from '../core/incidents.js';
import { MongoIncidentStore } from '../core/store/mongo-incident-store.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import { systemClock, type Clock } from '../core/ports/clock.port.js';
import type { Delivery } from '../core/ports/delivery.port.js';
import type { KnowledgeBase } from '../core/ports/kb.port.js';
import type { TriageStorm } from '../core/ports/triage-storm.port.js';
import { silentLogger, type Logger } from '../core/ports/logger.port.js';
import { MongoAdapterStateStore } from '../core/store/adapter-state.store.js';
import { MongoAttachmentStore } from '../core/store/attachment.store.js';
import { MongoDirectory } from '../core/store/mongo-directory.js';
import { MongoMessageRefStore } from '../core/store/message-ref.store.js';
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
import type { SpikeRenders, SpikeWindow } from '../core/ports/spike-window.port.js';
import { MongoSpikeStore } from '../core/store/spike.store.js';
import { AbsorbedRequests, settleAllLinked } from '../core/use-cases/fanout/absorbed-requests.js';
import { IncidentBroadcaster } from '../core/use-cases/fanout/broadcast-incident.js';
import { declareFromSpike } from '../core/use-cases/fanout/declare-spike.js';
import { SpikeDetector } from '../core/use-cases/fanout/detect-spike.js';
import type { FanoutDeps } from '../core/use-cases/fanout/fanout-deps.js';

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
  /** Storm-aware triage (jobs' `RedisTriageStorm`); without it every new ticket gets its own card. */
  storm?: TriageStorm;
  /** Recent tickets per desk for spike detection (Redis, jobs/spike-window.redis.ts); without it no spikes are detected. */
  spikeWindow?: SpikeWindow;
  /** Spike cards' delayed count edits as durable jobs (jobs' `QueueSpikeRenders`); without it, a timer in this process. */
  spikeRenders?: SpikeRenders;
  /**
   * Tell a resolved incident's linked requesters in this process (true) or leave it to the jobs'
   * scheduler, which pages through them as automation jobs (false).
   * @defaultValue true without a `delivery` queue, false with one
   */
  settleInline?: boolean;
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
  /** Incidents: declare, update, resolve, link tickets, list (events on `events.onIncident`). */
  incidents: Incidents;
  incidentStore: MongoIncidentStore;
  /** Spike suggestions ("possible incident" cards), by id. */
  spikes: MongoSpikeStore;
  /** Start-up work left running in the background (the one-time report read model build); never rejects. */
  settled: Promise<void>;
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
  const events = new EventBus(
    (err, e) => log.error({ err, event: e.type, ticket: e.ticket.number }, 'event subscriber failed'),
    (err, e) => log.error({ err, event: e.type, incident: e.incident.number }, 'incident event subscriber failed'),
  );
  const platforms = o.platforms ?? new Map<Platform, ChatPlatform>();
  const messageRefs = new MongoMessageRefStore(o.connection, () => clock.now());
  const delivery =
    o.delivery?.(platforms, store, clock) ??
    new DirectDelivery({ platforms, store, clock, refs: messageRefs }, (err, op) => log.error({ err, op: op.kind, platform: op.platform, key: op.key }, 'delivery failed'));
  const incidentStore = new MongoIncidentStore(o.connection);
  await incidentStore.init();
  const attachments = new MongoAttachmentStore(o.connection);
  await attachments.init();
  const deps: CoreDeps = { store, directory, kb: o.kb, events, clock, idempotency, log, messageRefs, incidents: incidentStore, attachments };
  const notifier = new TicketNotifier(deps, delivery, o.storm);
  notifier.attach(events);
  const metrics = new MongoMetricsStore(o.connection);
  events.subscribe(metricsRecorder(metrics, idempotency));
  const reports = new MongoReportStore(o.connection);
  events.subscribe(ticketFactRecorder(reports, directory));
  // Chat reports and digests (the web role adds the page's address and the queue index's load).
  deps.reporting = { reports, terms: (t) => gapTerms(t) };
  // Facts stored before the per desk-day read model existed: built once per database, in the background.
  const settled = reports.backfillDays().then(
    (n) => void (n > 0 && log.info({ facts: n }, 'reports: per desk-day read model built from ticket facts')),
    (err: unknown) => log.warn({ err }, 'reports: building the per desk-day read model failed; it is tried again at the next start'),
  );
  const adapterState = new MongoAdapterStateStore(o.connection, () => clock.now());
  const incidents = new Incidents({ ...deps, incidents: incidentStore });
  // Incident fan-out (docs/incidents.md): announcements, absorbed requests, spike suggestions.
  const spikes = new MongoSpikeStore(o.connection);
  const fanout: FanoutDeps = { ...deps, incidents: incidentStore, delivery, spikes, ...(o.spikeWindow ? { spikeWindow: o.spikeWindow } : {}), ...(o.spikeRenders ? { spikeRenders: o.spikeRenders } : {}) };
  new IncidentBroadcaster(fanout).attach(events);
  const settleInline = o.settleInline ?? !o.delivery;
  new AbsorbedRequests(fanout, settleInline ? (id) => settleAllLinked(fanout, id) : async () => {}).attach(events);
  new SpikeDetector(fanout).attach(events);
  const helpdesk = new Helpdesk(deps, { declareSpike: (spikeId, who) => declareFromSpike(fanout, spikeId, who) });
  helpdesk.incidents = incidents;
  return { spikes, helpdesk, deps, store, directory, idempotency, events, notifier, metrics, reports, platforms, delivery, adapterState, incidents, incidentStore, settled };
}
