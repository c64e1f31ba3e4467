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

/** Desks come from the validated desk file; agents are kept in MongoDB, seeded from it. */
export class MongoDirectory implements Directory {
  private readonly agents: Model<AgentDoc>;
  constructor(conn: Connection, private readonly deskList: readonly Desk[]) {
    if (deskList.length === 0) throw new HelpdeskError('CONFIG.INVALID', 'at least one desk is required');
    this.agents = agentModel(conn);
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
    const d = await this.agents.findOne({ identityKeys: identityKey(i) }).lean<AgentDoc>();
    return d ? toAgent(d) : null;
  }

  async agentsOf(deskId: string): Promise<Agent[]> {
    const docs = await this.agents.find({ 'desks.desk': deskId }).sort({ _id: 1 }).lean<AgentDoc[]>();
    return docs.map(toAgent);
  }

  async setAvailability(agentId: string, availability: Agent['availability']): Promise<void> {
    const r = await this.agents.updateOne({ _id: agentId }, { $set: { availability } });
    if (r.matchedCount === 0) throw new HelpdeskError('INPUT.INVALID', `no agent ${agentId}`, { detail: `no agent ${agentId}` });
  }
}
