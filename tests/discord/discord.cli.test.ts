import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscordCommands } from '../../app/cli/discord.command.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { G } from './discord.harness.js';

describe('helpdesk discord register', () => {
  let fake: DiscordFake;
  beforeAll(async () => {
    fake = await DiscordFake.start({ guilds: [{ id: G.guild, channels: [{ id: G.support, name: 'support' }] }] });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('bulk-registers the commands in every given guild, idempotently', async () => {
    const run = async () => {
      const program = new Command('helpdesk').exitOverride();
      registerDiscordCommands(program);
      await program.parseAsync(['node', 'helpdesk', 'discord', 'register', '--token', 'tok', '--application-id', fake.applicationId, '--guild', `${G.guild},900000000000000002`, '--api-url', fake.apiUrl]);
    };
    await run();
    await run();
    const puts = fake.calls('PUT', /\/commands$/);
    expect(puts).toHaveLength(4);
    expect(puts[0]!.auth).toBe('Bot tok');
    expect(fake.commands.get(G.guild)!.map((c) => c.name).sort()).toEqual(['Create ticket', 'help', 'ticket']);
    expect(fake.commands.get('900000000000000002')).toHaveLength(3);
  });

  it('posts the "Get help" panel', async () => {
    const program = new Command('helpdesk').exitOverride();
    registerDiscordCommands(program);
    await program.parseAsync(['node', 'helpdesk', 'discord', 'panel', '--token', 'tok', '--channel', '900000000000000010', '--desk-name', 'Acme', '--api-url', fake.apiUrl]);
    const [post] = fake.calls('POST', /^\/channels\/900000000000000010\/messages$/);
    expect(post!.body.components[0].components[0].custom_id).toBe('hd:panel');
    expect(post!.body.allowed_mentions).toEqual({ parse: [] });
  });
});
