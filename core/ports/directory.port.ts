import type { Agent, Desk } from '../domain/desk.js';
import type { Identity, Platform } from '../domain/identity.js';

/** Desks (from configuration) and agents (from configuration, kept in storage). */
export interface Directory {
  desks(): readonly Desk[];
  /** Throws DESK.NOT_FOUND. */
  desk(id: string): Desk;
  /** The desk that serves requests arriving here: by intake channel, else the first desk. */
  deskFor(at: { platform: Platform; workspace: string; channel?: string }): Desk;
  /** The desk whose tier channel this is, with the tier level. */
  tierChannel(at: { platform: Platform; workspace: string; channel: string }): { desk: Desk; tier: number } | undefined;
  agentByIdentity(identity: Pick<Identity, 'platform' | 'workspace' | 'user'>): Promise<Agent | null>;
  agentsOf(deskId: string): Promise<Agent[]>;
  setAvailability(agentId: string, availability: Agent['availability']): Promise<void>;
}
