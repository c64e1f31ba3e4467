import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackPeople } from '../../adapters/slack/slack.people.js';
import type { Logger } from '../../core/ports/logger.port.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { ALICE, blockText, startSlackHarness, TEAM, TIER1, TIER2, type SlackHarness } from './slack-harness.js';

/**
 * One name per person: an agent is shown with the directory's name however the card was claimed (a
 * button payload carries the legacy `user.name` handle, a reaction no name); anyone else with their
 * Slack profile's display name (users.info, cached), not their id; the platform tag only on desks
 * that span platforms.
 */
const MARIA = { user: 'U0MARIA', name: 'maria' }; // `name`: the legacy handle payloads carry
const DM = 'DU0MARIA';

async function openCard(h: SlackHarness, text: string) {
  const posts = (channel: string) => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  const before = posts(TIER1).length;
  const seen = h.fake.responses.length;
  await h.command(text, { user: MARIA });
  // No article matches these texts: the ticket goes straight to the desk (no "I still need help" step).
  const resp = await h.fake.waitFor(() => h.fake.responses.slice(seen).find((x) => x.id.startsWith('cmd-')));
  expect(JSON.stringify(resp.body)).not.toContain('need_help');
  const card = await h.fake.waitFor(() => posts(TIER1)[before]);
  const cardTs = h.fake.messages.get(TIER1)![before]!.ts;
  return { card, cardTs, posts };
}

describe('slack names on a Slack-only desk', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ desk: { tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: TEAM, channel: TIER1 } } }, { level: 2, name: 'Tier 2', channels: { slack: { workspace: TEAM, channel: TIER2 } } }] } });
    h.fake.users.set(MARIA.user, { name: 'maria', real_name: 'María López García', display_name: 'María López' });
    // Alice's Slack profile says "ali"; the desk file says "Alice": the directory wins for agents.
    h.fake.users.set(ALICE.user, { name: 'alice_handle', display_name: 'ali' });
  });
  afterAll(async () => h?.stop());

  it('the requester is shown with their display name on the card and in the card thread, without a platform tag', async () => {
    const { card, cardTs, posts } = await openCard(h, 'the zorbl frobnicator on floor 3 emits purple smoke');
    expect(blockText(card.args.blocks)).toContain('María López');
    await h.event({ type: 'message', channel: DM, channel_type: 'im', user: MARIA.user, text: 'it is getting worse', ts: h.next() });
    const relayed = await h.fake.waitFor(() => posts(TIER1).find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes('getting worse')));
    const shown = `${String(relayed.args.text)}\n${blockText(relayed.args.blocks)}`;
    expect(shown).toContain('María López');
    expect(shown).not.toContain('U0MARIA');
    expect(shown).not.toContain('(slack)');
    // one users.info for María across the command, the button and the DM (cached)
    expect(h.fake.callsOf('users.info').filter((c) => c.args.user === MARIA.user)).toHaveLength(1);
  });

  it('a button claim and a reaction claim show the same agent name: the directory’s', async () => {
    const byButton = await openCard(h, 'the frobnicator again, now on floor 4');
    await h.interaction(h.blockAction(byButton.card.args.blocks, 'claim', { user: { user: ALICE.user, name: 'alice_handle' }, channel: TIER1, messageTs: byButton.cardTs }));
    const u1 = await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === byButton.cardTs && /claimed|Alice|ali/i.test(blockText(c.args.blocks))));

    const byReaction = await openCard(h, 'the frobnicator on floor 5 too');
    await h.event({ type: 'reaction_added', user: ALICE.user, reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: byReaction.cardTs }, item_user: 'UBOT', event_ts: h.next() });
    const u2 = await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === byReaction.cardTs && /claimed|Alice|ali/i.test(blockText(c.args.blocks))));

    for (const u of [u1, u2]) {
      const text = blockText(u.args.blocks);
      expect(text).toContain('Alice');
      expect(text).not.toContain('alice_handle');
      expect(text).not.toMatch(/\bali\b/);
    }
    const tickets = await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: MARIA.user } });
    expect(tickets.filter((t) => t.assignee).map((t) => t.assignee!.name)).toEqual(['Alice', 'Alice']);
  });
});

describe('slack names on a desk that spans platforms', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness(); // the test desk has Slack, Teams and Discord tier channels
    h.fake.users.set(MARIA.user, { name: 'maria', display_name: 'María López' });
  });
  afterAll(async () => h?.stop());

  it('tags the platform next to the name', async () => {
    const { cardTs, posts } = await openCard(h, 'the zorbl frobnicator on floor 3 emits purple smoke');
    await h.event({ type: 'message', channel: DM, channel_type: 'im', user: MARIA.user, text: 'it is getting worse', ts: h.next() });
    const relayed = await h.fake.waitFor(() => posts(TIER1).find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes('getting worse')));
    expect(`${String(relayed.args.text)}\n${blockText(relayed.args.blocks)}`).toContain('María López (slack)');
  });
});

describe('SlackPeople (users.info cache)', () => {
  let fake: SlackApiFake;
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (_o, m) => void warnings.push(m ?? ''), error() {}, child: () => log };
  beforeAll(async () => {
    fake = await new SlackApiFake().start();
  });
  afterAll(async () => fake?.stop());

  it('bounded and expiring; without users:read it warns once and stops asking', async () => {
    const client = new WebClient('xoxb-x', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    fake.users.set('U1', { name: 'one', display_name: 'One' });
    const people = new SlackPeople(client, log, { max: 2, ttlMs: 60_000 });
    expect(await people.profile('U1')).toMatchObject({ name: 'One' });
    await people.profile('U1');
    expect(fake.callsOf('users.info')).toHaveLength(1);
    await people.profile('U2');
    await people.profile('U3'); // U1 is now the least recently used of three: forgotten
    await people.profile('U1');
    expect(fake.callsOf('users.info').map((c) => c.args.user)).toEqual(['U1', 'U2', 'U3', 'U1']);

    const expiring = new SlackPeople(client, log, { ttlMs: 0 });
    await expiring.profile('U1');
    await expiring.profile('U1');
    expect(fake.callsOf('users.info')).toHaveLength(6);

    fake.scopes = fake.scopes.filter((s) => s !== 'users:read');
    const noScope = new SlackPeople(client, log);
    expect(await noScope.profile('U7')).toEqual({});
    expect(await noScope.profile('U8')).toEqual({});
    expect(fake.callsOf('users.info')).toHaveLength(7);
    expect(warnings).toEqual([expect.stringContaining('missing_scope users:read')]);
  });
});
