/**
 * What a platform doctor reports: one finding per check, with what to do about it. `helpdesk <platform>
 * doctor` prints them; start-up logs the warnings and errors (never blocking start).
 */
export interface Finding {
  /** `desk` for checks of the desk file itself. */
  platform: 'slack' | 'teams' | 'discord' | 'desk';
  level: 'ok' | 'warn' | 'error';
  /** Short stable name of the check, e.g. `permissions`, `role-mentionable`, `scopes`. */
  check: string;
  /** What was found, naming the desk, tier, channel or role. */
  message: string;
  /** Exactly what to change, when something is wrong. */
  fix?: string;
}

export const ok = (platform: Finding['platform'], check: string, message: string): Finding => ({ platform, level: 'ok', check, message });

/** Text lines for a terminal: `✔`, `⚠` or `✖`, the message and the fix. */
export function formatFindings(findings: readonly Finding[]): string {
  const mark = { ok: '✔', warn: '⚠', error: '✖' } as const;
  return findings.map((f) => `${mark[f.level]} [${f.platform}:${f.check}] ${f.message}${f.fix ? `\n    fix: ${f.fix}` : ''}`).join('\n');
}
