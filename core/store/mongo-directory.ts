import type { Connection, Model } from 'mongoose';
import type { Agent, Desk } from '../domain/desk.js';
import { HelpdeskError } from '../domain/errors.js';
import { identityKey, type Identity, type Platform } from '../domain/identity.js';
import type { Directory } from '../ports/directory.port.js';
import { agentModel, type AgentDoc } from './agent.model.js';

const toAgent = (d: AgentDoc): Agent => ({
  id: d._id,
  name: d.name,
  identities: d.identities as Identity[],
  desks: d.desks,
  skills: d.skills ?? [],
  maxLoad: d.maxLoad,
  availability: d.availability,
  // Stored as JSON text: FerretDB 1.24 rejects nested arrays (the weekly [[from, to]] spans).
  shift: typeof d.shift === 'string' ? (JSON.parse(d.shift) as Agent['shift']) : undefined,
});

/** A caller's own copy (callers may change what they get; the snapshot stays as read). */
const copyAgent = (a: Agent): Agent => structuredClone(a);

/** Every agent, indexed for the look-ups core makes on each event (a snapshot of the collection). */
interface AgentSnapshot {
  at: number;
  byIdentity: Map<string, Agent>;
  all: Agent[];
}

/**
 * How long a snapshot of the agents is used before it is read again.
 * @defaultValue 2 s
 */
export const AGENT_CACHE_MS = 2_000;

/**
 * A snapshot older than AGENT_CACHE_MS but younger than this is still answered from while a
 * refresh runs in the background (no look-up waits for the agents query); an older one is waited for.
 * @defaultValue 10 s
 */
export const AGENT_STALE_MS = 10_000;

/**
 * Desks come from the validated desk file; agents are kept in MongoDB, seeded from it.
 *
 * Agents are read in memory from a snapshot of the collection (a few hundred small documents at
 * most), loaded with one query and kept for AGENT_CACHE_MS: an agent look-up is made on every
 * claim, message and console request, and on FerretDB each query costs a round trip and a scan.
 * Writes through this directory (syncAgents, setAvailability) drop the snapshot at once; a change
 * made by another process is seen here once the refresh that follows AGENT_CACHE_MS has read it
 * (look-ups meanwhile get the previous snapshot, never one older than AGENT_STALE_MS), so a
 * console request or an agent's message does not wait for the agents query every 2 s.
 */
export class MongoDirectory implements Directory {
  private readonly agents: Model<AgentDoc>;
  private snapshot?: AgentSnapshot;
  private loading?: Promise<AgentSnapshot>;
  constructor(conn: Connection, private readonly deskList: readonly Desk[], private readonly cacheMs = AGENT_CACHE_MS) {
    if (deskList.length === 0) throw new HelpdeskError('CONFIG.INVALID', 'at least one desk is required');
    this.agents = agentModel(conn);
  }

  /** Drops the agent snapshot (after a write), so the next look-up reads the collection. */
  invalidate(): void {
    this.snapshot = undefined;
    this.loading = undefined;
  }

  private async agentSnapshot(): Promise<AgentSnapshot> {
    const age = this.snapshot ? Date.now() - this.snapshot.at : Infinity;
    if (this.snapshot && age < this.cacheMs) return this.snapshot;
    if (this.snapshot && this.cacheMs > 0 && age < Math.max(this.cacheMs, AGENT_STALE_MS)) {
      // Stale but recent: answer now, refresh behind (a failed refresh is tried again by the next look-up).
      if (!this.loading) void this.load().catch(() => {});
      return this.snapshot;
    }
    return this.load();
  }

  private async load(): Promise<AgentSnapshot> {
    if (this.loading) return this.loading;
    const loading = (async () => {
      const at = Date.now();
      const docs = await this.agents.find({}).sort({ _id: 1 }).lean<AgentDoc[]>();
      const all = docs.map(toAgent);
      const byIdentity = new Map<string, Agent>();
      for (const [i, d] of docs.entries()) for (const k of d.identityKeys ?? []) if (!byIdentity.has(k)) byIdentity.set(k, all[i]!);
      return { at, byIdentity, all };
    })();
    this.loading = loading;
    try {
      const snap = await loading;
      // Only keep it if no write invalidated the load while it ran.
      if (this.loading === loading) this.snapshot = snap;
      return snap;
    } finally {
      if (this.loading === loading) this.loading = undefined;
    }
  }

  /**
   * Writes the configured agents (identities, desks, skills, limits) while keeping their stored
   * availability and round-robin state; agents no longer configured are removed from every desk.
   */
  async syncAgents(configured: readonly Agent[]): Promise<void> {
    await this.agents.init();
    for (const a of configured) {
      await this.agents.updateOne(
        { _id: a.id },
        { $set: { name: a.name, identities: a.identities, identityKeys: a.identities.map(identityKey), desks: a.desks, skills: a.skills, maxLoad: a.maxLoad, shift: a.shift ? JSON.stringify(a.shift) : null }, $setOnInsert: { availability: a.availability } },
        { upsert: true },
      );
    }
    await this.agents.updateMany({ _id: { $nin: configured.map((a) => a.id) } }, { $set: { desks: [] } });
    this.invalidate();
  }

  desks(): readonly Desk[] {
    return this.deskList;
  }

  desk(id: string): Desk {
    const d = this.deskList.find((x) => x.id === id);
    if (!d) throw new HelpdeskError('DESK.NOT_FOUND', `no desk ${id}`, { desk: id });
    return d;
  }

  deskFor(at: { platform: Platform; workspace: string; channel?: string }): Desk {
    const byChannel = this.deskList.find((d) => d.intake.some((i) => i.platform === at.platform && i.workspace === at.workspace && i.channel !== undefined && i.channel === at.channel));
    const byWorkspace = this.deskList.find((d) => d.intake.some((i) => i.platform === at.platform && i.workspace === at.workspace && i.channel === undefined));
    const byTier = this.tierChannel(at.channel ? { ...at, channel: at.channel } : { ...at, channel: '' })?.desk;
    return byChannel ?? byTier ?? byWorkspace ?? this.deskList[0]!;
  }

  tierChannel(at: { platform: Platform; workspace: string; channel: string }): { desk: Desk; tier: number } | undefined {
    for (const desk of this.deskList) {
      for (const tier of desk.tiers) {
        const c = tier.channels[at.platform];
        if (c && c.channel === at.channel && (c.workspace === at.workspace || c.workspace === '*')) return { desk, tier: tier.level };
      }
    }
    return undefined;
  }

  async agentByIdentity(i: Pick<Identity, 'platform' | 'workspace' | 'user'>): Promise<Agent | null> {
    const a = (await this.agentSnapshot()).byIdentity.get(identityKey(i));
    return a ? copyAgent(a) : null;
  }

  async agentsOf(deskId: string): Promise<Agent[]> {
    return (await this.agentSnapshot()).all.filter((a) => a.desks.some((d) => d.desk === deskId)).map(copyAgent);
  }

  async setAvailability(agentId: string, availability: Agent['availability']): Promise<void> {
    this.invalidate();
    const r = await this.agents.updateOne({ _id: agentId }, { $set: { availability } });
    this.invalidate();
    if (r.matchedCount === 0) throw new HelpdeskError('INPUT.INVALID', `no agent ${agentId}`, { detail: `no agent ${agentId}` });
  }
}
