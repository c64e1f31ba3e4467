import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { personalMessage, type TeamsUser } from './activities.js';
import { startTeams, type TeamsHarness } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };

/** One dedupe key per inbound activity, and the card/message race, through the real CloudAdapter and the connector fake. */
describe('Teams: replays and the card/message race', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    // The keyword KB suggests nothing for these texts: each request is routed to triage at once.
    h = await startTeams({ desks: [testDesk()], agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)] });
  });
  afterAll(async () => h?.close());

  const ticketOf = async (u: TeamsUser) => (await h.core.store.list({ requester: person('teams', u.id) }))[0]!;
  const cardThread = (t: { links: Array<{ role: string; message?: string }> }) => t.links.find((l) => l.role === 'triage')!.message!;
  const intoCardThread = (message: string, text: string) =>
    h.connector.posted().filter((p) => p.call.conversationId === `${TIER1};messageid=${message}` && JSON.stringify(p.activity).includes(text));

  it('the requester’s first 1:1 message replayed with the same activity id (once the chat is linked) changes nothing', async () => {
    const dana: TeamsUser = { id: '29:dana', name: 'Dana' };
    const first = personalMessage(h.connector.url, dana, 'the wobbly standing desk motor grinds');
    expect((await h.send(first)).status).toBe(200);
    const t = await ticketOf(dana);
    expect(t.status).toBe('open');
    const card = cardThread((await h.core.store.get(t.id))!);
    const before = h.connector.calls.length;

    expect((await h.send(first)).status).toBe(200); // Teams replays the activity
    expect((await h.core.store.timeline(t.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(intoCardThread(card, 'grinds')).toHaveLength(0);
    expect(h.connector.calls.length).toBe(before);
  });

  it('a 1:1 message sent while the triage card is being created is relayed into the card’s thread once it exists', async () => {
    const erin: TeamsUser = { id: '29:erin', name: 'Erin' };
    const create = h.connector.hold('create', (body) => body?.channelData?.channel?.id === TIER1);
    const opening = h.send(personalMessage(h.connector.url, erin, 'the frobnicator on desk 12 beeps'));
    await create.reached;
    expect((await h.send(personalMessage(h.connector.url, erin, 'it beeps every ten seconds'))).status).toBe(200);
    const t = await ticketOf(erin);
    expect(t.links.some((l) => l.role === 'triage')).toBe(false);
    create.release();
    expect((await opening).status).toBe(200);
    const card = cardThread((await h.core.store.get(t.id))!);
    expect(intoCardThread(card, 'every ten seconds')).toHaveLength(1);
  });
});
