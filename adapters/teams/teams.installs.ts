/** A team (or personal scope) the bot was added to, as reported by `conversationUpdate`. */
export interface TeamsInstall {
  tenantId: string;
  /** Team id (its General channel id); absent for a personal install. */
  teamId?: string;
  teamName?: string;
  serviceUrl: string;
  at: Date;
}

/**
 * Where the adapter remembers installations. Proactive posts into a tier channel need the
 * tenant's `serviceUrl`, which only inbound activities reveal.
 */
export interface TeamsInstallStore {
  save(install: TeamsInstall): Promise<void>;
  /** The most recent service URL seen for the tenant, if any. */
  serviceUrlFor(tenantId: string): Promise<string | undefined>;
  list(): Promise<TeamsInstall[]>;
}

/**
 * Process-local install registry, for tests and embedding only: a second replica (or this one after
 * a restart) would not see it, which DESIGN.md forbids in a deployment. The app passes
 * `SharedTeamsInstallStore` (teams.installs.shared.ts) over MongoDB instead.
 */
export class MemoryTeamsInstallStore implements TeamsInstallStore {
  private readonly installs = new Map<string, TeamsInstall>();
  async save(i: TeamsInstall): Promise<void> {
    this.installs.set(`${i.tenantId}:${i.teamId ?? 'personal'}`, i);
  }
  async serviceUrlFor(tenantId: string): Promise<string | undefined> {
    let best: TeamsInstall | undefined;
    for (const i of this.installs.values()) if (i.tenantId === tenantId && (!best || i.at > best.at)) best = i;
    return best?.serviceUrl;
  }
  async list(): Promise<TeamsInstall[]> {
    return [...this.installs.values()];
  }
}
