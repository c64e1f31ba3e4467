import type { TurnContext } from 'botbuilder';
import { t } from '../../core/i18n/index.js';
import { noticeView } from '../../core/views/ticket-views.js';
import type { TeamsBotOptions } from './teams.bot-context.js';
import { tenantOf } from './teams.inbound.js';
import { renderActivity } from './teams.renderer.js';
import { channelDataOf } from './teams.payloads.js';

/** The bot was added to a team or installed for a person: remember the install and say hello. */
export async function onInstalled(o: TeamsBotOptions, ctx: TurnContext): Promise<void> {
  const a = ctx.activity;
  if (!a.membersAdded?.some((m) => m.id === a.recipient?.id)) return; // someone else joined
  const team = channelDataOf(a)?.team ?? undefined;
  const tenantId = tenantOf(a);
  await o.installs.save({ tenantId, teamId: team?.id, teamName: team?.name ?? undefined, serviceUrl: a.serviceUrl, at: new Date() });
  o.log.info({ tenantId, teamId: team?.id, team: team?.name }, team ? 'teams: added to a team' : 'teams: installed for a person');
  const desk = o.directory.deskFor({ platform: 'teams', workspace: tenantId, channel: team?.id });
  const text = team ? t(a.locale, 'teams.welcome_team', { team: team.name ?? '', desk: desk.name }) : t(a.locale, 'teams.welcome_personal', { desk: desk.name });
  await ctx.sendActivity(renderActivity(noticeView(text)));
}
