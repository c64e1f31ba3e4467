import type { Agent } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';

/**
 * How a person signed in to the web maps to the directory: every agent gets the identity
 * `{platform: 'web', workspace: 'console', user: <agent id>}` (added when the directory is seeded),
 * so console actions go through `helpdesk.handle` with the same permission checks as Slack's.
 * OpenID Connect users are matched by a verified email listed in the desk file as
 * `{platform: web, workspace: email, user: <address>}`.
 */
export const CONSOLE_WORKSPACE = 'console';
export const EMAIL_WORKSPACE = 'email';

export const consoleIdentity = (agentId: string, name?: string): Identity => ({ platform: 'web', workspace: CONSOLE_WORKSPACE, user: agentId, ...(name ? { name } : {}) });

export const emailIdentity = (email: string): Identity => ({ platform: 'web', workspace: EMAIL_WORKSPACE, user: email.toLowerCase() });

/** Adds each agent's console identity (idempotent). */
export function withConsoleIdentities(agents: readonly Agent[]): Agent[] {
  return agents.map((a) =>
    a.identities.some((i) => i.platform === 'web' && i.workspace === CONSOLE_WORKSPACE) ? a : { ...a, identities: [...a.identities, consoleIdentity(a.id)] },
  );
}
