import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  Routes,
  type REST,
  type RESTPutAPIApplicationGuildCommandsJSONBody,
} from 'discord.js';
import { translator } from '../../core/i18n/index.js';
import { toPlatformError } from './discord.platform.js';

export const CMD_HELP = 'help';
export const CMD_TICKET = 'ticket';
export const SUB_STATUS = 'status';
export const SUB_MINE = 'mine';
export const SUB_CLOSE = 'close';
export const SUB_MACRO = 'macro';
export const SUB_PENDING = 'pending';
export const SUB_REPORT = 'report';
export const OPT_DAYS = 'days';
export const OPT_NAME = 'name';
export const OPT_TEXT = 'text';
export const OPT_TICKET = 'ticket';
/** The message context-menu command's name (what people see in "Apps"). */
export const CTX_CREATE_TICKET = translator('en')('discord.ctx_create') as string;

/**
 * The bot's commands: `/help [text]`, `/ticket status|mine|close|macro|pending|report`, message menu
 * "Create ticket". `macro` and `pending` are for agents (core refuses others); `macro name` offers
 * autocomplete of the desk's macro names.
 */
export function commandDefinitions(): RESTPutAPIApplicationGuildCommandsJSONBody {
  const en = translator('en');
  const es = translator('es');
  const d = (key: string) => ({ description: en(key) as string, description_localizations: { 'es-ES': es(key) as string, 'es-419': es(key) as string } });
  const ticketOpt = { type: ApplicationCommandOptionType.String, name: OPT_TICKET, required: false, ...d('discord.cmd_ticket_opt') } as const;
  return [
    {
      type: ApplicationCommandType.ChatInput,
      name: CMD_HELP,
      ...d('discord.cmd_help'),
      options: [{ type: ApplicationCommandOptionType.String, name: OPT_TEXT, required: false, max_length: 4000, ...d('discord.cmd_help_text') }],
    },
    {
      type: ApplicationCommandType.ChatInput,
      name: CMD_TICKET,
      ...d('discord.cmd_ticket'),
      options: [
        { type: ApplicationCommandOptionType.Subcommand, name: SUB_STATUS, ...d('discord.cmd_status'), options: [ticketOpt] },
        { type: ApplicationCommandOptionType.Subcommand, name: SUB_MINE, ...d('discord.cmd_mine') },
        { type: ApplicationCommandOptionType.Subcommand, name: SUB_CLOSE, ...d('discord.cmd_close'), options: [ticketOpt] },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: SUB_MACRO,
          ...d('discord.cmd_macro'),
          options: [{ type: ApplicationCommandOptionType.String, name: OPT_NAME, required: true, autocomplete: true, max_length: 100, ...d('discord.cmd_macro_name') }, ticketOpt],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: SUB_PENDING, ...d('discord.cmd_pending'), options: [ticketOpt] },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: SUB_REPORT,
          ...d('discord.cmd_report'),
          options: [{ type: ApplicationCommandOptionType.Integer, name: OPT_DAYS, required: false, min_value: 1, max_value: 366, ...d('discord.cmd_report_days') }],
        },
      ],
    },
    {
      type: ApplicationCommandType.Message,
      name: CTX_CREATE_TICKET,
      name_localizations: { 'es-ES': es('discord.ctx_create') as string, 'es-419': es('discord.ctx_create') as string },
    },
  ];
}

/**
 * Registers the commands in each guild with a bulk overwrite (`PUT`), which is idempotent: running
 * it at every start-up or from `helpdesk discord register` leaves exactly this set. Guild commands
 * apply at once (global ones take up to an hour), hence per configured guild.
 */
export async function registerCommands(rest: REST, applicationId: string, guildIds: readonly string[]): Promise<Array<{ guildId: string; count: number }>> {
  const body = commandDefinitions();
  const out: Array<{ guildId: string; count: number }> = [];
  for (const guildId of guildIds) {
    try {
      const res = (await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body })) as unknown[];
      out.push({ guildId, count: Array.isArray(res) ? res.length : body.length });
    } catch (e) {
      throw toPlatformError(e, `register commands in guild ${guildId}`);
    }
  }
  return out;
}
