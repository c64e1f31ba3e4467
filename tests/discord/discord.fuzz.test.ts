import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakField, clone, noisyJson, pick, rng, storedCounts, watchProcess, wild, type ReadField } from '../support/fuzz.js';
import { snowflake } from '../fakes/discord.fake.js';
import { DISCORD_TEXT_MAX, GATED_DISPATCHES } from '../../adapters/discord/discord.payloads.js';
import { G, startHarness, users, type Harness } from './discord.harness.js';

/**
 * Fuzzes the real Discord gateway path (the fake's WebSocket → @discordjs/ws → discord.js → our
 * gate → handlers) with a few thousand malformed INTERACTION_CREATE, MESSAGE_CREATE and
 * MESSAGE_REACTION_ADD dispatches generated from valid samples by a seeded PRNG: each is dropped
 * and counted; an interaction that can still be answered gets one ephemeral "could not read"; no
 * handler runs, nothing is stored, the client stays connected and keeps serving.
 */

const SEED = 0xd15c;
const PER_SAMPLE = 400;
const WILD = 300;
const UNREADABLE = 'The helpdesk could not read that request';

const SNOW: Omit<ReadField, 'path'> = { kind: 'string', pattern: true };
const f = (path: ReadField['path'], spec: Omit<ReadField, 'path'>, required = false): ReadField => ({ path, ...spec, required });

type Dispatch = { t: string; d: Record<string, any>; token?: string };
interface Sample {
  name: string;
  make(h: Harness): Dispatch;
  reads: ReadField[];
}

const member = (u: (typeof users)['customer']) => ({ user: u, roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, nick: null, flags: 0, pending: false, permissions: '2248473465835073' });
const message = (channelId: string, content: string) => ({
  id: snowflake(), channel_id: channelId, type: 0, content, embeds: [], components: [], attachments: [], mentions: [], mention_roles: [], mention_everyone: false,
  pinned: false, tts: false, flags: 0, timestamp: new Date().toISOString(), edited_timestamp: null, author: users.customer,
});

/** An interaction as Discord sends it, its token known to the fake so callbacks are accepted. */
function interaction(h: Harness, type: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Dispatch {
  const id = snowflake();
  const token = `tok_fuzz_${id}`;
  h.fake.interactions.set(token, { id, callbacks: [], followups: [] });
  return {
    t: 'INTERACTION_CREATE',
    token,
    d: {
      id, application_id: h.fake.applicationId, type, token, version: 1, channel: { id: G.support, type: 0, guild_id: G.guild }, channel_id: G.support, locale: 'en-US',
      app_permissions: '2248473465835073', entitlements: [], authorizing_integration_owners: {}, context: 0, guild_id: G.guild, guild_locale: 'en-US', member: member(users.customer), data, ...extra,
    },
  };
}

const IX: ReadField[] = [
  f(['id'], SNOW, true), f(['application_id'], SNOW, true), f(['type'], { kind: 'number' }, true), f(['token'], { kind: 'string', pattern: true }, true), f(['version'], { kind: 'number' }, true),
  f(['guild_id'], SNOW), f(['channel'], { kind: 'object' }), f(['channel', 'id'], SNOW, true), f(['channel', 'type'], { kind: 'number' }, true), f(['member'], { kind: 'object' }, true),
  f(['member', 'user'], { kind: 'object' }, true), f(['member', 'user', 'id'], SNOW, true), f(['member', 'user', 'username'], { kind: 'string', maxLength: 100 }, true), f(['member', 'roles'], { kind: 'array' }, true),
  f(['member', 'permissions'], { kind: 'string', pattern: true }), f(['app_permissions'], { kind: 'string', pattern: true }), f(['locale'], { kind: 'string', maxLength: 16 }), f(['entitlements'], { kind: 'array' }, true),
  f(['authorizing_integration_owners'], { kind: 'object' }, true), f(['data'], { kind: 'object' }, true),
];
const MSG = (p: ReadField['path']): ReadField[] => [
  f([...p, 'id'], SNOW, true), f([...p, 'channel_id'], SNOW, true), f([...p, 'author'], { kind: 'object' }, true), f([...p, 'author', 'id'], SNOW, true), f([...p, 'content'], { kind: 'string', maxLength: DISCORD_TEXT_MAX }, true),
  f([...p, 'timestamp'], { kind: 'string', maxLength: 64 }, true), f([...p, 'type'], { kind: 'number' }, true), f([...p, 'attachments'], { kind: 'array' }), f([...p, 'embeds'], { kind: 'array' }), f([...p, 'components'], { kind: 'array' }),
];

const SAMPLES: Sample[] = [
  {
    name: '/help <text>',
    make: (h) => interaction(h, 2, { id: snowflake(), name: 'help', type: 1, options: [{ type: 3, name: 'text', value: 'my vpn keeps dropping' }] }),
    reads: [...IX, f(['data', 'id'], SNOW, true), f(['data', 'name'], { kind: 'string', maxLength: 32 }, true), f(['data', 'type'], { kind: 'number' }, true), f(['data', 'options'], { kind: 'array' }), f(['data', 'options', 0, 'name'], { kind: 'string', maxLength: 32 }, true), f(['data', 'options', 0, 'type'], { kind: 'number' }, true)],
  },
  {
    name: 'button',
    make: (h) => interaction(h, 3, { custom_id: 'hd:claim:T-none', component_type: 2 }, { message: { ...message(G.tier1, 'card'), author: h.fake.bot } }),
    reads: [...IX, f(['data', 'custom_id'], { kind: 'string', maxLength: 100 }, true), f(['data', 'component_type'], { kind: 'number' }, true), f(['data', 'values'], { kind: 'array' }), f(['message'], { kind: 'object' }, true), ...MSG(['message'])],
  },
  {
    name: 'modal submit',
    make: (h) => interaction(h, 5, { custom_id: 'hd_help_modal', components: [{ type: 1, components: [{ type: 4, custom_id: 'subject', value: 'printer on fire' }] }] }),
    reads: [...IX, f(['data', 'custom_id'], { kind: 'string', maxLength: 100 }, true), f(['data', 'components'], { kind: 'array' }, true), f(['data', 'components', 0, 'type'], { kind: 'number' }, true), f(['data', 'components', 0, 'components'], { kind: 'array' }), f(['data', 'components', 0, 'components', 0, 'value'], { kind: 'string', maxLength: DISCORD_TEXT_MAX })],
  },
  {
    name: 'message',
    make: () => ({ t: 'MESSAGE_CREATE', d: { ...message(G.support, 'is anyone there?'), guild_id: G.guild, member: { roles: [], joined_at: new Date(0).toISOString() } } }),
    reads: [...MSG([]), f(['guild_id'], SNOW), f(['member'], { kind: 'object' }), f(['member', 'roles'], { kind: 'array' })],
  },
  {
    name: 'reaction',
    make: () => ({ t: 'MESSAGE_REACTION_ADD', d: { user_id: users.agent.id, channel_id: G.tier1, message_id: snowflake(), guild_id: G.guild, member: member(users.agent), emoji: { id: null, name: '👀' }, burst: false, type: 0 } }),
    reads: [f(['user_id'], SNOW, true), f(['channel_id'], SNOW, true), f(['message_id'], SNOW, true), f(['guild_id'], SNOW), f(['member'], { kind: 'object' }), f(['member', 'user'], { kind: 'object' }, true), f(['emoji'], { kind: 'object' }, true), f(['emoji', 'name'], { kind: 'string', maxLength: 100, nullable: true }), f(['emoji', 'id'], { ...SNOW, nullable: true })],
  },
];

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Discord gateway dispatches under malformed payloads (seeded fuzz)', () => {
  let h: Harness;
  const conn = () => (h.hd.store as any).conn;
  const handled = () => h.fake.requests.filter((r) => !r.path.includes('/callback') && !r.path.startsWith('/api/v10/gateway') && !r.path.includes('/commands')).length;

  beforeAll(async () => {
    h = await startHarness();
    await h.hd.settled; // start-up's own writes (the report read model's marker) are not the fuzz's
  });
  afterAll(async () => h?.close());

  it('drops and counts a few thousand malformed dispatches, answers what it can ephemerally, stores nothing, stays connected', async () => {
    const watch = watchProcess();
    const r = rng(SEED);
    const cases: Array<Dispatch & { note: string }> = [];
    for (const sample of SAMPLES) {
      for (let i = 0; i < PER_SAMPLE; i++) {
        const ds = sample.make(h);
        ds.d = clone(ds.d); // the samples share objects (the harness's users)
        const note = breakField(ds.d, pick(r, sample.reads), r);
        const noise = r() < 0.5 ? Math.floor(r() * 4) : 0;
        const d = noise ? JSON.parse(noisyJson(clone(ds.d), r, noise)) : ds.d;
        cases.push({ ...ds, d, note: `${sample.name} ${note}` });
      }
    }
    // Every case breaks a field the adapter or discord.js reads: none may pass the gate's schema.
    expect(cases.filter((c) => GATED_DISPATCHES[c.t]!.safeParse(c.d).success).map((c) => c.note).slice(0, 10)).toEqual([]);
    const before = await storedCounts(conn());
    const counted = await h.adapter.rejections.count('discord');
    const connections = h.fake.gateway.connections;
    const requests = handled();
    for (const c of cases) h.fake.dispatch(c.t, c.d);
    await until('every dispatch counted', async () => (await h.adapter.rejections.count('discord')) >= counted + cases.length);
    await h.adapter.inbound.drain();
    expect(await h.adapter.rejections.count('discord')).toBe(counted + cases.length);
    expect(await h.adapter.rejections.count('discord', 'INTERACTION_CREATE.unreadable')).toBe(0);

    // Interactions that kept a usable id and token got exactly one answer: the ephemeral "could not read".
    const ixCases = cases.filter((c) => c.token);
    await until('ephemeral answers', () => h.fake.requests.filter((q) => q.path.endsWith('/callback')).length >= ixCases.length * 0.5);
    await new Promise((r2) => setTimeout(r2, 300));
    const callbacks = ixCases.flatMap((c) => h.fake.interactions.get(c.token!)?.callbacks ?? []);
    expect(callbacks.length).toBeGreaterThan(ixCases.length * 0.5);
    expect(callbacks.every((cb) => cb.type === 4 && cb.data.flags === 64 && String(cb.data.content).startsWith(UNREADABLE))).toBe(true);
    expect(ixCases.every((c) => (h.fake.interactions.get(c.token!)?.callbacks.length ?? 0) <= 1)).toBe(true);

    expect(handled()).toBe(requests); // no message, thread, DM or edit: no handler ran
    expect(await storedCounts(conn())).toEqual(before);
    expect(h.fake.gateway.connections).toBe(connections);
    expect(h.logged.filter((l) => l.level === 'error')).toEqual([]);
    const lines = h.logged.filter((l) => l.msg === 'inbound payload rejected');
    expect(lines.length).toBe(cases.length);
    expect(JSON.stringify(lines)).not.toContain('my vpn keeps dropping');
    watch.stop();
    expect(watch.errors).toEqual([]);
  }, 120_000);

  it('wild mutations (which may stay valid) never crash the client or escape as unhandled errors, and it keeps serving', async () => {
    const watch = watchProcess();
    const r = rng(SEED + 1);
    const connections = h.fake.gateway.connections;
    for (let i = 0; i < WILD; i++) {
      const sample = pick(r, SAMPLES);
      const ds = sample.make(h);
      h.fake.dispatch(ds.t, wild(clone(ds.d), r) as object);
    }
    // Dispatches are handled in order: once a sentinel after them is counted, all of them were seen.
    const counted = await h.adapter.rejections.count('discord');
    h.fake.dispatch('MESSAGE_CREATE', { sentinel: true });
    await until('the sentinel', async () => (await h.adapter.rejections.count('discord')) > counted);
    await h.adapter.inbound.drain();
    expect(h.fake.gateway.connections).toBe(connections);

    // Still serving: a real /help is deferred and answered.
    const ix = h.fake.slashCommand({ user: users.stranger, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: 'my laptop will not start' }] });
    await until('the deferral', () => h.fake.interactions.get(ix.token)?.callbacks[0]);
    expect(h.fake.interactions.get(ix.token)!.callbacks[0].type).toBe(5);
    await h.adapter.inbound.drain();
    watch.stop();
    expect(watch.errors).toEqual([]);
    expect(h.fake.errors).toEqual([]);
  }, 120_000);

  it('the valid samples pass the gate (the schemas accept what Discord sends)', async () => {
    const counted = await h.adapter.rejections.count('discord');
    const logged = h.logged.length;
    for (const sample of SAMPLES) h.fake.dispatch(...((ds) => [ds.t, ds.d] as const)(sample.make(h)));
    const ix = h.fake.slashCommand({ user: users.stranger, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: 'sentinel' }] });
    await until('the sentinel deferral', () => h.fake.interactions.get(ix.token)?.callbacks[0]);
    await h.adapter.inbound.drain();
    expect(h.logged.slice(logged)).toEqual([]);
    expect(await h.adapter.rejections.count('discord')).toBe(counted);
  }, 60_000);
});
