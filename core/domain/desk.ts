import type { Identity, Platform } from './identity.js';
import type { Priority } from './ticket.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Working hours of a desk: intervals per weekday in the desk's IANA time zone. */
export interface BusinessHours {
  timezone: string;
  /** e.g. `{ mon: [['09:00', '17:00']] }`; a missing day is closed. An empty object means 24×7. */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Closed dates, `YYYY-MM-DD` in the desk's time zone. */
  holidays: string[];
}

export interface SlaTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface SlaPolicy {
  targets: Record<Priority, SlaTarget>;
  /** Stop the clock while a ticket waits on the requester. */
  pauseWhilePending: boolean;
  /** Warn the assignee or tier channel when this share of the target has elapsed. */
  warnAtPercent: number;
  /** Escalate to the next tier when a target is breached. */
  escalateOnBreach: boolean;
}

/** Where a tier's cards go on one platform. */
export interface ChannelRef {
  workspace: string;
  channel: string;
  /** Discord: role id added to ticket threads for this tier. Teams: team id. */
  role?: string;
}

export interface Tier {
  level: number;
  name: string;
  channels: Partial<Record<Platform, ChannelRef>>;
}

export type AssignmentMode = 'manual' | 'round_robin' | 'least_loaded';

export interface Desk {
  id: string;
  /** Ticket number prefix, e.g. `IT` for `IT-1042`. */
  prefix: string;
  name: string;
  kind: 'internal' | 'external';
  locale: string;
  categories: string[];
  defaultPriority: Priority;
  tiers: Tier[];
  /** Channels where requests arrive (slash commands, reactions, mentions). Empty: anywhere. */
  intake: Array<{ platform: Platform; workspace: string; channel?: string }>;
  /** Per-platform channel for transcripts and audit (Discord transcripts on close). */
  logChannels: Partial<Record<Platform, ChannelRef>>;
  businessHours: BusinessHours;
  sla: SlaPolicy;
  assignment: AssignmentMode;
  deflection: { enabled: boolean; maxSuggestions: number; /** Route to triage if the person has not answered. */ windowMinutes: number };
  automation: {
    pendingReminderHours: number;
    autoResolveAfterDays: number;
    reopenWindowDays: number;
    digestCron?: string;
  };
  reactions: { claim: string; fileTicket: string };
  notePrefix: string;
  macros: Array<{ name: string; text: string }>;
  /** Per-channel settings. `web.allowedOrigins`: sites allowed to embed the chat widget (CORS); `email.address`: the desk's mailbox. */
  channels?: { web?: { allowedOrigins: string[] }; email?: { address: string } };
  /** Where incidents are announced (docs/incidents.md "Broadcasts"). Absent: nowhere but the console. */
  announce?: AnnounceSettings;
  /** Requests matching an active incident are answered and linked instead of triaged. @defaultValue {@link DEFAULT_ABSORB} */
  absorb?: AbsorbSettings;
  /** Similar new tickets in a short window suggest an incident to tier 2. @defaultValue {@link DEFAULT_SPIKE} */
  spike?: SpikeSettings;
}

export interface AnnounceSettings {
  /** One channel per chat platform: the incident's post there is edited in place on every update. */
  channels: Partial<Record<'slack' | 'teams' | 'discord', ChannelRef>>;
  /** A mailing list: each update is a new mail threaded under the first (References). */
  email?: { to: string };
  /** Show active incidents as a banner in the web chat and on the start page; list them on the public status page. */
  web: boolean;
}

export interface AbsorbSettings {
  enabled: boolean;
  /** KB-analyzer similarity (0–1) between a request and an incident's title at which they match. */
  minSimilarity: number;
  /** Resolve the linked tickets when the incident resolves (else they are only told). */
  resolveLinked: boolean;
}

export interface SpikeSettings {
  enabled: boolean;
  /** How many similar new tickets make a spike. */
  threshold: number;
  windowMinutes: number;
  /** KB-analyzer similarity (0–1) at which two tickets count as similar. */
  minSimilarity: number;
}

export const DEFAULT_ABSORB: AbsorbSettings = { enabled: true, minSimilarity: 0.5, resolveLinked: true };
export const DEFAULT_SPIKE: SpikeSettings = { enabled: true, threshold: 5, windowMinutes: 10, minSimilarity: 0.5 };

export interface AgentDeskRole {
  desk: string;
  tier: number;
  lead: boolean;
}

export interface Agent {
  id: string;
  name: string;
  identities: Identity[];
  desks: AgentDeskRole[];
  /** Categories this agent handles; empty means any. */
  skills: string[];
  maxLoad: number;
  availability: 'available' | 'away';
  /** On-shift hours; absent means always on shift while available. */
  shift?: BusinessHours;
}

export const tierOf = (desk: Desk, level: number): Tier | undefined => desk.tiers.find((t) => t.level === level);
export const maxTier = (desk: Desk): number => Math.max(...desk.tiers.map((t) => t.level));
