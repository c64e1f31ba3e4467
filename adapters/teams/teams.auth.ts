import { CallerIdConstants, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';

/**
 * The clouds' identity endpoints, as botframework-connector 4.23's `AuthenticationConstants` and
 * `GovernmentConstants` define them (that package is not a direct dependency, so they are copied).
 */
const PUBLIC_CLOUD = {
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: CallerIdConstants.PublicAzureChannel,
};
export const US_GOV_CHANNEL_SERVICE = 'https://botframework.azure.us';
const US_GOV_CLOUD = {
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
  ToChannelFromBotOAuthScope: 'https://api.botframework.us',
  OAuthUrl: 'https://api.botframework.azure.us',
  CallerId: CallerIdConstants.USGovChannel,
};

/**
 * The Bot Framework identity endpoints, for clouds other than the public one (US Government, sovereign
 * or private clouds) and for tests against a local identity fake. Unset values keep the cloud's
 * defaults (public cloud, or US Government when `channelService` is `https://botframework.azure.us`).
 */
export interface TeamsIdentitySettings {
  /** botbuilder's `ChannelService` (the cloud): `https://botframework.azure.us` for US Government. */
  channelService?: string;
  /** OpenID metadata whose JWKS signs the channel's tokens to the bot (`ToBotFromChannelOpenIdMetadataUrl`). */
  openIdMetadataUrl?: string;
  /** The `iss` of the channel's tokens to the bot (`ToBotFromChannelTokenIssuer`). */
  tokenIssuer?: string;
  /** Authority the bot gets its own outbound tokens from (`ToChannelFromBotLoginUrl`); https only (MSAL). */
  loginUrl?: string;
  /** Scope of the bot's outbound tokens (`ToChannelFromBotOAuthScope`, without `/.default`). */
  oauthScope?: string;
}

export interface TeamsCredentials {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  identity?: TeamsIdentitySettings;
}

/**
 * botbuilder settings for the credentials. Once any endpoint is overridden botbuilder uses only the
 * given values (no defaults), and a missing one turns some tokens into 500s: the unset ones are
 * filled from the cloud's constants.
 */
export function teamsAuthSettings(c: TeamsCredentials): ConfigurationBotFrameworkAuthenticationOptions {
  if (!c.appId) return {};
  const base: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: c.appId,
    MicrosoftAppPassword: c.appPassword,
    MicrosoftAppTenantId: c.tenantId,
    MicrosoftAppType: c.tenantId ? 'SingleTenant' : 'MultiTenant',
  };
  const id = c.identity ?? {};
  if (id.channelService) base.ChannelService = id.channelService;
  if (!id.openIdMetadataUrl && !id.tokenIssuer && !id.loginUrl && !id.oauthScope) return base;
  const cloud = id.channelService === US_GOV_CHANNEL_SERVICE ? US_GOV_CLOUD : PUBLIC_CLOUD;
  return {
    ...base,
    ToBotFromChannelOpenIdMetadataUrl: id.openIdMetadataUrl ?? cloud.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: id.tokenIssuer ?? cloud.ToBotFromChannelTokenIssuer,
    // Emulator and skill tokens are validated against this one; the channel's own keys serve here too.
    ToBotFromEmulatorOpenIdMetadataUrl: id.openIdMetadataUrl ?? cloud.ToBotFromEmulatorOpenIdMetadataUrl,
    ToChannelFromBotLoginUrl: id.loginUrl ?? cloud.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: id.oauthScope ?? cloud.ToChannelFromBotOAuthScope,
    OAuthUrl: cloud.OAuthUrl,
    CallerId: cloud.CallerId,
  };
}

export function createTeamsAuth(c: TeamsCredentials): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(teamsAuthSettings(c));
}

/** Why a request was refused, for the log (never for the response body). */
export function authFailureReason(err: unknown): string {
  const e = err as { name?: string; message?: string } | undefined;
  const text = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
