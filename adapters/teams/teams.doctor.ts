import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import JSZip from 'jszip';
import type { Desk } from '../../core/domain/desk.js';
import { ok, type Finding } from '../shared/doctor.js';
import { teamsAuthSettings, type TeamsCredentials } from './teams.auth.js';
import { CREATE_TICKET_COMMAND } from './teams.package.js';

/** The parts of a Teams manifest the doctor reads. */
interface PackageManifest {
  id?: string;
  version?: string;
  bots?: Array<{ botId?: string }>;
  composeExtensions?: Array<{ botId?: string; commands?: Array<{ id?: string }> }>;
  webApplicationInfo?: { id?: string };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Teams channel ids: `19:…@thread.tacv2` (or `@thread.skype` in older teams). */
const CHANNEL_ID = /^19:[^\s@]{1,200}@thread\.(tacv2|skype)$/;

/**
 * `helpdesk teams doctor`: checks the app id and secret against the login endpoint (a client-credentials
 * token, as the bot gets for every outbound call), the desk file's Teams channel ids and tenant, and —
 * given the uploaded app package — that its manifest is for this app id (bot, app and RSC ids) and
 * carries the "Create ticket" action.
 */
export async function checkTeams(o: TeamsCredentials & { desks: readonly Desk[]; packageZip?: Buffer }): Promise<Finding[]> {
  const out: Finding[] = [];
  const f = (level: Finding['level'], check: string, message: string, fix?: string) => out.push({ platform: 'teams', level, check, message, ...(fix ? { fix } : {}) });
  const appId = o.appId ?? '';
  if (!GUID.test(appId)) {
    f('error', 'app-id', `TEAMS_APP_ID "${appId}" is not a Microsoft App ID (a GUID)`, 'copy the Microsoft App ID from the Azure Bot resource → Configuration');
  } else {
    const settings = teamsAuthSettings(o);
    try {
      const factory = new ConfigurationServiceClientCredentialFactory(settings as ConstructorParameters<typeof ConfigurationServiceClientCredentialFactory>[0]);
      const creds = await factory.createCredentials(appId, settings.ToChannelFromBotOAuthScope ?? 'https://api.botframework.com', settings.ToChannelFromBotLoginUrl ?? 'https://login.microsoftonline.com/botframework.com', true);
      // MicrosoftAppCredentials (an AppCredentials) behind the ServiceClientCredentials interface.
      await (creds as unknown as { getToken(force?: boolean): Promise<string> }).getToken(true);
      out.push(ok('teams', 'credentials', `the login endpoint issued a token for app ${appId}`));
    } catch (e) {
      const msg = ((e as Error).message ?? String(e)).slice(0, 300);
      const fix = /AADSTS7000215|invalid_client|secret/i.test(msg)
        ? 'TEAMS_APP_PASSWORD is wrong or expired: Azure Bot → Configuration → Manage Password → new client secret'
        : /AADSTS700016|unauthorized_client|not found in the directory/i.test(msg)
          ? 'the app is not registered in that tenant: check TEAMS_APP_ID and TEAMS_TENANT_ID (single-tenant apps need the tenant id)'
          : 'check TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID and network access to the login endpoint (TEAMS_LOGIN_URL)';
      f('error', 'credentials', `no token for app ${appId}: ${msg}`, fix);
    }
  }
  if (o.tenantId && !GUID.test(o.tenantId)) f('error', 'tenant', `TEAMS_TENANT_ID "${o.tenantId}" is not a tenant id (a GUID)`, 'copy the App Tenant ID from the Azure Bot resource → Configuration');

  o.desks.forEach((desk, d) => {
    desk.tiers.forEach((t, i) => {
      const c = t.channels.teams;
      if (!c) return;
      const where = `desks[${d}].tiers[${i}].channels.teams`;
      if (!CHANNEL_ID.test(c.channel)) f('error', 'channel-id', `desk ${desk.id} tier ${t.level}: "${c.channel}" is not a Teams channel id`, `${where}.channel: in Teams, ⋯ on the channel → Get link to channel; the id is the 19:…@thread.tacv2 part (URL-decoded)`);
      else if (o.tenantId && c.workspace !== o.tenantId) f('warn', 'tenant', `desk ${desk.id} tier ${t.level}: channel's workspace ${c.workspace} is not TEAMS_TENANT_ID ${o.tenantId}`, `${where}.workspace: set it to the tenant id`);
      else out.push(ok('teams', 'channel-id', `desk ${desk.id} tier ${t.level}: ${c.channel}`));
    });
  });

  if (o.packageZip) {
    let manifest: PackageManifest | null | undefined;
    try {
      const zip = await JSZip.loadAsync(o.packageZip);
      manifest = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? 'null') as PackageManifest | null;
    } catch (e) {
      f('error', 'manifest', `the app package cannot be read: ${(e as Error).message}`, 'rebuild it with `helpdesk teams package`');
    }
    if (manifest === null) f('error', 'manifest', 'the app package has no manifest.json', 'rebuild it with `helpdesk teams package`');
    else if (manifest) {
      const ids: Array<[string, unknown]> = [['id', manifest.id], ['bots[0].botId', manifest.bots?.[0]?.botId], ['composeExtensions[0].botId', manifest.composeExtensions?.[0]?.botId], ['webApplicationInfo.id', manifest.webApplicationInfo?.id]];
      const wrong = ids.filter(([, v]) => v !== appId);
      if (wrong.length) f('error', 'manifest', `the package's manifest is not for TEAMS_APP_ID ${appId}: ${wrong.map(([k, v]) => `${k}=${String(v)}`).join(', ')}: Teams sends this app's messages to another bot`, `rebuild and re-upload: helpdesk teams package --app-id ${appId || '<Microsoft App ID>'}`);
      else out.push(ok('teams', 'manifest', `the package's manifest (version ${String(manifest.version)}) is for app ${appId}`));
      const commands = manifest.composeExtensions?.[0]?.commands ?? [];
      if (!commands.some((c) => c.id === CREATE_TICKET_COMMAND)) f('warn', 'manifest', 'the package has no "Create ticket" message action', 'rebuild it with `helpdesk teams package` and re-upload');
    }
  }
  return out;
}
