import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import type { Composed } from '../../app/compose.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import type { JobsClient, StormOptions } from '../../jobs/index.js';
import { DiscordFake, type RecordedRequest } from '../fakes/discord.fake.js';
import { discordAgents, discordDesk, G } from '../discord/discord.harness.js';
import { stormBackend } from './storm-wave.js';

/**
 * Shared by the Discord storm tests (tests/jobs/storm-triage.discord.test.ts, storm-escalation.discord.test.ts):
 * the fake guild with tier channels `G.tier1` / `G.tier2`, the real adapter (discord.js) against the
 * Discord fake, the workers at Discord's production limits, and what a channel shows.
 */

export interface DiscordStormRig {
  fake: DiscordFake;
  client: JobsClient;
  hd: Composed;
  adapter: DiscordAdapter;
  close(): Promise<void>;
}

/** Starts it; `storm`: thresholds for both the client and the workers; `limits`: the fake's (see `DiscordFake.limits`). */
export async function discordStormRig(o: { tag: string; storm?: Omit<StormOptions, 'limits'>; limits?: DiscordFake['limits'] }): Promise<DiscordStormRig> {
  const fake = await DiscordFake.start({ guilds: [{ id: G.guild, name: 'Acme', channels: [{ id: G.support, name: 'support' }, { id: G.tier1, name: 'tier-1' }, { id: G.tier2, name: 'tier-2' }, { id: G.log, name: 'log' }], roles: [{ id: G.roleT1, name: 'T1' }, { id: G.roleT2, name: 'T2' }] }] });
  if (o.limits) fake.limits = o.limits;
  const { client, hd, ...backend } = await stormBackend({ tag: o.tag, desk: discordDesk(), agents: discordAgents(), ...(o.storm ? { storm: o.storm } : {}) });
  const adapter = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 'fake-bot-token', applicationId: fake.applicationId, apiUrl: fake.apiUrl, guildIds: [G.guild], delivery: client.delivery, restRetries: 0, log: silentLogger });
  hd.platforms.set('discord', adapter.platform);
  await adapter.start();
  // Discord's production limits (jobs/rate-limit.ts DEFAULT_LIMITS.discord).
  await backend.startWorkers();
  return {
    fake,
    client,
    hd,
    adapter,
    async close() {
      await backend.close();
      await adapter.stop().catch(() => {});
      await fake.close();
    },
  };
}

/** A message's text: content, and its embed's title, description, footer and fields. */
export const discordText = (m: any): string => [m.content ?? '', ...(m.embeds ?? []).flatMap((e: any) => [e.title ?? '', e.description ?? '', e.footer?.text ?? '', ...(e.fields ?? []).map((f: any) => `${f.name}\n${f.value}`)])].join('\n');

/** Accepted posts and edits of messages in `channel` (what people there can see), oldest first. */
export function discordChannelCalls(fake: DiscordFake, channel: string): RecordedRequest[] {
  return fake
    .calls('POST', new RegExp(`^/channels/${channel}/messages$`))
    .concat(fake.calls('PATCH', new RegExp(`^/channels/${channel}/messages/\\d+$`)))
    .filter((c) => !c.limited)
    .sort((a, b) => a.at - b.at);
}

/** Ticket numbers a channel's messages show (post or edit), with when the fake first accepted each. */
export function discordShownNumbers(fake: DiscordFake, channel: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const c of discordChannelCalls(fake, channel)) for (const m of JSON.stringify(c.body ?? {}).matchAll(/IT-\d+/g)) if (!first.has(m[0])) first.set(m[0], c.at);
  return first;
}
