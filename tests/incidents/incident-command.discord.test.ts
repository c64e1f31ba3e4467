import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, startHarness, users, type Harness } from '../discord/discord.harness.js';

/** Text of an ephemeral answer (content or embed description). */
const said = (msg: any): string => [msg?.content ?? '', ...(msg?.embeds ?? []).map((e: any) => `${e.title ?? ''} ${e.description ?? ''}`)].join(' ');

/** `/help text: incident …` on Discord: real discord.js against the gateway/REST fake. */
describe('discord: /help incident', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  async function help(user: (typeof users)[keyof typeof users], text: string): Promise<string> {
    const c = h.fake.slashCommand({ user, channelId: G.tier2, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    return said(await h.fake.waitFor(() => h.fake.interactions.get(c.token)?.original, `answer to ${text}`));
  }

  it('an agent declares, updates and lists; a customer is refused and files nothing', async () => {
    const declared = await help(users.expert, 'incident declare SEV2 vpn VPN @everyone down');
    const number = /INC-\d+/.exec(declared)?.[0];
    expect(number).toBeDefined();
    expect(declared).not.toContain('@everyone');
    expect(await help(users.agent, `incident update ${number} monitoring Fix deployed`)).toContain(`${number} updated: Monitoring`);
    expect(await help(users.agent, 'incident list')).toContain(`${number} · SEV2 · Monitoring`);
    expect(await help(users.customer, 'incident declare vpn All broken')).toContain('Only agents of this desk can manage incidents.');
    await h.adapter.inbound.drain();
    expect(await h.hd.incidentStore.list({})).toHaveLength(1);
    expect(await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: users.customer.id } })).toHaveLength(0);
  });
});
