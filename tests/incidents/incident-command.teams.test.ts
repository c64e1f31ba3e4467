import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { startTeams, type TeamsHarness } from '../teams/harness.js';
import { personalMessage, type TeamsUser } from '../teams/activities.js';

const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const mallory: TeamsUser = { id: '29:mallory', name: 'Mallory' };

/** `incident …` typed to the bot in Teams (botbuilder CloudAdapter against the Bot Connector fake). */
describe('Teams: incident commands', () => {
  let h: TeamsHarness;
  const dm = (u: TeamsUser) => `a:dm-${u.id}`;
  const sentTo = (conv: string, from: number) =>
    h.connector.calls.slice(from).filter((c) => c.conversationId === conv && (c.kind === 'send' || c.kind === 'reply')).map((c) => `${c.body.text ?? ''}${JSON.stringify(c.body.attachments ?? [])}`);

  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 2)] });
  });
  afterAll(async () => h?.close());

  it('an agent declares and resolves in Spanish; a non-agent is refused and nothing is stored', async () => {
    let n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, 'incidente declarar SEV1 correo El correo no envía'));
    const said = sentTo(dm(bob), n).join('\n');
    const number = /INC-\d+/.exec(said)?.[0];
    expect(said).toContain('(SEV1): El correo no envía');
    const [inc] = await h.core.incidents.active({ service: 'correo' });
    expect(inc).toMatchObject({ number, severity: 'SEV1', status: 'investigating' });
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, `incident resolve ${number} fixed`));
    expect(sentTo(dm(bob), n).join('\n')).toContain(`${number} is resolved.`);
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, mallory, 'incident declare mail Mail down'));
    expect(sentTo(dm(mallory), n).join('\n')).toContain('Only agents of this desk can manage incidents.');
    expect(await h.core.incidentStore.list({})).toHaveLength(1);
    expect(await h.core.store.list({ requester: person('teams', mallory.id) })).toHaveLength(0);
  });
});
