import { type Actor } from '../domain/actor.js';
import type { Identity } from '../domain/identity.js';
import type { CoreDeps } from './deps.js';

/** Who is acting: the system, or a person with their agent role on `deskId` if they have one. */
export type ActorInput = { system: string } | Identity;

export async function resolveActor(deps: Pick<CoreDeps, 'directory'>, deskId: string, input: ActorInput): Promise<Actor> {
  if ('system' in input) return { kind: 'system', reason: input.system };
  const agent = await deps.directory.agentByIdentity(input);
  const role = agent?.desks.find((d) => d.desk === deskId);
  // One name for one agent everywhere: the directory's, whatever the platform payload called them
  // (a Slack button carries the legacy handle, a reaction no name at all); else the platform's.
  const identity = agent ? { ...input, name: agent.name } : input;
  return role && agent ? { kind: 'person', identity, agent: { id: agent.id, tier: role.tier, lead: role.lead } } : { kind: 'person', identity };
}

/** A display name for an actor in messages. */
export const actorName = (a: Actor): string => (a.kind === 'system' ? 'Helpdesk' : (a.identity.name ?? a.identity.user));
