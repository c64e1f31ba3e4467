export const PLATFORMS = ['slack', 'teams', 'discord', 'email', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A person on one platform. A person may have several identities. */
export interface Identity {
  platform: Platform;
  /** Slack team id, Teams tenant id, Discord guild id, email domain, web site id. */
  workspace: string;
  user: string;
  /** Display name as the platform reported it (for attribution), if known. */
  name?: string;
}

export const identityKey = (i: Pick<Identity, 'platform' | 'workspace' | 'user'>): string => `${i.platform}:${i.workspace}:${i.user}`;

export const sameIdentity = (a: Identity, b: Identity): boolean =>
  a.platform === b.platform && a.workspace === b.workspace && a.user === b.user;
