import type { WebClient } from '@slack/web-api';
import type { Desk } from '../../core/domain/desk.js';
import { ok, type Finding } from '../shared/doctor.js';
import { SLACK_BOT_SCOPES } from './slack.scopes.js';

/** Scopes without which a part of the helpdesk silently does not work. */
const ESSENTIAL = new Set(['commands', 'chat:write', 'im:write', 'im:history', 'channels:history', 'groups:history', 'reactions:read']);

const errorOf = (e: unknown): string => (e as { data?: { error?: string } }).data?.error ?? (e as Error).message;

/**
 * `helpdesk slack doctor`: checks the token (auth.test), the scopes it was granted (the
 * `x-oauth-scopes` header) against what the adapter uses, and that the bot is a member of every
 * Slack tier and log channel of the desk file — and says exactly what to fix.
 */
export async function checkSlack(o: { client: WebClient; desks: readonly Desk[]; userLocale: 'desk' | 'slack' }): Promise<Finding[]> {
  const out: Finding[] = [];
  const f = (level: Finding['level'], check: string, message: string, fix?: string) => out.push({ platform: 'slack', level, check, message, ...(fix ? { fix } : {}) });
  let granted: string[];
  let team: string | undefined;
  try {
    const r = await o.client.auth.test();
    granted = r.response_metadata?.scopes ?? [];
    team = r.team_id;
    out.push(ok('slack', 'token', `token works: bot ${r.user ?? r.user_id} in workspace ${r.team ?? r.team_id}`));
  } catch (e) {
    f('error', 'token', `auth.test failed: ${errorOf(e)}`, 'set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from api.slack.com/apps → your app → OAuth & Permissions');
    return out;
  }

  const missing = Object.keys(SLACK_BOT_SCOPES).filter((s) => !granted.includes(s));
  const reinstall = 'add them under api.slack.com/apps → your app → OAuth & Permissions → Bot Token Scopes (or update the app from adapters/slack/manifest.yml), then reinstall the app to the workspace';
  for (const s of missing) {
    const essential = ESSENTIAL.has(s);
    const localeNeedsIt = s === 'users:read' && o.userLocale === 'slack';
    const consequence = s === 'users:read' ? (localeNeedsIt ? 'SLACK_USER_LOCALE=slack falls back to the desk language and people show as ids' : 'people show as ids instead of display names') : `without it: ${SLACK_BOT_SCOPES[s]} do not work`;
    f(essential || localeNeedsIt ? 'error' : 'warn', 'scopes', `scope ${s} is not granted (${SLACK_BOT_SCOPES[s]}): ${consequence}`, `${reinstall}: ${s}`);
  }
  if (missing.length === 0) out.push(ok('slack', 'scopes', `every scope the helpdesk uses is granted (${Object.keys(SLACK_BOT_SCOPES).length})`));

  const places: Array<{ desk: string; what: string; channel: string; workspace: string }> = [];
  for (const desk of o.desks) {
    for (const t of desk.tiers) if (t.channels.slack) places.push({ desk: desk.id, what: `tier ${t.level} (${t.name})`, ...t.channels.slack });
    if (desk.logChannels.slack) places.push({ desk: desk.id, what: 'log', ...desk.logChannels.slack });
  }
  const canRead = granted.includes('channels:read') || granted.includes('groups:read');
  for (const p of places) {
    if (team && p.workspace !== team) {
      f('warn', 'workspace', `desk ${p.desk} ${p.what}: channel ${p.channel} is in workspace ${p.workspace}, this token is for ${team}`, `fix the workspace id in the desk file (or run a token for ${p.workspace})`);
      continue;
    }
    if (!canRead) {
      f('warn', 'channel-membership', `desk ${p.desk} ${p.what}: cannot check membership of ${p.channel} (no channels:read / groups:read)`, `${reinstall}: channels:read, groups:read`);
      continue;
    }
    try {
      const r = await o.client.conversations.info({ channel: p.channel });
      const ch = r.channel as { name?: string; is_member?: boolean; is_archived?: boolean } | undefined;
      if (ch?.is_archived) f('error', 'channel-membership', `desk ${p.desk} ${p.what}: #${ch.name ?? p.channel} is archived`, 'unarchive it or point the desk file at another channel');
      else if (!ch?.is_member) f('error', 'channel-membership', `desk ${p.desk} ${p.what}: the bot is not a member of #${ch?.name ?? p.channel}: cards cannot be posted there`, `in Slack, open #${ch?.name ?? p.channel} and type /invite @<your bot>`);
      else out.push(ok('slack', 'channel-membership', `desk ${p.desk} ${p.what}: the bot is in #${ch.name ?? p.channel}`));
    } catch (e) {
      const code = errorOf(e);
      f('error', 'channel-membership', `desk ${p.desk} ${p.what}: channel ${p.channel}: ${code}`, code === 'channel_not_found' ? 'check the channel id in the desk file (channel details → bottom of the About tab); a private channel must invite the bot first' : `conversations.info answered ${code}`);
    }
  }
  return out;
}
