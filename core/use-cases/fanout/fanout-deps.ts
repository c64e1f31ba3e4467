import type { Delivery } from '../../ports/delivery.port.js';
import type { SpikeStore } from '../../ports/spike-store.port.js';
import type { SpikeRenders, SpikeWindow } from '../../ports/spike-window.port.js';
import type { IncidentDeps } from '../incidents/incident-deps.js';

/** What the incident fan-out (broadcasts, absorbed requests, spikes) uses. */
export type FanoutDeps = IncidentDeps & {
  delivery: Delivery;
  /** Spike detection needs both (Redis window, stored suggestions); without them no spike is detected. */
  spikeWindow?: SpikeWindow;
  spikes?: SpikeStore;
  /** Where a spike card's delayed count edits are queued (durable); without it, a timer in this process. */
  spikeRenders?: SpikeRenders;
};
