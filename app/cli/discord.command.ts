import { Option, type Command } from 'commander';
import { registerDoctorCommand } from './doctor.command.js';

/**
 * `helpdesk discord register`: registers (bulk-overwrites, so idempotently) the bot's commands in
 * each guild. The same registration runs at every Discord adapter start-up; this is for deploys
 * and for checking a token. Options fall back to the DISCORD_* environment variables.
 */
export function registerDiscordCommands(program: Command): void {
  const discord = program.command('discord').description('Discord adapter tools');
  discord
    .command('register')
    .description('Register /help, /ticket and "Create ticket" in the configured guilds')
    .addOption(new Option('--token <token>', 'bot token').env('DISCORD_TOKEN').makeOptionMandatory())
    .addOption(new Option('--application-id <id>', 'application (client) id').env('DISCORD_APPLICATION_ID').makeOptionMandatory())
    .addOption(new Option('--guild <ids...>', 'guild ids (comma or space separated)').env('DISCORD_GUILD_IDS').makeOptionMandatory())
    .addOption(new Option('--api-url <url>', 'REST base without version').env('DISCORD_API_URL').default('https://discord.com/api'))
    .action(async (o: { token: string; applicationId: string; guild: string[] | string; apiUrl: string }) => {
      const [{ REST }, { registerCommands }] = await Promise.all([import('discord.js'), import('../../adapters/discord/discord.commands.js')]);
      const guilds = (Array.isArray(o.guild) ? o.guild : [o.guild]).flatMap((g) => g.split(',')).map((g) => g.trim()).filter(Boolean);
      const rest = new REST({ api: o.apiUrl, retries: 1 }).setToken(o.token);
      const done = await registerCommands(rest, o.applicationId, guilds);
      for (const r of done) console.log(`guild ${r.guildId}: ${r.count} commands registered`);
    });
  discord
    .command('panel')
    .description('Post the persistent "Get help" panel in a support channel')
    .addOption(new Option('--token <token>', 'bot token').env('DISCORD_TOKEN').makeOptionMandatory())
    .requiredOption('--channel <id>', 'support channel id')
    .option('--desk-name <name>', 'desk name shown on the panel', 'Helpdesk')
    .option('--locale <locale>', 'panel language (en, es)', 'en')
    .addOption(new Option('--api-url <url>', 'REST base without version').env('DISCORD_API_URL').default('https://discord.com/api'))
    .action(async (o: { token: string; channel: string; deskName: string; locale: string; apiUrl: string }) => {
      const [{ REST }, { DiscordPlatform }] = await Promise.all([import('discord.js'), import('../../adapters/discord/discord.platform.js')]);
      const rest = new REST({ api: o.apiUrl, retries: 1 }).setToken(o.token);
      const id = await new DiscordPlatform(rest).postPanel(o.channel, o.deskName, o.locale);
      console.log(`panel posted: message ${id} in channel ${o.channel}`);
    });
  registerDoctorCommand(discord, 'discord');
}
