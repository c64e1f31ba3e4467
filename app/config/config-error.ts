import type { z } from 'zod';

/** A configuration problem: every issue with its path, e.g. `desks[0].tiers[1].channels.slack.channel: required`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly source: string, readonly problems: string[]) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `['desks', 0, 'tiers', 1, 'slack']` → `desks[0].tiers[1].slack`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/** One line per zod issue, with zod's generic messages made plainer. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = formatPath(i.path) || '(root)';
    let msg = i.message;
    if (i.code === 'invalid_type' && /received undefined/.test(i.message)) msg = 'required';
    if (i.code === 'unrecognized_keys') msg = `unknown key(s): ${i.keys.join(', ')}`;
    return `${where}: ${msg}`;
  });
}
