import type { TeamsInstall, TeamsInstallStore } from './teams.installs.js';

/**
 * The adapter-state port this store needs: small JSON values by key, shared by every replica.
 * `core/store/adapter-state.store.ts` (MongoDB) satisfies it; the adapter never imports mongoose.
 */
export interface AdapterState {
  get(platform: string, kind: string, key: string): Promise<unknown>;
  put(platform: string, kind: string, key: string, value: unknown): Promise<void>;
  list(platform: string, kind: string): Promise<Array<{ key: string; value: unknown }>>;
}

/** Stored form: JSON has no Date. */
interface StoredInstall {
  tenantId: string;
  teamId?: string;
  teamName?: string;
  serviceUrl: string;
  at: string;
}

/** Per tenant, the latest service URL: what a proactive post needs, read by key on the hot path. */
interface StoredTenant {
  serviceUrl: string;
  at: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function installOf(v: unknown): TeamsInstall | undefined {
  if (!isObj(v)) return undefined;
  const tenantId = str(v.tenantId);
  const serviceUrl = str(v.serviceUrl);
  const at = new Date(str(v.at) ?? NaN);
  if (!tenantId || !serviceUrl || Number.isNaN(at.getTime())) return undefined;
  return { tenantId, teamId: str(v.teamId), teamName: str(v.teamName), serviceUrl, at };
}

/**
 * Installs kept in shared state (MongoDB in production), so that the replica which posts a triage
 * card proactively knows the tenant's `serviceUrl` even when another replica (or this one before a
 * restart) received the `conversationUpdate` that revealed it. Two records per install: the install
 * itself (`install:<tenant>:<team|personal>`) and the tenant's latest service URL (`tenant:<tenant>`).
 */
export class SharedTeamsInstallStore implements TeamsInstallStore {
  constructor(private readonly state: AdapterState) {}

  async save(i: TeamsInstall): Promise<void> {
    const at = i.at.toISOString();
    const install: StoredInstall = { tenantId: i.tenantId, serviceUrl: i.serviceUrl, at, ...(i.teamId ? { teamId: i.teamId } : {}), ...(i.teamName ? { teamName: i.teamName } : {}) };
    await this.state.put('teams', 'install', `${i.tenantId}:${i.teamId ?? 'personal'}`, install);
    // An older activity delivered late must not replace a newer URL. The check-then-write can race
    // with another replica, which is harmless: both write a URL Teams gave for this tenant.
    const current = await this.state.get('teams', 'tenant', i.tenantId);
    const currentAt = isObj(current) ? Date.parse(str(current.at) ?? '') : NaN;
    if (!(currentAt > i.at.getTime())) await this.state.put('teams', 'tenant', i.tenantId, { serviceUrl: i.serviceUrl, at } satisfies StoredTenant);
  }

  async serviceUrlFor(tenantId: string): Promise<string | undefined> {
    const v = await this.state.get('teams', 'tenant', tenantId);
    return isObj(v) ? str(v.serviceUrl) : undefined;
  }

  async list(): Promise<TeamsInstall[]> {
    return (await this.state.list('teams', 'install')).flatMap(({ value }) => installOf(value) ?? []);
  }
}
