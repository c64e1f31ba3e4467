import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { bounded, breakField, httpPost, capturingLogger, clone, noisyJson, pick, rng, storedCounts, watchProcess, wild, type ReadField } from '../support/fuzz.js';
import { botAddedToTeam, cardAction, channelMessage, personalMessage, reaction, submitAction, type TeamsUser } from './activities.js';
import { startTeams, type TeamsHarness } from './harness.js';

/**
 * Fuzzes the real Teams receiver (`handleRequest` → CloudAdapter → the bot) with a few thousand
 * malformed activities (messages, mentions, reactions, installs, card and message-extension
 * invokes) generated from valid samples by a seeded PRNG: each is answered 400, counted, logged
 * without content, and stores nothing.
 */

const SEED = 0x7ea5;
const PER_SAMPLE = 320;
const WILD = 200;
const CONCURRENCY = 8;
const MAX_BODY = 250_000;
const TIER1 = '19:tier1@thread.tacv2';
const alice: TeamsUser = { id: '29:alice', name: 'Alice Requester' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };

const ID: Omit<ReadField, 'path'> = { kind: 'string', maxLength: 1_024, minLength: 1 };
// Texts are bounded by the 256 KiB body limit before the schema's (much larger) bound: type breaks only.
const TEXT: Omit<ReadField, 'path'> = { kind: 'string', nullable: true };
const f = (path: ReadField['path'], spec: Omit<ReadField, 'path'>, required = false): ReadField => ({ path, ...spec, required });

/** What every activity carries and botbuilder or the bot reads. */
const COMMON: ReadField[] = [
  f(['type'], { kind: 'string' }, true), f(['serviceUrl'], { kind: 'string', maxLength: 2_048, pattern: true }, true), f(['channelId'], { kind: 'string', maxLength: 64, minLength: 1 }, true),
  f(['from'], { kind: 'object' }, true), f(['from', 'id'], ID, true), f(['from', 'name'], { kind: 'string', maxLength: 1_024, nullable: true }),
  f(['recipient'], { kind: 'object' }, true), f(['recipient', 'id'], ID, true), f(['conversation'], { kind: 'object' }, true), f(['conversation', 'id'], ID, true),
  f(['conversation', 'conversationType'], { kind: 'string', maxLength: 64, nullable: true }), f(['conversation', 'tenantId'], { kind: 'string', maxLength: 256, nullable: true }),
  f(['channelData'], { kind: 'object' }), f(['locale'], { kind: 'string', maxLength: 64, nullable: true }), f(['id'], ID),
];

interface Sample {
  name: string;
  make(url: string): Record<string, unknown>;
  reads: ReadField[];
}

const SAMPLES: Sample[] = [
  { name: 'personal message', make: (u) => personalMessage(u, alice, 'my laptop will not boot'), reads: [...COMMON, f(['text'], TEXT), f(['channelData', 'tenant'], { kind: 'object', nullable: true }), f(['channelData', 'tenant', 'id'], ID, true)] },
  {
    name: 'channel mention',
    make: (u) => channelMessage(u, alice, '19:general@thread.tacv2', 'help the printer is jammed', { mention: true }),
    reads: [...COMMON, f(['text'], TEXT), f(['entities'], { kind: 'array', nullable: true }), f(['entities', 0, 'type'], { kind: 'string', maxLength: 128 }, true), f(['entities', 0, 'mentioned'], { kind: 'object' }, true), f(['entities', 0, 'mentioned', 'id'], ID, true), f(['channelData', 'channel', 'id'], ID, true)],
  },
  { name: 'reaction', make: (u) => reaction(u, bob, TIER1, '1701000000001'), reads: [...COMMON, f(['reactionsAdded'], { kind: 'array', nullable: true }), f(['reactionsAdded', 0, 'type'], { kind: 'string', maxLength: 128 }, true), f(['replyToId'], { ...ID, nullable: true })] },
  {
    name: 'installed in a team',
    make: (u) => botAddedToTeam(u, bob),
    reads: [...COMMON, f(['membersAdded'], { kind: 'array', nullable: true }), f(['membersAdded', 0, 'id'], ID, true), f(['channelData', 'team'], { kind: 'object', nullable: true }), f(['channelData', 'team', 'id'], ID, true), f(['channelData', 'team', 'name'], { kind: 'string', maxLength: 1_024, nullable: true }), f(['channelData', 'eventType'], { kind: 'string', maxLength: 128, nullable: true })],
  },
  {
    name: 'card action invoke',
    make: (u) => cardAction(u, bob, { verb: 'hd:claim', data: { hd: { action: 'claim', ticketId: 'T-none' } } }, { conversation: `${TIER1};messageid=1701000000002`, replyToId: '1701000000002' }),
    reads: [
      ...COMMON, f(['name'], { kind: 'string', maxLength: 256 }), f(['value'], { kind: 'object' }, true), f(['value', 'action'], { kind: 'object' }, true), f(['value', 'action', 'type'], { kind: 'string', maxLength: 64 }, true),
      f(['value', 'action', 'data'], { kind: 'object' }), f(['value', 'action', 'data', 'hd'], { kind: 'object' }), f(['value', 'action', 'data', 'hd', 'action'], { kind: 'string', maxLength: 64 }, true), f(['value', 'action', 'data', 'hd', 'ticketId'], { kind: 'string', maxLength: 256 }, true),
    ],
  },
  {
    name: 'create-ticket message action',
    make: (u) => submitAction(u, bob, '19:general@thread.tacv2', { id: '1701000000003', html: '<p>the wiki is down</p>', author: 'Alice' }, 'wiki outage'),
    reads: [
      ...COMMON, f(['value'], { kind: 'object' }, true), f(['value', 'data'], { kind: 'object', nullable: true }), f(['value', 'data', 'details'], { kind: 'string' }), f(['value', 'messagePayload'], { kind: 'object', nullable: true }),
      f(['value', 'messagePayload', 'body', 'content'], TEXT), f(['value', 'messagePayload', 'from', 'user', 'displayName'], { kind: 'string', maxLength: 1_024, nullable: true }),
    ],
  },
];

describe('Teams receiver under malformed activities (seeded fuzz)', () => {
  let h: TeamsHarness;
  const logs = capturingLogger();
  const conn = () => (h.core.store as any).conn;
  const failures: Array<{ text: string; bytes: number }> = [];

  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)], log: logs.log });
  });
  afterAll(async () => h?.close());

  /** The HTTP status, or -1 when the connection failed (reset, timeout): never thrown, so one failure cannot hide the rest. */
  async function post(text: string): Promise<number> {
    const status = await httpPost(h.url, { 'Content-Type': 'application/json' }, text);
    if (status < 0) failures.push({ text: text.slice(0, 400), bytes: Buffer.byteLength(text) });
    return status;
  }

  it('answers 400 to a few thousand malformed activities, counts and logs each, stores nothing, never crashes', async () => {
    const watch = watchProcess();
    const r = rng(SEED);
    const cases: Array<{ text: string; note: string }> = [];
    for (const sample of SAMPLES) {
      for (let i = 0; i < PER_SAMPLE; i++) {
        const a = clone(sample.make(h.connector.url)); // the samples share objects (the BOT account)
        const note = breakField(a, pick(r, sample.reads), r);
        const noise = r() < 0.5 ? Math.floor(r() * 4) : 0;
        const noisy = noise ? noisyJson(clone(a), r, noise) : '';
        // Bodies stay under the 256 KiB limit: over it the receiver answers 413 before any parsing (tested elsewhere).
        const text = noisy && noisy.length < MAX_BODY ? noisy : JSON.stringify(a);
        cases.push({ text, note: `${sample.name} ${note}${text === noisy ? ` +${noise} noise` : ''}` });
      }
    }
    for (const junk of ['null', '[]', '"activity"', '42', 'true', '{}', '{"type":null}', '{"type":"message"}', '{"type":""}']) cases.push({ text: junk, note: `junk ${junk}` });

    await h.core.settled; // start-up's own writes (the report read model's marker) are not the fuzz's
    const before = await storedCounts(conn());
    const counted = await h.teams.rejections.count('teams');
    const statuses = await bounded(cases, CONCURRENCY, (c) => post(c.text));

    const wrong = cases.map((c, i) => ({ note: c.note, status: statuses[i], bytes: Buffer.byteLength(c.text) })).filter((x) => x.status !== 400);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(await h.teams.rejections.count('teams')).toBe(counted + cases.length);
    expect(await storedCounts(conn())).toEqual(before);
    expect(h.connector.calls).toHaveLength(0);
    const lines = logs.lines.filter((l) => l.msg === 'inbound payload rejected');
    expect(lines.length).toBe(cases.length);
    expect(new Set(lines.map((l) => l.obj.kind))).toEqual(new Set(['activity.message', 'activity.messageReaction', 'activity.conversationUpdate', 'activity.invoke:adaptiveCard/action', 'activity.invoke:composeExtension/submitAction', 'activity.invoke', 'activity.unknown']));
    expect(JSON.stringify(lines)).not.toContain('my laptop will not boot');
    watch.stop();
    expect(watch.errors).toEqual([]);
  }, 120_000);

  it('wild mutations (which may stay valid) are answered without a crash, a hang or a 500; every 400 is counted', async () => {
    const watch = watchProcess();
    const r = rng(SEED + 1);
    const cases: Array<{ sample: string; text: string }> = [];
    while (cases.length < WILD) {
      const sample = pick(r, SAMPLES);
      const text = JSON.stringify(wild(clone(sample.make(h.connector.url)), r));
      if (text.length < MAX_BODY) cases.push({ sample: sample.name, text });
    }
    const counted = await h.teams.rejections.count('teams');
    const logged = logs.lines.filter((l) => l.msg === 'inbound payload rejected').length;
    const statuses = await bounded(cases, CONCURRENCY, (c) => post(c.text));
    // 501 is botbuilder's answer to an invoke it has no handler for (a mutated invoke name).
    const odd = cases.map((c, i) => ({ sample: c.sample, status: statuses[i]! })).filter((x) => ![200, 400, 413].includes(x.status) && !(x.status === 501 && (x.sample.includes('invoke') || x.sample.includes('action'))));
    expect({ odd, failures }).toEqual({ odd: [], failures: [] });
    // Each gate rejection is one count and one log line; the bot's own 400s (a card action that is not ours) are not rejections.
    const rejected = (await h.teams.rejections.count('teams')) - counted;
    expect(logs.lines.filter((l) => l.msg === 'inbound payload rejected').length - logged).toBe(rejected);
    expect(rejected).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(rejected);
    watch.stop();
    expect(watch.errors).toEqual([]);
  }, 120_000);

  it('the valid samples pass the gate and do their work (the schema accepts what Teams sends)', async () => {
    const counted = await h.teams.rejections.count('teams');
    for (const sample of SAMPLES) expect((await post(JSON.stringify(sample.make(h.connector.url)))), sample.name).toBe(200);
    expect(await h.teams.rejections.count('teams')).toBe(counted);
    expect((await h.core.store.list({})).length).toBeGreaterThanOrEqual(2); // the 1:1 request and the filed message
  }, 60_000);
});
