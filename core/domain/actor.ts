import type { Identity } from './identity.js';

/** Who asks for a change, as the use case resolved it from the directory. */
export type Actor =
  | { kind: 'system'; reason: string }
  | {
      kind: 'person';
      identity: Identity;
      /** Set when the person is an agent of the ticket's desk. */
      agent?: { id: string; tier: number; lead: boolean };
    };

export const systemActor = (reason: string): Actor => ({ kind: 'system', reason });
