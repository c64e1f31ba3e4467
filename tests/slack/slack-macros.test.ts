import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, blockText, startSlackHarness, TEAM, TIER1, type SlackHarness } from './slack-harness.js';

/**
 * Agent tools from Slack: `/help macro <name> <ticket>` (canned responses with placeholders),
 * `/help macros`, `/help pending <ticket>` — the real Bolt app, core on FerretDB, the fake Web API.
 */
describe('slack: macros and "waiting on requester" from /help', () => {
  let h: SlackHarness;
  const REQ = { user: 'UREQ', name: 'Rita' };
  const MALLORY = { user: 'UMAL', name: 'Mallory' };
  const DM = 'DUREQ';
  let number = '';
  let cardTs = '';
  const posts = (channel: string) => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  /** Runs `/help <text>` and waits for its ephemeral answer on the response_url. */
  async function ask(text: string, user: { user: string; name?: string }, channel = 'CGENERAL') {
    const triggerId = `trg.${h.next()}`;
    const r = await h.command(text, { user, channel, triggerId });
    expect(r.status).toBe(200);
    const resp = await h.fake.waitFor(() => h.fake.responses.find((x) => x.id === `cmd-${triggerId}`));
    expect(resp.body.response_type).toBe('ephemeral');
    return `${String(resp.body.text)}\n${blockText(resp.body.blocks)}`;
  }

  beforeAll(async () => {
    h = await startSlackHarness({
      desk: {
        macros: [
          { name: 'greeting', text: 'Hi {{requester}}, {{agent}} from {{desk}} here about {{ticket}} ({{subject}}).' },
          { name: 'need-info', text: 'Could you send a screenshot of the error?' },
        ],
      },
    });
    // A ticket on the desk, claimed by Alice (text that matches no article: straight to triage).
    await h.command('zqxv frobnicator widget 7781 is misbehaving', { user: REQ });
    const card = await h.fake.waitFor(() => posts(TIER1)[0]);
    cardTs = h.fake.messages.get(TIER1)![0]!.ts;
    const [t] = await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: REQ.user } });
    number = t!.number;
    await h.interaction(h.blockAction(card.args.blocks, 'claim', { user: ALICE, channel: TIER1, messageTs: cardTs }));
    expect((await h.composed.store.getByNumber(number))?.assignee?.user).toBe(ALICE.user);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('an agent sends a macro: the requester gets the rendered text, the card thread sees it, the agent is told', async () => {
    const said = await ask(`macro greeting ${number.toLowerCase()}`, ALICE, TIER1);
    expect(said).toContain(`Sent macro “greeting” on ${number}`);
    const toReq = await h.fake.waitFor(() => posts(DM).find((c) => String(c.args.text).includes('from IT here about')));
    const text = blockText(toReq.args.blocks);
    expect(text).toContain(`Hi Rita, Alice from IT here about ${number} (`);
    expect(text).toContain('frobnicator');
    expect(text).not.toMatch(/\{\{/);
    // No visible message of the agent's in the thread: the relay puts the text there too.
    const inThread = await h.fake.waitFor(() => posts(TIER1).find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes('from IT here about')));
    expect(blockText(inThread.args.blocks)).toContain('Alice');
    const t = (await h.composed.store.getByNumber(number))!;
    const tl = await h.composed.store.timeline(t.id, { includeInternal: true });
    expect(tl.filter((e) => e.visibility === 'public' && e.text.startsWith('Hi Rita'))).toHaveLength(1);
  });

  it('the ticket-first order works too; a retried command sends nothing twice', async () => {
    const triggerId = `trg.${h.next()}`;
    await h.command(`macro ${number} need-info`, { user: ALICE, channel: TIER1, triggerId });
    await h.fake.waitFor(() => h.fake.responses.find((x) => x.id === `cmd-${triggerId}`));
    await h.command(`macro ${number} need-info`, { user: ALICE, channel: TIER1, triggerId, retryNum: 1 });
    await h.fake.waitFor(() => posts(DM).find((c) => String(c.args.text).includes('screenshot')));
    const t = (await h.composed.store.getByNumber(number))!;
    const tl = await h.composed.store.timeline(t.id, { includeInternal: true });
    expect(tl.filter((e) => e.text.includes('screenshot'))).toHaveLength(1);
    expect(posts(DM).filter((c) => String(c.args.text).includes('screenshot'))).toHaveLength(1);
  });

  it('an unknown macro name is refused with the list of known ones; nothing is sent', async () => {
    const before = posts(DM).length;
    const said = await ask(`macro hello ${number}`, ALICE, TIER1);
    expect(said).toContain('unknown macro “hello” (known: greeting, need-info)');
    expect(posts(DM)).toHaveLength(before);
  });

  it('a non-agent cannot send macros or pend tickets', async () => {
    const before = posts(DM).length;
    expect(await ask(`macro greeting ${number}`, MALLORY)).toContain('Only agents of this desk can do that.');
    expect(await ask(`pending ${number}`, MALLORY)).toContain('Only agents of this desk can do that.');
    expect(posts(DM)).toHaveLength(before);
    expect((await h.composed.store.getByNumber(number))?.status).toBe('claimed');
  });

  it('/help macros lists the desk’s macros (also by ticket, and in Spanish)', async () => {
    const list = await ask('macros', ALICE, TIER1);
    expect(list).toContain('Macros of IT');
    expect(list).toContain('greeting');
    expect(list).toContain('need-info');
    expect(await ask(`plantillas ${number}`, ALICE)).toContain('need-info');
  });

  it('/help pending puts the ticket on "waiting on requester"; the requester’s reply resumes it', async () => {
    const said = await ask(`pending ${number}`, ALICE, TIER1);
    expect(said).toContain(`${number} is now waiting on the requester`);
    expect((await h.composed.store.getByNumber(number))?.status).toBe('pending');
    await h.fake.waitFor(() => posts(DM).find((c) => String(c.args.text).includes(`Alice is waiting on your answer about ${number}`)));
    await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === cardTs && blockText(c.args.blocks).includes('Waiting on requester')));

    await h.event({ type: 'message', channel: DM, channel_type: 'im', user: REQ.user, text: 'Here is the screenshot', ts: h.next() });
    await h.fake.waitFor(() => posts(TIER1).find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes('Here is the screenshot')));
    expect((await h.composed.store.getByNumber(number))?.status).toBe('claimed');
    // `pendiente` is the Spanish alias.
    expect(await ask(`pendiente ${number}`, ALICE, TIER1)).toContain('waiting on the requester');
    expect((await h.composed.store.getByNumber(number))?.status).toBe('pending');
  });

  it('/help help lists the agent commands', async () => {
    const usage = await ask('help', ALICE);
    expect(usage).toContain('/help macro &lt;name&gt; &lt;ticket&gt;'); // escaped for Slack mrkdwn
    expect(usage).toContain('/help pending &lt;ticket&gt;');
  });
});
