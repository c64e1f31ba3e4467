import type { REST, User } from 'discord.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { ChannelLookup } from './discord.inbound-input.js';
import type { DiscordPlatform } from './discord.platform.js';

/** What the inbound handlers (interactions, messages, reactions, intake) work with. */
export interface DiscordInboundDeps {
  helpdesk: Helpdesk;
  directory: Directory;
  platform: DiscordPlatform;
  rest: REST;
  applicationId: string;
  /** Guilds this bot serves; DMs are attributed to the first guild where the person has a ticket. */
  guildIds: readonly string[];
  /** A channel's type and a thread's parent (gateway cache, else REST). */
  channels: ChannelLookup;
  log: Logger;
}

export const PLATFORM = 'discord' as const;

/** A Discord user as a core Identity in `workspace` (a guild id). */
export function discordIdentity(u: { id: string; globalName?: string | null; username?: string | null }, workspace: string): Identity {
  const name = u.globalName ?? u.username ?? undefined;
  return { platform: PLATFORM, workspace, user: u.id, ...(name ? { name } : {}) };
}

/** Buttons in a DM (fallback conversation) carry no guild: use the guild of the person's identity on the ticket. */
export async function dmIdentity(d: Pick<DiscordInboundDeps, 'helpdesk' | 'guildIds'>, u: User, ticketId: string): Promise<Identity> {
  const t = await d.helpdesk.ticket({ id: ticketId }).catch(() => null);
  const ws = t?.requester.platform === PLATFORM && t.requester.user === u.id ? t.requester.workspace : (t?.links.find((l) => l.platform === PLATFORM)?.workspace ?? d.guildIds[0] ?? '');
  return discordIdentity(u, ws);
}
