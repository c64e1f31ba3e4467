import { DiscordAPIError, PermissionFlagsBits, Routes, type REST } from 'discord.js';
import type { Desk } from '../../core/domain/desk.js';
import { ok, type Finding } from '../shared/doctor.js';

/** Command names the adapter registers (discord.commands.ts). */
const COMMANDS = ['help', 'ticket', 'Create ticket'];

type Flag = keyof typeof PermissionFlagsBits;
/** What the bot does in a tier channel: cards with embeds and buttons, threads under cards, reactions, transcripts. */
const TIER_PERMISSIONS: Flag[] = ['ViewChannel', 'SendMessages', 'EmbedLinks', 'AttachFiles', 'ReadMessageHistory', 'AddReactions', 'CreatePublicThreads', 'SendMessagesInThreads', 'ManageThreads'];
/** Intake channels: each request gets a private thread the bot opens, fills and archives. */
const INTAKE_PERMISSIONS: Flag[] = ['ViewChannel', 'SendMessages', 'CreatePrivateThreads', 'SendMessagesInThreads', 'ManageThreads'];
const LOG_PERMISSIONS: Flag[] = ['ViewChannel', 'SendMessages', 'EmbedLinks', 'AttachFiles'];

interface ApiRole {
  id: string;
  name: string;
  permissions: string;
  mentionable: boolean;
}
interface ApiOverwrite {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

/** Readable names: `ManageThreads` → `Manage Threads`. */
const label = (f: Flag) => f.replace(/([a-z])([A-Z])/g, '$1 $2');

/**
 * The bot's permissions in a channel, by Discord's documented algorithm: @everyone and the member's
 * roles, Administrator grants all, then the channel's @everyone, role and member overwrites in order.
 */
export function channelPermissions(guildId: string, roles: readonly ApiRole[], memberRoles: readonly string[], memberId: string, overwrites: readonly ApiOverwrite[]): bigint {
  const byId = new Map(roles.map((r) => [r.id, r]));
  let base = BigInt(byId.get(guildId)?.permissions ?? '0');
  for (const r of memberRoles) base |= BigInt(byId.get(r)?.permissions ?? '0');
  if (base & PermissionFlagsBits.Administrator) return ~0n;
  const apply = (o: ApiOverwrite | undefined) => {
    if (o) base = (base & ~BigInt(o.deny)) | BigInt(o.allow);
  };
  apply(overwrites.find((o) => o.id === guildId));
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && memberRoles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  base = (base & ~deny) | allow;
  apply(overwrites.find((o) => o.type === 1 && o.id === memberId));
  return base;
}

const isCode = (e: unknown, ...statuses: number[]) => e instanceof DiscordAPIError && statuses.includes(e.status);

/**
 * `helpdesk discord doctor`: checks the live Discord setup of every desk through the REST API —
 * the bot is in each guild, its commands are registered, it can see and work in each tier, intake and
 * log channel, and each tier role can be pinged (a mentionable role, or the bot's "Mention @everyone,
 * @here and All Roles" permission: `allowed_mentions` cannot override that).
 */
export async function checkDiscord(o: { rest: REST; applicationId: string; desks: readonly Desk[] }): Promise<Finding[]> {
  const out: Finding[] = [];
  const f = (level: Finding['level'], check: string, message: string, fix?: string) => out.push({ platform: 'discord', level, check, message, ...(fix ? { fix } : {}) });
  let me: { id: string; username: string };
  try {
    me = (await o.rest.get(Routes.user())) as { id: string; username: string };
  } catch (e) {
    f('error', 'token', `the bot token was refused (${(e as Error).message})`, 'set DISCORD_TOKEN to the bot token from the Developer Portal → your app → Bot → Reset Token');
    return out;
  }

  type Place = { desk: string; what: string; channel: string; role?: string; need: Flag[] };
  const byGuild = new Map<string, Place[]>();
  const add = (guild: string, p: Place) => byGuild.set(guild, [...(byGuild.get(guild) ?? []), p]);
  for (const desk of o.desks) {
    for (const t of desk.tiers) {
      const c = t.channels.discord;
      if (c) add(c.workspace, { desk: desk.id, what: `tier ${t.level} (${t.name})`, channel: c.channel, role: c.role, need: TIER_PERMISSIONS });
    }
    for (const i of desk.intake) if (i.platform === 'discord' && i.channel) add(i.workspace, { desk: desk.id, what: 'intake', channel: i.channel, need: INTAKE_PERMISSIONS });
    const log = desk.logChannels.discord;
    if (log) add(log.workspace, { desk: desk.id, what: 'log', channel: log.channel, need: LOG_PERMISSIONS });
  }

  for (const [guildId, places] of byGuild) {
    let roles: ApiRole[];
    let memberRoles: string[];
    try {
      roles = ((await o.rest.get(Routes.guild(guildId))) as { roles: ApiRole[] }).roles;
      memberRoles = ((await o.rest.get(Routes.guildMember(guildId, me.id))) as { roles: string[] }).roles;
    } catch (e) {
      if (!isCode(e, 403, 404)) throw e;
      f('error', 'guild', `the bot is not in guild ${guildId} (desks ${[...new Set(places.map((p) => p.desk))].join(', ')})`, `invite it: https://discord.com/oauth2/authorize?client_id=${o.applicationId}&scope=bot%20applications.commands&permissions=${requiredBits()}`);
      continue;
    }
    const registered = ((await o.rest.get(Routes.applicationGuildCommands(o.applicationId, guildId))) as Array<{ name: string }>).map((c) => c.name);
    const missingCommands = COMMANDS.filter((c) => !registered.includes(c));
    if (missingCommands.length) f('error', 'commands', `guild ${guildId}: commands not registered: ${missingCommands.map((c) => (c.includes(' ') ? `"${c}"` : `/${c}`)).join(', ')}`, `run \`helpdesk discord register --guild ${guildId}\` (the gateway role also registers them at start)`);
    else out.push(ok('discord', 'commands', `guild ${guildId}: /help, /ticket and "Create ticket" are registered`));

    for (const p of places) {
      let overwrites: ApiOverwrite[];
      try {
        overwrites = ((await o.rest.get(Routes.channel(p.channel))) as { permission_overwrites?: ApiOverwrite[] }).permission_overwrites ?? [];
      } catch (e) {
        if (!isCode(e, 403, 404)) throw e;
        f('error', 'channel-access', `desk ${p.desk} ${p.what}: the bot cannot see channel ${p.channel} (${(e as DiscordAPIError).status === 404 ? 'unknown channel' : 'missing access'})`, `check the channel id in the desk file; in the channel's settings → Permissions, add the bot's role with View Channel`);
        continue;
      }
      const perms = channelPermissions(guildId, roles, memberRoles, me.id, overwrites);
      const missing = p.need.filter((n) => !(perms & PermissionFlagsBits[n]));
      if (missing.length) f('error', 'permissions', `desk ${p.desk} ${p.what}: the bot lacks ${missing.map(label).join(', ')} in channel ${p.channel}`, `in the channel's settings → Permissions (or the bot's role), allow: ${missing.map(label).join(', ')}`);
      else out.push(ok('discord', 'permissions', `desk ${p.desk} ${p.what}: channel ${p.channel} has every permission the bot needs`));

      if (p.role) {
        const role = roles.find((r) => r.id === p.role);
        if (!role) {
          f('error', 'role', `desk ${p.desk} ${p.what}: role ${p.role} does not exist in guild ${guildId}`, 'fix the role id in the desk file (Server Settings → Roles → ⋯ → Copy Role ID)');
        } else if (!role.mentionable && !(perms & PermissionFlagsBits.MentionEveryone)) {
          f('warn', 'role-mentionable', `desk ${p.desk} ${p.what}: role @${role.name} is not mentionable and the bot lacks "Mention @everyone, @here, and All Roles": tier pings will not notify anyone`, `Server Settings → Roles → ${role.name} → turn on "Allow anyone to @mention this role", or give the bot's role "Mention @everyone, @here, and All Roles"`);
        } else out.push(ok('discord', 'role-mentionable', `desk ${p.desk} ${p.what}: role @${role.name} can be pinged`));
      }
    }
  }
  return out;
}

/** The permission integer for the invite link: everything the bot needs anywhere. */
function requiredBits(): string {
  let bits = 0n;
  for (const f of new Set([...TIER_PERMISSIONS, ...INTAKE_PERMISSIONS, ...LOG_PERMISSIONS])) bits |= PermissionFlagsBits[f];
  return bits.toString();
}
