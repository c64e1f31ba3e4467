import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../core/ports/logger.port.js';

/** What the helpdesk shows of a Slack person: the profile's display name and their language. */
export interface SlackProfile {
  /** Profile display name, else real name, else the account name; undefined when unreadable. */
  name?: string;
  locale?: string;
}

export interface SlackPeopleOptions {
  /** Most people remembered (least recently used ones are forgotten first). @defaultValue 5000 */
  max?: number;
  /** How long a profile is trusted (names change rarely). @defaultValue 1 hour */
  ttlMs?: number;
  /**
   * How long an inbound request waits for a profile it does not know yet; past it the request goes on
   * with the id (the lookup finishes in the background and fills the cache). @defaultValue 400 ms
   */
  waitMs?: number;
}

/**
 * Display names and locales of Slack people, from `users.info` (scope `users:read`), in a bounded
 * in-process LRU with a TTL: at most one lookup per person per hour per replica, and a slow or failing
 * Slack never delays an acknowledgement by more than `waitMs`. Without the scope nothing is asked
 * again (start-up and `helpdesk slack doctor` say so) and people show as their ids.
 */
export class SlackPeople {
  private readonly cache = new Map<string, { at: number; profile: SlackProfile }>();
  private readonly inflight = new Map<string, Promise<SlackProfile>>();
  private missingScope = false;
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(private readonly client: WebClient, private readonly log: Logger, o: SlackPeopleOptions = {}) {
    this.max = o.max ?? 5000;
    this.ttlMs = o.ttlMs ?? 3_600_000;
    this.waitMs = o.waitMs ?? 400;
  }

  /** The person's profile, from the cache or one `users.info` (bounded wait); `{}` when unknown. */
  async profile(user: string): Promise<SlackProfile> {
    const hit = this.cache.get(user);
    if (hit && Date.now() - hit.at < this.ttlMs) {
      this.cache.delete(user); // most recently used goes last
      this.cache.set(user, hit);
      return hit.profile;
    }
    if (this.missingScope) return hit?.profile ?? {};
    let p = this.inflight.get(user);
    if (!p) {
      p = this.lookup(user).finally(() => this.inflight.delete(user));
      this.inflight.set(user, p);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), this.waitMs)));
    const got = await Promise.race([p, late]).finally(() => clearTimeout(timer));
    return got ?? hit?.profile ?? {};
  }

  private async lookup(user: string): Promise<SlackProfile> {
    try {
      const r = await this.client.users.info({ user, include_locale: true });
      const u = r.user as { name?: string; real_name?: string; locale?: string; profile?: { display_name?: string; real_name?: string } } | undefined;
      const name = [u?.profile?.display_name, u?.profile?.real_name, u?.real_name, u?.name].find((n) => typeof n === 'string' && n.trim() !== '')?.trim();
      const profile: SlackProfile = { ...(name ? { name: name.slice(0, 80) } : {}), ...(u?.locale ? { locale: u.locale } : {}) };
      this.remember(user, profile);
      return profile;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code === 'missing_scope') {
        this.missingScope = true;
        this.log.warn({ scope: 'users:read' }, 'Slack: users.info refused (missing_scope users:read): people show as ids and SLACK_USER_LOCALE=slack uses the desk language; add the scope and reinstall');
      } else this.log.debug({ err, user }, 'users.info failed');
      return {};
    }
  }

  private remember(user: string, profile: SlackProfile): void {
    this.cache.delete(user);
    this.cache.set(user, { at: Date.now(), profile });
    while (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
  }
}
