import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_TEXT_MAX } from '../../adapters/slack/slack.payloads.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { bounded, breakField, httpPost, capturingLogger, clone, noisyJson, pick, rng, storedCounts, watchProcess, wild, type ReadField } from '../support/fuzz.js';
import { SECRET, TEAM, TIER1, startSlackHarness, type SlackHarness } from './slack-harness.js';

/**
 * Fuzzes the real Slack receiver (Bolt's HTTPReceiver behind our gate, signed requests) with a few
 * thousand malformed Events API, slash-command and interactivity bodies, generated from valid
 * samples by a seeded PRNG: every one is answered 400, counted, logged without its content, and
 * stores nothing; wild mutations never crash, hang or answer 5xx.
 */

const SEED = 0x51ac;
const PER_SAMPLE = 320;
const WILD = 200;
const CONCURRENCY = 8;

const ID: Omit<ReadField, 'path'> = { kind: 'string', maxLength: 255, minLength: 1 };
const TEXT: Omit<ReadField, 'path'> = { kind: 'string', maxLength: SLACK_TEXT_MAX };
const f = (path: ReadField['path'], spec: Omit<ReadField, 'path'>, required = false): ReadField => ({ path, ...spec, required });

type Body = { form: boolean; json: unknown };
interface Sample {
  name: string;
  make(h: SlackHarness, n: number): Body;
  reads: ReadField[];
}

const envelope = (event: Record<string, unknown>, n: number) => ({
  token: 'legacy', team_id: TEAM, api_app_id: 'A1', type: 'event_callback', event_id: `EvFUZZ${n}`, event_time: 1_700_000_000,
  authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  event,
});
const actorOf = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM });

const SAMPLES: Sample[] = [
  {
    name: 'event.message',
    make: (_h, n) => ({ form: false, json: envelope({ type: 'message', channel: 'DFUZZ', channel_type: 'im', user: 'UREQ', text: 'my vpn keeps dropping', ts: `1700000000.${n}` }, n) }),
    reads: [
      f(['type'], { kind: 'string' }, true), f(['team_id'], ID), f(['event_id'], ID), f(['event'], { kind: 'object' }, true), f(['authorizations'], { kind: 'array' }),
      f(['event', 'type'], { kind: 'string' }, true), f(['event', 'channel'], ID, true), f(['event', 'ts'], ID, true), f(['event', 'user'], ID),
      f(['event', 'text'], TEXT), f(['event', 'channel_type'], { kind: 'string', maxLength: 50 }), f(['event', 'subtype'], { kind: 'string', maxLength: 100 }), f(['event', 'thread_ts'], ID),
    ],
  },
  {
    name: 'event.reaction_added',
    make: (_h, n) => ({ form: false, json: envelope({ type: 'reaction_added', user: 'UBOB', reaction: 'eyes', item_user: 'UREQ', item: { type: 'message', channel: TIER1, ts: `1700000000.${n}` }, event_ts: '1' }, n) }),
    reads: [
      f(['event', 'user'], ID, true), f(['event', 'reaction'], ID, true), f(['event', 'item_user'], ID), f(['event', 'item'], { kind: 'object' }, true),
      f(['event', 'item', 'channel'], ID, true), f(['event', 'item', 'ts'], ID, true), f(['event_id'], ID),
    ],
  },
  {
    name: 'command',
    make: (h, n) => ({
      form: true,
      json: {
        token: 'legacy', team_id: TEAM, team_domain: 'fake', channel_id: 'CGENERAL', channel_name: 'general', user_id: 'UREQ', user_name: 'requester',
        command: '/help', text: 'my printer is on fire', api_app_id: 'A1', is_enterprise_install: 'false', response_url: h.fake.responseUrl(`fuzz-${n}`), trigger_id: `trg.fuzz.${n}`,
      },
    }),
    reads: [
      f(['command'], { kind: 'string', maxLength: 100, minLength: 1 }, true), f(['team_id'], ID, true), f(['user_id'], ID, true), f(['channel_id'], ID, true), f(['trigger_id'], ID, true),
      f(['response_url'], { kind: 'string', maxLength: 2_000, pattern: true }, true), f(['text'], TEXT), f(['user_name'], { kind: 'string', maxLength: 255 }),
    ],
  },
  {
    name: 'block_actions',
    make: (h, n) => ({
      form: true,
      json: {
        type: 'block_actions', user: actorOf('UALICE'), api_app_id: 'A1', token: 'legacy', trigger_id: `trg.fuzz.${n}`, team: { id: TEAM, domain: 'fake' }, enterprise: null, is_enterprise_install: false,
        container: { type: 'message', message_ts: '1700000000.1', channel_id: TIER1, is_ephemeral: false }, channel: { id: TIER1, name: 'x' },
        message: { type: 'message', ts: '1700000000.1', text: '' }, response_url: h.fake.responseUrl(`fuzz-act-${n}`),
        actions: [{ action_id: `hd:claim:${n}`, block_id: 'b1', type: 'button', value: 'hd|claim|T-none', action_ts: `1700000000.${n}` }],
      },
    }),
    reads: [
      f(['type'], { kind: 'string' }, true), f(['user'], { kind: 'object' }, true), f(['user', 'id'], ID, true), f(['trigger_id'], ID), f(['actions'], { kind: 'array' }, true),
      f(['actions', 0, 'action_id'], { kind: 'string', maxLength: 255, minLength: 1 }, true), f(['actions', 0, 'value'], { kind: 'string', maxLength: 2_000 }), f(['actions', 0, 'action_ts'], { kind: 'string', maxLength: 255 }),
      f(['team'], { kind: 'object', nullable: true }), f(['container'], { kind: 'object', nullable: true }), f(['container', 'channel_id'], ID), f(['response_url'], { kind: 'string', maxLength: 2_000, pattern: true }),
    ],
  },
  {
    name: 'view_submission',
    make: (_h, n) => ({
      form: true,
      json: {
        type: 'view_submission', team: { id: TEAM, domain: 'fake' }, user: actorOf('UREQ'), api_app_id: 'A1', token: 'legacy', trigger_id: `trg.fuzz.${n}`,
        view: { id: `VFUZZ${n}`, team_id: TEAM, type: 'modal', callback_id: 'hd_help', private_metadata: JSON.stringify({ desk: 'it', channel: 'CGENERAL' }), hash: 'h', state: { values: { subject: { value: { type: 'plain_text_input', value: 'Printer on fire' } } } } },
        response_urls: [], is_enterprise_install: false, enterprise: null,
      },
    }),
    reads: [
      f(['user'], { kind: 'object' }, true), f(['user', 'id'], ID, true), f(['view'], { kind: 'object' }, true), f(['view', 'id'], ID, true),
      f(['view', 'private_metadata'], { kind: 'string', maxLength: 3_000 }), f(['view', 'state'], { kind: 'object' }), f(['view', 'state', 'values'], { kind: 'object' }, true),
      f(['view', 'state', 'values', 'subject', 'value', 'value'], { kind: 'string', maxLength: SLACK_TEXT_MAX, nullable: true }),
    ],
  },
  {
    name: 'message_action',
    make: (h, n) => ({
      form: true,
      json: {
        type: 'message_action', callback_id: 'hd_create_ticket', trigger_id: `trg.fuzz.${n}`, user: actorOf('UBOB'), team: { id: TEAM }, channel: { id: 'CGENERAL', name: 'general' },
        message: { type: 'message', ts: `1700000000.${n}`, user: 'UREQ', text: 'the wiki is down' }, response_url: h.fake.responseUrl(`fuzz-sc-${n}`), api_app_id: 'A1', token: 'legacy',
      },
    }),
    reads: [
      f(['callback_id'], ID, true), f(['trigger_id'], ID, true), f(['user'], { kind: 'object' }, true), f(['user', 'id'], ID, true), f(['channel'], { kind: 'object' }, true),
      f(['channel', 'id'], ID, true), f(['message'], { kind: 'object' }, true), f(['message', 'ts'], ID, true), f(['message', 'text'], TEXT), f(['message', 'user'], ID),
    ],
  },
];

describe('Slack receivers under malformed payloads (seeded fuzz)', () => {
  let h: SlackHarness;
  const logs = capturingLogger();
  let seq = 0;

  beforeAll(async () => {
    h = await startSlackHarness({ log: logs.log, knownBot: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Signs and sends a body: JSON, a slash-command form, or an interactivity form (`payload=`). */
  async function post(sample: Sample, body: Body, text: string): Promise<number> {
    const raw = !body.form ? text : sample.name === 'command' ? formOf(text) : new URLSearchParams({ payload: text }).toString();
    const type = body.form && (sample.name !== 'command' || raw !== text) ? 'application/x-www-form-urlencoded' : 'application/json';
    return httpPost(h.url, { 'content-type': type, ...signSlackRequest(SECRET, raw) }, raw);
  }

  /** A command with only string fields goes as the form Slack sends; anything else as JSON (Bolt parses both). */
  function formOf(text: string): string {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (Object.entries(v).some(([k, x]) => typeof x !== 'string' || k === '__proto__' || k === 'constructor' || k === 'prototype')) return text;
    return new URLSearchParams(v as Record<string, string>).toString();
  }

  it('answers 400 to a few thousand malformed bodies, counts and logs each, stores nothing, never crashes', async () => {
    const watch = watchProcess();
    const r = rng(SEED);
    const cases: Array<{ sample: Sample; body: Body; text: string; note: string }> = [];
    for (const sample of SAMPLES) {
      for (let i = 0; i < PER_SAMPLE; i++) {
        const body = sample.make(h, ++seq);
        const field = pick(r, sample.reads);
        const note = breakField(body.json, field, r);
        const noise = r() < 0.5 ? Math.floor(r() * 4) : 0;
        cases.push({ sample, body, text: noise ? noisyJson(body.json, r, noise) : JSON.stringify(body.json), note: `${sample.name} ${note}${noise ? ` +${noise} noise` : ''}` });
      }
    }
    // Bodies that are not Slack payloads at all.
    for (const junk of ['null', '[]', '[1,2]', '"text"', '42', 'true', '{}', '{"type":"nope"}', '{"type":7}', '{"event":null}', '{"event":"x"}', '{"event":{"type":"message"}}', '{"command":null}', '{"actions":null,"type":"block_actions"}']) {
      cases.push({ sample: SAMPLES[0]!, body: { form: false, json: null }, text: junk, note: `junk ${junk}` });
    }
    await h.composed.settled; // start-up's own writes (the report read model's marker) are not the fuzz's
    const before = await storedCounts(h.db.connection);
    const counted = await h.adapter.rejections.count('slack');
    const statuses = await bounded(cases, CONCURRENCY, (c) => post(c.sample, c.body, c.text));

    const wrong = cases.map((c, i) => ({ note: c.note, status: statuses[i] })).filter((x) => x.status !== 400);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(await h.adapter.rejections.count('slack')).toBe(counted + cases.length);
    expect(await storedCounts(h.db.connection)).toEqual(before);
    expect(h.fake.calls).toEqual([]);
    // One warn line per rejection, naming kind and paths, never the payload's text.
    const rejections = logs.lines.filter((l) => l.msg === 'inbound payload rejected');
    expect(rejections.length).toBe(cases.length);
    expect(rejections.some((l) => (l.obj.issues as string[]).some((i) => i.startsWith('event.channel')))).toBe(true);
    expect(JSON.stringify(rejections)).not.toContain('my vpn keeps dropping');
    expect(Math.max(...rejections.map((l) => JSON.stringify(l).length))).toBeLessThan(2_000);
    watch.stop();
    expect(watch.errors).toEqual([]);
  }, 120_000);

  it('wild mutations (which may stay valid) are answered without a crash, a hang or a 5xx; every 400 is counted', async () => {
    const watch = watchProcess();
    const r = rng(SEED + 1);
    const cases = Array.from({ length: WILD }, () => {
      const sample = pick(r, SAMPLES);
      const body = sample.make(h, ++seq);
      return { sample, body: { ...body, json: wild(clone(body.json), r) } };
    });
    const counted = await h.adapter.rejections.count('slack');
    const statuses = await bounded(cases, CONCURRENCY, (c) => post(c.sample, c.body, JSON.stringify(c.body.json)));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // A valid body no listener claims (another command, callback or action id) is Bolt's 404 after its 3 s wait; events are acked at once.
    const odd = cases.map((c, i) => ({ kind: c.sample.name, status: statuses[i]! })).filter((x) => x.status !== 200 && x.status !== 400);
    expect(odd.filter((x) => x.status !== 404 || x.kind.startsWith('event.'))).toEqual([]);
    expect(await h.adapter.rejections.count('slack')).toBe(counted + statuses.filter((s) => s === 400).length);
    watch.stop();
    expect(watch.errors).toEqual([]);
  }, 120_000);

  it('the valid samples pass the gate and do their work (the schemas accept what Slack sends)', async () => {
    const counted = await h.adapter.rejections.count('slack');
    for (const sample of SAMPLES) {
      const body = sample.make(h, ++seq);
      expect(await post(sample, body, JSON.stringify(body.json)), sample.name).toBe(200);
    }
    expect(await h.adapter.rejections.count('slack')).toBe(counted);
    // The DM became a ticket, the command too, and so did the modal and the filed message.
    const tickets = await storedCounts(h.db.connection);
    expect(tickets.tickets).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
