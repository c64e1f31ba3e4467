import type { Agent, Desk } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';
import type { KbSuggestion, KnowledgeBase } from '../../core/ports/kb.port.js';

/** A desk with tier channels on every platform, 24×7 hours and short SLA targets. Override freely. */
export function testDesk(over: Partial<Desk> = {}): Desk {
  return {
    id: 'it',
    prefix: 'IT',
    name: 'IT',
    kind: 'internal',
    locale: 'en',
    categories: ['access', 'network', 'email', 'hardware', 'software'],
    defaultPriority: 'P3',
    tiers: [
      { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' }, teams: { workspace: 'tenant1', channel: '19:tier1@thread.tacv2' }, discord: { workspace: '100', channel: '201' } } },
      { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' }, teams: { workspace: 'tenant1', channel: '19:tier2@thread.tacv2' }, discord: { workspace: '100', channel: '202' } } },
    ],
    intake: [],
    logChannels: {},
    businessHours: { timezone: 'UTC', weekly: {}, holidays: [] },
    sla: {
      targets: {
        P1: { firstResponseMinutes: 15, resolutionMinutes: 240 },
        P2: { firstResponseMinutes: 60, resolutionMinutes: 480 },
        P3: { firstResponseMinutes: 240, resolutionMinutes: 1440 },
        P4: { firstResponseMinutes: 480, resolutionMinutes: 2880 },
      },
      pauseWhilePending: true,
      warnAtPercent: 80,
      escalateOnBreach: true,
    },
    assignment: 'manual',
    deflection: { enabled: true, maxSuggestions: 3, windowMinutes: 30 },
    automation: { pendingReminderHours: 24, autoResolveAfterDays: 5, reopenWindowDays: 7 },
    reactions: { claim: 'eyes', fileTicket: 'ticket' },
    notePrefix: 'note:',
    macros: [],
    ...over,
  };
}

export const person = (platform: Identity['platform'], user: string, workspace = platform === 'slack' ? 'T1' : platform === 'discord' ? '100' : 'tenant1', name?: string): Identity => ({
  platform,
  workspace,
  user,
  ...(name ? { name } : {}),
});

/** An agent of desk `it` at `tier` with one identity per given person. */
export function testAgent(id: string, identities: Identity[], tier = 1, over: Partial<Agent> = {}): Agent {
  return { id, name: identities[0]?.name ?? id, identities, desks: [{ desk: 'it', tier, lead: false }], skills: [], maxLoad: 10, availability: 'available', ...over };
}

/**
 * A tiny in-memory KnowledgeBase for tests of flows (not of search): suggests articles whose
 * keyword appears in the query. The real KB (kb/) has its own tests.
 */
export class KeywordKb implements KnowledgeBase {
  readonly feedback: Array<{ articleId: string; helpful: boolean }> = [];
  constructor(private readonly articles: Array<{ id: string; title: string; keyword: string }> = [{ id: 'vpn-reset', title: 'Reset your VPN profile', keyword: 'vpn' }]) {}
  async suggest(query: string, opts?: { limit?: number }): Promise<KbSuggestion[]> {
    return this.articles
      .filter((a) => query.toLowerCase().includes(a.keyword))
      .slice(0, opts?.limit ?? 3)
      .map((a) => ({ id: a.id, title: a.title, summary: `How to: ${a.title}`, lang: 'en', score: 0.9 }));
  }
  async recordFeedback(f: { articleId: string; helpful: boolean }): Promise<void> {
    this.feedback.push({ articleId: f.articleId, helpful: f.helpful });
  }
}
