import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TeamsInstallStore } from './teams.installs.js';
import type { TeamsPlatform } from './teams.platform.js';

/** What the Teams turn handlers (messages, intake, reactions, card actions, installs) work with. */
export interface TeamsBotOptions {
  helpdesk: Helpdesk;
  directory: Directory;
  platform: TeamsPlatform;
  installs: TeamsInstallStore;
  /**
   * Reaction types that claim a ticket when added to its triage card.
   * @defaultValue `['like', '👀', 'eyes']` (Teams' 👍 and the desk-wide 👀)
   */
  claimReactions?: readonly string[];
  log: Logger;
}
