import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { actionOf, cardOf, startTeams, type TeamsHarness } from './harness.js';
import { parseTeamsCommand } from '../../adapters/teams/teams.commands.js';
import { cardAction, channelMessage, personalMessage, type TeamsUser } from './activities.js';

const TIER1 = '19:tier1@thread.tacv2';
const alice: TeamsUser = { id: '29:alice', name: 'Alice Requester' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const mallory: TeamsUser = { id: '29:mallory', name: 'Mallory' };

/** Agent tools from Teams text commands: `macro <name> <ticket>`, `macros`, `pending <ticket>`. */
describe('Teams: macros and "waiting on requester" as text commands', () => {
  let h: TeamsHarness;
  let ticketId = '';
  let number = '';
  let cardConv = '';
  const dm = (u: TeamsUser) => `a:dm-${u.id}`;
  /** Texts of what the bot sent since call index `from`, to one conversation. */
  const sentTo = (conv: string, from: number) =>
    h.connector.calls.slice(from).filter((c) => c.conversationId === conv && (c.kind === 'send' || c.kind === 'reply')).map((c) => `${c.body.text ?? ''}${JSON.stringify(c.body.attachments ?? [])}`);

  beforeAll(async () => {
    h = await startTeams({
      desks: [testDesk({ macros: [{ name: 'greeting', text: 'Hi {{requester}}, {{agent}} from {{desk}} here about {{ticket}}: {{subject}}' }, { name: 'logs', text: 'Please send the logs.' }] })],
      agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)],
    });
    // No article matches: straight to the tier-1 card; Bob claims it there.
    await h.send(personalMessage(h.connector.url, alice, 'The badge printer shows error 42'));
    const created = h.connector.callsOf('create', TIER1);
    expect(created).toHaveLength(1);
    const t = (await h.core.store.list({ requester: person('teams', alice.id) }))[0]!;
    ticketId = t.id;
    number = t.number;
    const cardId = created[0]!.answeredActivityId!;
    cardConv = `${TIER1};messageid=${cardId}`;
    await h.send(cardAction(h.connector.url, bob, actionOf(cardOf(created[0]!.body.activity), 'hd:claim'), { conversation: cardConv, replyToId: cardId }));
    expect((await h.core.store.get(ticketId))!.status).toBe('claimed');
  });
  afterAll(async () => h?.close());

  it('an agent sends a macro from the 1:1 chat: the requester and the card thread get the rendered text', async () => {
    const n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, `macro greeting ${number}`));
    const toAlice = sentTo(dm(alice), n).join('\n');
    expect(toAlice).toContain(`Hi Alice Requester, Bob Agent from IT here about ${number}: The badge printer shows error 42`);
    expect(sentTo(cardConv, n).join('\n')).toContain('Bob Agent from IT here about');
    expect(sentTo(dm(bob), n).join('\n')).toContain(`Sent macro “greeting” on ${number}`);
  });

  it('an unknown macro gets the list of known ones; a non-agent is refused; nothing reaches the requester', async () => {
    const n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, `macro ${number} hello`));
    expect(sentTo(dm(bob), n).join('\n')).toContain('unknown macro “hello” (known: greeting, logs)');
    await h.send(personalMessage(h.connector.url, mallory, `macro logs ${number}`));
    expect(sentTo(dm(mallory), n).join('\n')).toContain('Only agents of this desk can do that.');
    expect(sentTo(dm(alice), n)).toHaveLength(0);
    expect(await h.core.store.list({ requester: person('teams', mallory.id) })).toHaveLength(0); // not a help request
  });

  it('`macros` lists the desk’s macros', async () => {
    const n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, 'macros'));
    const list = sentTo(dm(bob), n).join('\n');
    expect(list).toContain('Macros of IT');
    expect(list).toContain('greeting');
    expect(list).toContain('logs');
  });

  it('`@Helpdesk pending <ticket>` in the card thread pends the ticket (not relayed); the requester’s reply resumes it', async () => {
    const n = h.connector.calls.length;
    const cardId = cardConv.split('=')[1]!;
    await h.send(channelMessage(h.connector.url, bob, TIER1, `pending ${number}`, { thread: cardId, mention: true }));
    expect((await h.core.store.get(ticketId))!.status).toBe('pending');
    expect(sentTo(dm(alice), n).join('\n')).toContain(`Bob Agent is waiting on your answer about ${number}`);
    expect(sentTo(dm(bob), n).join('\n')).toContain(`${number} is now waiting on the requester`);
    expect((await h.core.store.timeline(ticketId)).some((e) => e.text.includes(`pending ${number}`))).toBe(false);

    await h.send(personalMessage(h.connector.url, alice, 'Here are the logs'));
    expect((await h.core.store.get(ticketId))!.status).toBe('claimed');
  });
});

describe('Teams command parser: agent tools', () => {
  it('reads macro/macros/pending with or without a leading `help`, Spanish aliases included; other text stays text', () => {
    expect(parseTeamsCommand('macro greeting it-4')).toEqual({ kind: 'macro', name: 'greeting', ticket: 'IT-4' });
    expect(parseTeamsCommand('help plantilla IT-4 greeting')).toEqual({ kind: 'macro', name: 'greeting', ticket: 'IT-4' });
    expect(parseTeamsCommand('macros')).toEqual({ kind: 'macros' });
    expect(parseTeamsCommand('pendiente IT-4')).toEqual({ kind: 'pending', ticket: 'IT-4' });
    expect(parseTeamsCommand('pending approval of my laptop')).toEqual({ kind: 'text', text: 'pending approval of my laptop' });
    expect(parseTeamsCommand('help macro greeting')).toEqual({ kind: 'help', text: 'macro greeting' });
  });
});
