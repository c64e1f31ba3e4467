/**
 * Cost of the boundary gates (zod) per inbound payload, against JSON.parse of the same body measured
 * in the same run. Run: `npx tsx bench/payload-gate.ts`.
 */
import { parseSlackBody } from '../adapters/slack/slack.payloads.js';
import { parseTeamsActivity } from '../adapters/teams/teams.payloads.js';
import { GATED_DISPATCHES } from '../adapters/discord/discord.payloads.js';
const slack = JSON.stringify({ token: 'l', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev1', authorizations: [{ team_id: 'T1', enterprise_id: null }], event: { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'my vpn keeps dropping '.repeat(10), ts: '1.1' } });
const teams = JSON.stringify({ type: 'message', id: '1', serviceUrl: 'https://smba.trafficmanager.net/teams/', channelId: 'msteams', from: { id: '29:a', name: 'A' }, recipient: { id: '28:b', name: 'B' }, conversation: { id: 'a:1', conversationType: 'personal', tenantId: 't' }, channelData: { tenant: { id: 't' } }, text: 'my vpn keeps dropping '.repeat(10), locale: 'en-US', entities: [{ type: 'clientInfo', locale: 'en-US' }] });
const u = { id: '900000000000000101', username: 'c', global_name: 'C', discriminator: '0', avatar: null };
const discord = JSON.stringify({ id: '1', application_id: '2', type: 2, token: 'tok_1', version: 1, channel: { id: '3', type: 0 }, channel_id: '3', locale: 'en-US', app_permissions: '1', entitlements: [], authorizing_integration_owners: {}, context: 0, guild_id: '4', member: { user: u, roles: [], permissions: '1' }, data: { id: '5', name: 'help', type: 1, options: [{ type: 3, name: 'text', value: 'vpn' }] } });
function time(label: string, text: string, fn: (v: unknown) => unknown) {
  const N = 50_000;
  for (let i = 0; i < 2000; i++) fn(JSON.parse(text));
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) JSON.parse(text);
  const base = Number(process.hrtime.bigint() - t0) / N;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(JSON.parse(text));
  const withGate = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${label}: JSON.parse ${(base / 1000).toFixed(1)} µs, parse+gate ${(withGate / 1000).toFixed(1)} µs (gate ≈ ${((withGate - base) / 1000).toFixed(1)} µs, ${(withGate / base).toFixed(1)}× the parse)`);
}
time('slack message event', slack, parseSlackBody);
time('teams message activity', teams, parseTeamsActivity);
time('discord /help interaction', discord, (v) => GATED_DISPATCHES.INTERACTION_CREATE!.safeParse(v));
