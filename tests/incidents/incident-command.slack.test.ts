import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHelpCommand } from '../../adapters/shared/help-command.js';
import { ALICE, blockText, CAROL, startSlackHarness, TIER2, type SlackHarness } from '../slack/slack-harness.js';

/**
 * `/help incident declare|update|resolve|list` from Slack: the real Bolt app against the fake Web
 * API, core on FerretDB. Agents only; English and Spanish keywords; retries do nothing twice.
 */
describe('slack: /help incident', () => {
  let h: SlackHarness;
  async function ask(text: string, user: { user: string; name?: string }, o: { channel?: string; triggerId?: string; retryNum?: number } = {}) {
    const triggerId = o.triggerId ?? `trg.${h.next()}`;
    const r = await h.command(text, { user, channel: o.channel ?? TIER2, triggerId, retryNum: o.retryNum });
    expect(r.status).toBe(200);
    const resp = await h.fake.waitFor(() => h.fake.responses.find((x) => x.id === `cmd-${triggerId}`));
    expect(resp.body.response_type).toBe('ephemeral');
    return `${String(resp.body.text)}\n${blockText(resp.body.blocks)}`;
  }

  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => h?.stop());

  it('parses the sub-commands and leaves ordinary requests alone', () => {
    expect(parseHelpCommand('incident declare SEV2 vpn,auth VPN is down')).toEqual({ kind: 'incident', op: { action: 'declare', severity: 'SEV2', services: ['vpn', 'auth'], title: 'VPN is down' } });
    expect(parseHelpCommand('incidente actualizar inc-1001 identificado certificado caducado')).toEqual({ kind: 'incident', op: { action: 'update', number: 'INC-1001', status: 'identified', note: 'certificado caducado' } });
    expect(parseHelpCommand('incident resolve INC-7')).toEqual({ kind: 'incident', op: { action: 'resolve', number: 'INC-7', note: '' } });
    expect(parseHelpCommand('incident update IT-7 hello')).toEqual({ kind: 'incident', op: { action: 'usage' } });
    expect(parseHelpCommand('incident with my laptop yesterday')).toEqual({ kind: 'open', text: 'incident with my laptop yesterday' });
  });

  it('an agent declares, updates, lists and resolves; a retry declares nothing twice', async () => {
    const triggerId = `trg.${h.next()}`;
    const said = await ask('incident declare SEV2 vpn VPN <!channel> down for <@U123>', CAROL, { triggerId });
    const number = /INC-\d+/.exec(said)?.[0];
    expect(number).toBeDefined();
    expect(said).toContain('(SEV2): VPN');
    expect(said).not.toContain('<!channel>');
    // Slack retries the same command: the same incident, nothing new.
    await h.command('incident declare SEV2 vpn VPN <!channel> down for <@U123>', { user: CAROL, channel: TIER2, triggerId, retryNum: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.composed.incidentStore.list({})).toHaveLength(1);
    const [inc] = await h.composed.incidents.active({ service: 'vpn' });
    expect(inc).toMatchObject({ number, severity: 'SEV2', status: 'investigating', ownerAgentId: 'carol' });

    expect(await ask(`incident update ${number!.toLowerCase()} identified Expired certificate on gw1`, CAROL)).toContain(`${number} updated: Identified`);
    expect(await ask(`incidente actualizar ${number} observacion Certificado renovado`, ALICE)).toContain(`${number} updated: Monitoring`);
    const list = await ask('incident list', ALICE);
    expect(list).toContain(`${number} · SEV2 · Monitoring · VPN`);
    expect(await ask(`incident resolve ${number} all clear`, CAROL)).toContain(`${number} is resolved.`);
    expect(await ask(`incident resolve ${number}`, CAROL)).toContain('cannot be changed that way while it is resolved');
    expect(await ask('incident list', ALICE)).toContain('No open incidents.');
    const tl = await h.composed.incidents.timeline({ id: inc!.id });
    expect(tl.map((e) => [e.kind, e.status, e.text])).toEqual([
      ['declared', 'investigating', expect.stringContaining('VPN')],
      ['status', 'identified', 'Expired certificate on gw1'],
      ['status', 'monitoring', 'Certificado renovado'],
      ['status', 'resolved', 'all clear'],
    ]);
  });

  it('people who are not agents are refused and nothing is stored', async () => {
    const before = (await h.composed.incidentStore.list({})).length;
    const said = await ask('incident declare vpn Everything is broken', { user: 'UREQ', name: 'Rita' }, { channel: 'CGENERAL' });
    expect(said).toContain('Only agents of this desk can manage incidents.');
    expect(await ask('incident list', { user: 'UREQ', name: 'Rita' }, { channel: 'CGENERAL' })).toContain('Only agents');
    expect(await h.composed.incidentStore.list({})).toHaveLength(before);
    expect(await ask('incident', ALICE)).toContain('/help incident declare');
  });
});
