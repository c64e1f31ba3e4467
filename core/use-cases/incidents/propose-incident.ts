import type { Platform } from '../../domain/identity.js';
import { translator } from '../../i18n/index.js';
import type { IncidentProposal, IncidentProposer } from '../../ports/alert-state.port.js';
import type { Delivery } from '../../ports/delivery.port.js';
import type { Directory } from '../../ports/directory.port.js';
import { neutralizeMentions } from '../../views/sanitize.js';
import type { View } from '../../views/view.js';

/** The proposal card (desk's language): what monitoring saw and how to declare it. */
export function proposalView(p: IncidentProposal, locale: string): View {
  const tr = translator(locale);
  const services = p.services.map(neutralizeMentions).join(',');
  const title = neutralizeMentions(p.title);
  const heading = tr('incident.proposal_title', { title });
  const text = tr('incident.proposal_text', { source: p.source, services, severity: p.severity, title });
  return {
    kind: 'notice',
    fallback: `${heading}\n${text}`,
    title: heading,
    text,
    fields: [
      { label: tr('incident.field_services'), value: services },
      { label: tr('incident.field_severity'), value: p.severity },
    ],
    accent: 'escalated',
    clipMarker: tr('text.truncated'),
  };
}

/**
 * Proposes an incident by posting a card in the desk's tier-2 channels (its highest tier when it has
 * one tier), once per proposal and platform (deterministic delivery keys). The card says how to
 * declare; a Declare button is inc-fanout's card (it may replace this proposer in the composition root).
 */
export class DeliveryProposer implements IncidentProposer {
  constructor(
    private readonly directory: Pick<Directory, 'desk'>,
    private readonly delivery: Delivery,
  ) {}

  async propose(p: IncidentProposal): Promise<void> {
    const desk = this.directory.desk(p.deskId);
    const tier = desk.tiers.find((t) => t.level === 2) ?? desk.tiers[desk.tiers.length - 1];
    if (!tier) return;
    const view = proposalView(p, desk.locale);
    for (const [platform, ch] of Object.entries(tier.channels) as Array<[Platform, { workspace: string; channel: string }]>) {
      await this.delivery.send({ kind: 'post', key: `incident-proposal:${p.key}:${platform}`, platform, target: { workspace: ch.workspace, channel: ch.channel }, view });
    }
  }
}
