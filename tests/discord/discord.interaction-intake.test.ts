import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeJobId } from '../../jobs/intake.queue.js';
import { failNext } from '../support/faults.js';
import { until } from '../support/storm.js';
import { G, customIds, startHarness, users, type Harness } from './discord.harness.js';

/**
 * Interactions (slash `/help`, card buttons) through the durable intake while the event's claim in
 * core is still held by an earlier attempt — what a process SIGKILLed mid-way leaves behind until its
 * 30 s lease ends. The intake job must be thrown back and retried after the lease, not completed as
 * a duplicate (the person would never get the deferred reply, the card never be claimed or posted).
 * The lease's end is played by releasing the claim (instead of waiting 30 s).
 */
describe('discord adapter: interactions whose claim a killed attempt still holds', () => {
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
  const idem = () => h.hd.helpdesk.deps.idempotency;
  const jobOf = (id: string) => intakeJobId({ platform: 'discord', kind: 'interaction', id });
  const cardOf = (number: string) => h.fake.channelMessages(G.tier1).find((m) => m.embeds?.[0]?.title?.startsWith(`${number} ·`));
  const mine = async (text: string) => (await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: users.customer.id } })).filter((t) => t.description === text);
  const openThreads = () => h.fake.threadsOf(G.support).filter((c) => !c.thread_metadata?.archived).map((c) => c.id as string);

  /**
   * The interaction is dispatched while the worker is paused, `hold` takes its claim as the killed
   * attempt left it, then the worker runs it: its first attempt must be thrown back (not completed).
   */
  async function heldWhileDelivered(dispatch: () => { id: string; token: string }, hold: (ixId: string) => Promise<string>) {
    await h.intake!.worker.pause();
    const ix = dispatch();
    const jobId = jobOf(ix.id);
    await until(async () => ((await q().getJob(jobId)) ? true : undefined), 10_000, () => 'recorded');
    const key = await hold(ix.id);
    const held = await idem().begin(key);
    expect(held.outcome).toBe('run');
    h.intake!.worker.resume();
    await until(async () => (((await q().getJob(jobId))?.attemptsMade ?? 0) >= 1 ? true : undefined), 20_000, () => 'first attempt');
    expect(completed.get(jobId) ?? 0).toBe(0);
    return {
      ix,
      jobId,
      /** The lease ends: the intake's next try does the work. */
      release: async () => {
        if (held.outcome === 'run') await idem().release(key, held.token);
        await until(async () => ((completed.get(jobId) ?? 0) > 0 ? true : undefined), 20_000, () => `${jobId} completed`);
        await h.adapter.inbound.drain();
      },
    };
  }

  it('/help with no ticket stored yet: retried after the lease, then one ticket, one open thread, the deferred reply edited', async () => {
    const text = 'the zorbl vending unit qkx eats every coin';
    const threadsBefore = new Set(openThreads());
    const { ix, release } = await heldWhileDelivered(
      () => h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] }),
      async (id) => `discord:${id}`,
    );
    expect(await mine(text)).toHaveLength(0);
    expect(h.fake.interactions.get(ix.token)?.original).toBeUndefined();
    // The thread each thrown-back attempt opened is archived, not left orphaned.
    expect(openThreads().filter((id) => !threadsBefore.has(id))).toEqual([]);

    await release();
    const [t] = await mine(text);
    expect(t).toBeDefined();
    expect(JSON.stringify(h.fake.interactions.get(ix.token)?.original)).toContain(t!.number);
    const fresh = openThreads().filter((id) => !threadsBefore.has(id));
    expect(fresh).toEqual([t!.links.find((l) => l.role === 'requester')!.channel]);
    await h.fake.waitFor(() => cardOf(t!.number), 'card');
  });

  it('/help whose killed attempt stored the ticket but never announced its route: the retry posts the card once and answers', async () => {
    const text = 'the zorbl frobnicator qjv wibbles sideways';
    const { ix, release } = await heldWhileDelivered(
      () => h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] }),
      async (id) => {
        // The killed attempt: the ticket stored and routed, the route's announcement lost with the process.
        const fault = failNext(h.hd.events, 'emit', { times: 2, when: (e) => (e as { type: string }).type === 'ticket.routed' });
        const requester = { platform: 'discord' as const, workspace: G.guild, user: users.customer.id, name: users.customer.global_name ?? users.customer.username };
        await expect(
          h.hd.helpdesk.handle({ type: 'help.request', eventId: `discord:${id}`, request: { idempotencyKey: `discord:${id}`, requester, text, origin: { platform: 'discord', workspace: G.guild, channel: G.support } } }),
        ).rejects.toThrow('injected failure');
        fault.restore();
        return `discord:${id}`;
      },
    );
    const [stored] = await mine(text);
    expect(stored?.status).toBe('open');
    expect(cardOf(stored!.number)).toBeUndefined();
    expect(h.fake.interactions.get(ix.token)?.original).toBeUndefined();

    await release();
    await h.fake.waitFor(() => cardOf(stored!.number), 'card after the lease');
    expect(h.fake.channelMessages(G.tier1).filter((m) => m.embeds?.[0]?.title?.startsWith(`${stored!.number} ·`))).toHaveLength(1);
    expect(JSON.stringify(h.fake.interactions.get(ix.token)?.original)).toContain(stored!.number);
    expect(await mine(text)).toHaveLength(1);
  });

  it('a card button (claim) whose claim is held: retried after the lease and applied once', async () => {
    const text = 'the zorbl quux gadget qpw hums at noon';
    const routed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.description === text, 'routed');
    h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    const t = (await routed).ticket;
    const card = await h.fake.waitFor(() => cardOf(t.number), 'card');
    const claimId = customIds(card).find((id) => id.startsWith('hd:claim:'))!;
    const { release } = await heldWhileDelivered(
      () => h.fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, customId: claimId }),
      async (id) => id,
    );
    expect((await h.ticket(t.number)).status).toBe('open');
    await release();
    await until(async () => ((await h.ticket(t.number)).status === 'claimed' ? true : undefined), 10_000, () => 'claimed');
    expect((await h.ticket(t.number)).assignee?.user).toBe(users.agent.id);
    expect((await h.hd.store.timeline(t.id)).filter((e) => e.event === 'claim')).toHaveLength(1);
  });
});
