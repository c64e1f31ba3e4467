import { readFileSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reactionId } from '../../adapters/discord/discord.dispatch-intake.js';
import { INTAKE_QUEUE, intakeJobId } from '../../jobs/intake.queue.js';
import { DiscordFake, fakeUser } from '../fakes/discord.fake.js';
import { startRuntimeChild, type RuntimeChild } from '../support/runtime-child.js';
import { testRedis } from '../support/services.js';
import { STARTUP_MS, stormRuntime, until } from '../support/storm.js';

/**
 * "Received" means durable for the Discord gateway too: the real runtime (a child running
 * app/main.ts) receives N requester replies in ticket threads, N claim reactions on triage cards and
 * M file-ticket reactions, records each in the intake, and is SIGKILLed once the last is recorded
 * and a couple are processed (one intake job at a time: the next is likely in progress, the rest
 * waiting). A restarted process IDENTIFYs
 * anew (Discord would not replay them); after it every reply is relayed under its card exactly once,
 * every ticket claimed once, every reacted message filed once with one confirmation.
 */
const GUILD = '100000000000000000'; // helpdesk.example.yaml
const TIER1 = '200000000000000001';
const GENERAL = '200000000000000050';
const ANA = fakeUser('400000000000000002', 'Ana García');
const N = 10;
const M = 4;
const requester = (i: number) => fakeUser(String(410000000000000000n + BigInt(i)), `Requester ${i}`);
const poster = (j: number) => fakeUser(String(420000000000000000n + BigInt(j)), `Poster ${j}`);
const reactor = fakeUser('430000000000000001', 'Rita Reactor');

let fake: DiscordFake;
let env: Record<string, string>;
let db: Connection;
let child: RuntimeChild | undefined;
let close: (child?: RuntimeChild) => Promise<void>;

beforeAll(async () => {
  fake = await DiscordFake.start({
    guilds: [
      {
        id: GUILD,
        name: 'Acme',
        channels: [
          { id: TIER1, name: 'tier-1' },
          { id: '200000000000000002', name: 'tier-2' },
          { id: '200000000000000009', name: 'helpdesk-log' },
          { id: GENERAL, name: 'general' },
        ],
        roles: [
          { id: '300000000000000001', name: 'T1' },
          { id: '300000000000000002', name: 'T2' },
        ],
      },
    ],
  });
  const rt = await stormRuntime('dcrash', {
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    // One request at a time: the kill then finds most of them recorded and not yet processed.
    HELPDESK_INTAKE_CONCURRENCY: '1',
  });
  ({ env, db, close } = rt);
  // Ana (tier 1) gets a Discord identity and room for every claim.
  const desks = readFileSync(env.HELPDESK_CONFIG!, 'utf8')
    .replace('      - { platform: teams, workspace: 00000000-0000-0000-0000-000000000000, user: "29:ana" }', `$&\n      - { platform: discord, workspace: "${GUILD}", user: "${ANA.id}" }`)
    .replace('    maxLoad: 8', '    maxLoad: 50');
  expect(desks).toContain(ANA.id);
  writeFileSync(env.HELPDESK_CONFIG!, desks);
}, 120_000);
afterAll(async () => {
  await close?.(child);
  await fake?.close();
});

type Link = { role: string; channel: string; thread?: string; message?: string };
type TicketDoc = { _id: string; number: string; status: string; requester: { user: string }; links: Link[]; idempotencyKey?: string };
const tickets = () => db.collection<TicketDoc>('tickets').find({}).toArray();
const has = (channelId: string, needle: string) => fake.channelMessages(channelId).filter((m) => JSON.stringify(m).includes(needle)).length;

describe('Discord gateway storm: SIGKILL after the dispatches were recorded', () => {
  it(`${N} thread replies, ${N} claim reactions and ${M} file-ticket reactions are each applied exactly once after a restart`, async () => {
    child = await startRuntimeChild(env, STARTUP_MS);
    await until(async () => (child!.output().includes('Discord enabled') ? true : undefined), STARTUP_MS, () => child!.output().slice(-3000));

    // N tickets through /help (interactions: already durable), each with its private thread and its card.
    for (let i = 0; i < N; i++) fake.slashCommand({ user: requester(i), channelId: GENERAL, name: 'help', options: [{ type: 3, name: 'text', value: `the zorbl frobnicator unit ${i} emits purple smoke` }] });
    const opened = await until(
      async () => {
        const ts = await tickets();
        const ready = ts.filter((t) => t.links.some((l) => l.role === 'requester') && t.links.some((l) => l.role === 'triage' && l.message));
        return ready.length === N ? ready : undefined;
      },
      240_000,
      async () => `${(await tickets()).length} tickets\n${child!.output().slice(-3000)}`,
    );
    const byRequester = new Map(opened.map((t) => [t.requester.user, t]));

    // The burst: replies, claims, files (the posted messages themselves are chatter: not recorded).
    const jobIds: string[] = [];
    const replies: Array<{ card: string; text: string; thread: string }> = [];
    for (let i = 0; i < N; i++) {
      const t = byRequester.get(requester(i).id)!;
      const thread = t.links.find((l) => l.role === 'requester')!.channel;
      const card = t.links.find((l) => l.role === 'triage')!.message!;
      const text = `crash reply ${i}: the smoke is now green`;
      const sent = fake.userMessage({ user: requester(i), channelId: thread, content: text });
      jobIds.push(intakeJobId({ platform: 'discord', kind: 'message', id: sent.id }));
      replies.push({ card, text, thread });
      fake.reaction({ user: ANA, channelId: TIER1, messageId: card, emoji: '👀' });
      jobIds.push(intakeJobId({ platform: 'discord', kind: 'reaction', id: reactionId(card, ANA.id, { name: '👀' }) }));
    }
    const posted: string[] = [];
    for (let j = 0; j < M; j++) {
      const msg = fake.userMessage({ user: poster(j), channelId: GENERAL, content: `the zorbl lamp ${j} flickers in morse` });
      posted.push(msg.id);
      fake.reaction({ user: reactor, channelId: GENERAL, messageId: msg.id, emoji: '🎫' });
      jobIds.push(intakeJobId({ platform: 'discord', kind: 'reaction', id: reactionId(msg.id, reactor.id, { name: '🎫' }) }));
    }

    const redis = testRedis();
    const q = new Queue(INTAKE_QUEUE, { connection: redis, prefix: env.HELPDESK_QUEUE_PREFIX });
    try {
      // SIGKILL once every dispatch is in Redis (what the gateway received before is its remaining
      // window) and the worker has finished a couple, so that it is likely in the middle of the next one.
      await until(
        async () => {
          const jobs = await Promise.all(jobIds.map((id) => q.getJob(id)));
          if (!jobs.every(Boolean)) return undefined;
          const states = await Promise.all(jobs.map((j) => j!.getState()));
          return states.filter((s) => s === 'completed').length >= 2 ? true : undefined;
        },
        60_000,
        () => child!.output().slice(-3000),
      );
      child.kill('SIGKILL');
      await child.exited;
      const states = await Promise.all(jobIds.map(async (id) => (await q.getJob(id))!.getState()));
      const doneAtKill = states.filter((s) => s === 'completed').length;
      const activeAtKill = states.filter((s) => s === 'active').length;
      // The kill must have caught work not yet done, or this test would prove nothing.
      expect(doneAtKill).toBeLessThan(jobIds.length);

      child = await startRuntimeChild(env, STARTUP_MS);
      await until(
        async () => {
          const ts = await tickets();
          const relayed = replies.every((r) => has(r.card, r.text) > 0);
          const claimed = opened.every((o) => ts.find((t) => t._id === o._id)?.status === 'claimed');
          const filed = posted.every((id) => ts.some((t) => t.idempotencyKey === `discord:msg:${id}`));
          const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return relayed && claimed && filed && Object.values(c).every((n) => n === 0) ? true : undefined;
        },
        300_000, // a job killed while active waits out its 5 s lock, then core's 30 s claim lease
        async () => JSON.stringify({ doneAtKill, counts: await q.getJobCounts(), relayed: replies.filter((r) => has(r.card, r.text) > 0).length, claimed: (await tickets()).filter((t) => t.status === 'claimed').length }) + `\n${child!.output().slice(-3000)}`,
      );
      const delivery = new Queue('delivery', { connection: redis, prefix: env.HELPDESK_QUEUE_PREFIX });
      await until(async () => (Object.values(await delivery.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0) ? true : undefined), 120_000, async () => JSON.stringify(await delivery.getJobCounts()));
      await delivery.close();
      expect(await q.getJobCounts('failed')).toEqual({ failed: 0 });
      console.info(`discord storm crash: ${jobIds.length} dispatches recorded; at SIGKILL ${doneAtKill} processed, ${activeAtKill} in progress`);
    } finally {
      await q.close();
      redis.disconnect();
    }

    // Exactly once: each reply under its card once (and not echoed into its own thread), one claim
    // per ticket, one ticket and one confirmation per reacted message.
    for (const r of replies) {
      expect(has(r.card, r.text), r.text).toBe(1);
      expect(has(r.thread, r.text), r.text).toBe(1); // the requester's own message, stored by the fake
    }
    const timeline = db.collection<{ ticketId: string; event?: string; kind: string; text: string }>('timeline');
    for (const o of opened) {
      expect(await timeline.countDocuments({ ticketId: o._id, event: 'claim' }), o.number).toBe(1);
      expect(await timeline.countDocuments({ ticketId: o._id, kind: 'message', text: { $regex: '^crash reply' } }), o.number).toBe(1);
    }
    const ts = await tickets();
    for (const [j, id] of posted.entries()) {
      expect(ts.filter((t) => t.idempotencyKey === `discord:msg:${id}`), id).toHaveLength(1);
      expect(has(GENERAL, `<@${poster(j).id}>`), id).toBe(1);
    }
  }, 900_000);
});
