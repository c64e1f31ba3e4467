import type { Desk } from '../../core/domain/desk.js';
import { PLATFORMS, type Platform } from '../../core/domain/identity.js';
import { ok, type Finding } from '../../adapters/shared/doctor.js';

/**
 * Checks of the desk file that no platform call is needed for. A platform with a tier-1 channel but
 * no channel for a higher tier makes escalations invisible to that platform's specialists: the
 * escalated card is posted only where the next tier has a channel.
 */
export function checkDeskCoverage(desks: readonly Desk[], enabled?: ReadonlySet<Platform>): Finding[] {
  const out: Finding[] = [];
  for (const desk of desks) {
    const levels = [...desk.tiers].sort((a, b) => a.level - b.level);
    for (const platform of PLATFORMS) {
      if (enabled && !enabled.has(platform)) continue;
      const first = levels.find((t) => t.channels[platform]);
      if (!first) continue;
      const missing = levels.filter((t) => t.level > first.level && !t.channels[platform]);
      if (missing.length === 0) {
        if (levels.length > 1) out.push(ok('desk', 'tier-coverage', `desk ${desk.id}: ${platform} has a channel for every tier from ${first.level}`));
        continue;
      }
      const elsewhere = (level: number) => PLATFORMS.filter((p) => p !== platform && levels.find((t) => t.level === level)?.channels[p]);
      for (const t of missing) {
        const other = elsewhere(t.level);
        out.push({
          platform: 'desk',
          level: 'warn',
          check: 'tier-coverage',
          message: `desk ${desk.id}: ${platform} has a tier-${first.level} channel but no tier-${t.level} (${t.name}) channel: tickets escalated to tier ${t.level} are not shown to ${platform} specialists${other.length ? ` (only in ${other.join(', ')})` : ''}`,
          fix: `add desks[${desks.indexOf(desk)}].tiers[${desk.tiers.indexOf(t)}].channels.${platform} in the desk file (or remove the lower-tier ${platform} channel if ${platform} is intake-only)`,
        });
      }
    }
  }
  return out;
}
