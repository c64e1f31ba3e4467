import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { reactionId } from '../../adapters/discord/discord.dispatch-intake.js';
import { intakeJobId } from '../../jobs/intake.queue.js';
import { fakeUser } from '../fakes/discord.fake.js';
import { until } from '../support/storm.js';
import { G, startHarness, users, type Harness } from './discord.harness.js';

/**
 * Gateway messages and reactions through the durable intake (real discord.js against the fake,
 * IntakeQueue + intake worker on the test Redis): recorded by message id / message+user+emoji before
 * anything else, deduplicated there, run through the handlers by the worker; chatter is not recorded;
 * a malformed record fails at once and stores nothing.
 */
describe('discord adapter: gateway messages and reactions through the durable intake', () => {
  let h: Harness;
  let completed: Map<string, number>;
  beforeAll(async () => {
    h = await startHarness({ intake: true });
    completed = h.intake!.completed;
  });
  afterAll(async () => {
    await h?.close();
  });

  const q = () => h.intake!.queue.queue;
  const cardOf = (number: string) => h.fake.channelMessages(G.tier1).find((m) => m.embeds?.[0]?.title?.startsWith(`${number} ·`));
  const jobOf = (kind: 'message' | 'reaction', id: string) => intakeJobId({ platform: 'discord', kind, id });
  const stateOf = async (jobId: string) => (await (await q().getJob(jobId))?.getState()) ?? 'unknown';
  const done = (jobId: string, label: string) => until(async () => ((completed.get(jobId) ?? 0) > 0 ? true : undefined), 20_000, () => label);
  const textsIn = (channelId: string, needle: string) => h.fake.channelMessages(channelId).filter((m) => JSON.stringify(m).includes(needle));

  async function openRouted(text: string) {
    const routed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.description === text, 'routed');
    const ix = h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    const t = (await routed).ticket;
    const card = await h.fake.waitFor(() => cardOf(t.number), 'card');
    await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
    return { t, card, thread: t.links.find((l) => l.role === 'requester')!.channel };
  }

  it('a thread message is recorded under its message id and relayed once, however often the gateway delivers it', async () => {
    const { t, card } = await openRouted('the zorbl badge unit qwz hums all night');
    const thread = t.links.find((l) => l.role === 'requester')!.channel;
    const sent = h.fake.userMessage({ user: users.customer, channelId: thread, content: 'it started after the firmware update' });
    h.fake.redispatch(sent.seq); // the same MESSAGE_CREATE again, at once
    const jobId = jobOf('message', sent.id);
    await done(jobId, 'message job');
    // Relayed under the card (the thread the adapter starts from the card: its id is the card's).
    await h.fake.waitFor(() => textsIn(card.id, 'it started after the firmware update').length > 0, 'relay');
    h.fake.redispatch(sent.seq); // and once more after it was processed
    await h.adapter.inbound.drain();
    await until(async () => ((await stateOf(jobId)) === 'completed' ? true : undefined), 10_000, () => 'completed');
    expect(completed.get(jobId)).toBe(1);
    expect(textsIn(card.id, 'it started after the firmware update')).toHaveLength(1);
    const said = (await h.hd.store.timeline(t.id)).filter((e) => e.text === 'it started after the firmware update');
    expect(said).toHaveLength(1);
  });

  it('the claim reaction is recorded under message+user+emoji and applied once', async () => {
    const { t, card } = await openRouted('the coffee machine zkq asks for a password');
    const seq = h.fake.reaction({ user: users.agent, channelId: G.tier1, messageId: card.id, emoji: '👀' });
    h.fake.redispatch(seq);
    const jobId = jobOf('reaction', reactionId(card.id, users.agent.id, { id: null, name: '👀' }));
    expect(jobId).toContain('1f440'); // the emoji by code point, not flattened to '_'
    await done(jobId, 'reaction job');
    await until(async () => ((await h.ticket(t.number)).status === 'claimed' ? true : undefined), 10_000, () => 'claimed');
    h.fake.redispatch(seq);
    await h.adapter.inbound.drain();
    expect(completed.get(jobId)).toBe(1);
    expect((await h.ticket(t.number)).assignee?.user).toBe(users.agent.id);
    expect((await h.hd.store.timeline(t.id)).filter((e) => e.event === 'claim')).toHaveLength(1);
  });

  it('the file-ticket reaction is recorded; the worker reads the message through REST and files it once', async () => {
    const author = fakeUser('900000000000000105', 'Pat Poster');
    const msg = h.fake.userMessage({ user: author, channelId: G.support, content: 'the elevator zpx stops between floors' });
    const seq = h.fake.reaction({ user: users.stranger, channelId: G.support, messageId: msg.id, emoji: '🎫' });
    h.fake.redispatch(seq);
    const jobId = jobOf('reaction', reactionId(msg.id, users.stranger.id, { id: null, name: '🎫' }));
    await done(jobId, 'file reaction job');
    await h.adapter.inbound.drain();
    const filed = await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: author.id } });
    expect(filed.map((x) => x.description)).toEqual(['the elevator zpx stops between floors']);
    expect(h.fake.calls('GET', new RegExp(`^/channels/${G.support}/messages/${msg.id}$`)).length).toBeGreaterThan(0);
    // The message itself was chatter in a guild channel (not a thread): never recorded.
    expect(await stateOf(jobOf('message', msg.id))).toBe('unknown');
    expect(textsIn(G.support, `<@${author.id}>`)).toHaveLength(1); // one confirmation
  });

  it('a message or file reaction whose claim a killed attempt still holds is retried after the lease, not dropped as a duplicate', async () => {
    const { t, card } = await openRouted('the zorbl kiosk qvv reboots at noon');
    const thread = t.links.find((l) => l.role === 'requester')!.channel;
    const idem = h.hd.helpdesk.deps.idempotency;
    // What a process killed mid-way leaves behind: the event's claim, held until its lease expires.
    const sent = h.fake.userMessage({ user: users.customer, channelId: thread, content: 'it reboots at midnight too' });
    const held = await idem.begin(sent.id);
    const author = fakeUser('900000000000000106', 'Quinn Poster');
    const posted = h.fake.userMessage({ user: author, channelId: G.support, content: 'the zorbl fountain qvx sprays sideways' });
    const heldFile = await idem.begin(`discord:reaction-file:${posted.id}:${users.stranger.id}:🎫`);
    expect([held.outcome, heldFile.outcome]).toEqual(['run', 'run']);
    h.fake.reaction({ user: users.stranger, channelId: G.support, messageId: posted.id, emoji: '🎫' });
    const ids = [jobOf('message', sent.id), jobOf('reaction', reactionId(posted.id, users.stranger.id, { name: '🎫' }))];
    // Each first attempt finds the claim busy and is thrown back (delayed for a retry), not completed.
    await until(async () => ((await Promise.all(ids.map(async (id) => (await q().getJob(id))?.attemptsMade ?? 0))).every((n) => n >= 1) ? true : undefined), 20_000, () => 'first attempts');
    expect(ids.map((id) => completed.get(id) ?? 0)).toEqual([0, 0]);
    // The lease expires (released here instead of waiting 30 s): the retries do the work, once.
    if (held.outcome === 'run') await idem.release(sent.id, held.token);
    if (heldFile.outcome === 'run') await idem.release(`discord:reaction-file:${posted.id}:${users.stranger.id}:🎫`, heldFile.token);
    await Promise.all(ids.map((id) => done(id, id)));
    await h.fake.waitFor(() => textsIn(card.id, 'it reboots at midnight too').length > 0, 'relay after the lease');
    await h.adapter.inbound.drain();
    expect(textsIn(card.id, 'it reboots at midnight too')).toHaveLength(1);
    expect(await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: author.id } })).toHaveLength(1);
  });

  it('two quick messages of one thread are relayed in the order they were written, even when the first is slower to handle', async () => {
    const { t, card, thread } = await openRouted('the zorbl turnstile qtt counts twice');
    h.fake.userMessage({ user: users.customer, channelId: thread, content: 'it counted me twice again' });
    await h.fake.waitFor(() => textsIn(card.id, 'it counted me twice again').length > 0, 'the thread under the card');
    // The first reply's handling is slow (a slow database round trip): the worker (4 at once) takes the
    // second meanwhile, which must wait for it rather than overtake it.
    const hd = h.hd.helpdesk;
    const handle = hd.handle.bind(hd);
    hd.handle = async (e) => {
      if (e.type === 'ticket.message' && e.text === 'first: unplug it') await new Promise((r) => setTimeout(r, 1500));
      return handle(e);
    };
    try {
      const first = h.fake.userMessage({ user: users.agent, channelId: card.id, content: 'first: unplug it' });
      const second = h.fake.userMessage({ user: users.agent, channelId: card.id, content: 'second: wait ten seconds' });
      await Promise.all([done(jobOf('message', first.id), 'first'), done(jobOf('message', second.id), 'second')]);
      await h.adapter.inbound.drain();
    } finally {
      hd.handle = handle;
    }
    const relayed = h.fake.channelMessages(thread).map((m) => JSON.stringify(m)).filter((m) => m.includes('first: unplug it') || m.includes('second: wait ten seconds'));
    expect(relayed.map((m) => (m.includes('first:') ? 'first' : 'second'))).toEqual(['first', 'second']);
    const said = (await h.hd.store.timeline(t.id)).map((e) => e.text).filter((x) => x === 'first: unplug it' || x === 'second: wait ten seconds');
    expect(said).toEqual(['first: unplug it', 'second: wait ten seconds']);
  });

  it('what the bot ignores is not recorded: bots, channels outside threads, other emoji, other guilds', async () => {
    const { thread, card } = await openRouted('the scanner qzz saves blank pages');
    const bot = h.fake.userMessage({ user: fakeUser('900000000000000199', 'Other Bot', true), channelId: thread, content: 'beep' });
    const chatter = h.fake.userMessage({ user: users.stranger, channelId: G.tier1, content: 'lunch?' });
    const otherEmoji = h.fake.reaction({ user: users.agent, channelId: G.tier1, messageId: card.id, emoji: '🍕' });
    const foreign = { ...h.fake.channelMessages(thread).at(-1), id: '900000000000009999', guild_id: '900000000000000777', author: users.stranger, content: 'elsewhere' };
    h.fake.dispatch('MESSAGE_CREATE', foreign);
    // A relevant message last: the gateway is ordered, so once it is recorded the others were seen.
    const sentinel = h.fake.userMessage({ user: users.customer, channelId: thread, content: 'sentinel zqq' });
    await done(jobOf('message', sentinel.id), 'sentinel');
    expect(await stateOf(jobOf('message', bot.id))).toBe('unknown');
    expect(await stateOf(jobOf('message', chatter.id))).toBe('unknown');
    expect(await stateOf(jobOf('message', foreign.id))).toBe('unknown');
    expect(await stateOf(jobOf('reaction', reactionId(card.id, users.agent.id, { name: '🍕' })))).toBe('unknown');
    expect(otherEmoji).toBeGreaterThan(0);
  });

  it('a worker without a gateway connection (REST only) rebuilds an agent reply under the card and relays it; the job run again changes nothing', async () => {
    const { t, card, thread } = await openRouted('the zorbl vending unit qyy keeps the coins');
    // The thread under the card exists once something was relayed into it.
    h.fake.userMessage({ user: users.customer, channelId: thread, content: 'three coins so far' });
    await h.fake.waitFor(() => textsIn(card.id, 'three coins so far').length > 0, 'first relay');
    await h.intake!.worker.pause();
    const reply = h.fake.userMessage({ user: users.agent, channelId: card.id, content: 'a technician is on the way' });
    const jobId = jobOf('message', reply.id);
    const job = await until(async () => (await q().getJob(jobId)) ?? undefined, 10_000, () => 'agent reply recorded');
    // Another process's adapter: never started (no gateway, empty cache), REST only.
    const restOnly = createDiscordAdapter({ helpdesk: h.hd.helpdesk, directory: h.hd.directory, store: h.hd.store, token: 'fake-bot-token', applicationId: h.fake.applicationId, apiUrl: h.fake.apiUrl, guildIds: [G.guild], delivery: h.hd.delivery, registerCommandsOnStart: false, restRetries: 0 });
    try {
      expect(restOnly.client.channels.cache.size).toBe(0);
      const lookups = h.fake.calls('GET', new RegExp(`^/channels/${card.id}$`)).length;
      await restOnly.replay(job.data, { attempt: 1, final: false, answerOnce: async (_k, send) => send(false) });
      expect(h.fake.calls('GET', new RegExp(`^/channels/${card.id}$`)).length).toBe(lookups + 1); // the card thread's parent, through REST
      await h.fake.waitFor(() => textsIn(thread, 'a technician is on the way').length > 0, 'relayed to the requester');
    } finally {
      await restOnly.stop();
    }
    await h.intake!.worker.resume();
    await done(jobId, 'the same job in the regular worker');
    await h.adapter.inbound.drain();
    expect(textsIn(thread, 'a technician is on the way')).toHaveLength(1);
    expect((await h.hd.store.timeline(t.id)).filter((e) => e.text === 'a technician is on the way')).toHaveLength(1);
  });

  it('a malformed recorded message or envelope fails at once, is kept in the failed set and stores nothing', async () => {
    const { t, card } = await openRouted('the projector qxz shows only green');
    const before = (await h.hd.store.timeline(t.id)).length;
    const relaysBefore = h.fake.channelMessages(card.id).length;
    // A message record without its author (never sent by Discord; a damaged record).
    const noAuthor = { id: '900000000000008001', channel_id: t.links.find((l) => l.role === 'requester')!.channel, guild_id: G.guild, content: 'ghost text', timestamp: new Date().toISOString(), type: 0 };
    await h.intake!.queue.record({ v: 1, platform: 'discord', kind: 'message', id: noAuthor.id, receivedAt: Date.now(), payload: noAuthor });
    // An envelope of an unknown version.
    await q().add('message', { v: 2, platform: 'discord', kind: 'message', id: '900000000000008002', receivedAt: Date.now(), payload: { ...noAuthor, author: users.customer } } as never, { jobId: jobOf('message', '900000000000008002') });
    // A kind the adapter does not handle.
    await h.intake!.queue.record({ v: 1, platform: 'discord', kind: 'typing', id: '900000000000008003', receivedAt: Date.now(), payload: {} });
    const ids = [jobOf('message', '900000000000008001'), jobOf('message', '900000000000008002'), safeTyping('900000000000008003')];
    await until(async () => ((await Promise.all(ids.map(stateOf))).every((s) => s === 'failed') ? true : undefined), 20_000, async () => JSON.stringify(await Promise.all(ids.map(stateOf))));
    for (const id of ids) {
      const job = (await q().getJob(id))!;
      expect(job.attemptsMade).toBe(1); // no retries: it would not read better
      expect(job.failedReason).toMatch(/unreadable|rejected|does not handle/);
    }
    expect((await q().getFailed()).map((j) => j.id)).toEqual(expect.arrayContaining(ids));
    expect(await h.hd.store.timeline(t.id)).toHaveLength(before);
    expect(h.fake.channelMessages(card.id)).toHaveLength(relaysBefore);
  });
});

const safeTyping = (id: string) => intakeJobId({ platform: 'discord', kind: 'typing', id });
