import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIButtonComponent,
} from 'discord.js';
import { t } from '../../core/i18n/index.js';
import { truncate } from '../../core/views/sanitize.js';
import { clipText } from '../../core/views/text-limits.js';
import type { View, ViewAction } from '../../core/views/view.js';
import { encodeAction } from '../shared/action-codec.js';

/** The JSON body of a Discord message create/edit (and of interaction response data). */
export interface DiscordMessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: Array<APIActionRowComponent<APIComponentInMessageActionRow>>;
  allowed_mentions: APIAllowedMentions;
  flags?: number;
  attachments?: Array<{ id: number; filename: string }>;
  /** Makes the post a reply to a message (e.g. confirming a message filed by reaction). */
  message_reference?: { message_id: string; fail_if_not_exists?: boolean };
}

export interface DiscordFile {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface RenderedMessage {
  body: DiscordMessageBody;
  files: DiscordFile[];
}

export interface RenderOptions {
  /** Interaction replies only: visible to the invoking person alone. */
  ephemeral?: boolean;
  /**
   * Role ids this one message may ping. Only the adapter's own thread-membership messages use it
   * (a role mention is how a role joins a private thread); user text never reaches such a message.
   */
  mentionRoles?: string[];
  /** Extra link buttons (jump links back to the ticket's thread and card). */
  links?: Array<{ label: string; url: string }>;
}

const COLORS: Record<NonNullable<View['accent']>, number> = {
  new: 0x99aab5,
  open: 0x3498db,
  claimed: 0xf1c40f,
  pending: 0xe67e22,
  escalated: 0xe74c3c,
  resolved: 0x2ecc71,
  closed: 0x95a5a6,
  error: 0xed4245,
};

/**
 * Mentions are always restricted: `parse: []` means no `@everyone`, `@here`, role or user text in
 * the message can ping anyone, whatever a requester typed. Only explicitly listed roles may ping.
 */
export const restrictedMentions = (roles: string[] = []): APIAllowedMentions => (roles.length ? { parse: [], roles } : { parse: [] });

/**
 * Discord's documented limits: message content 2,000 characters; embed title 256, description 4,096,
 * field name 256, value 1,024, 25 fields, footer 2,048, author 256, and 6,000 characters across all
 * of an embed's texts; 5 action rows; button labels 80.
 */
export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, footer: 2048, author: 256, embedTotal: 6000 } as const;
const L = DISCORD_LIMITS;

/** Characters an embed's texts add up to (what the 6,000 limit counts). */
export function embedLength(e: APIEmbed): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

const STYLE: Record<NonNullable<ViewAction['style']>, ButtonStyle.Primary | ButtonStyle.Danger | ButtonStyle.Secondary> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

const button = (a: ViewAction, label = a.label): APIButtonComponent => ({
  type: ComponentType.Button,
  style: STYLE[a.style ?? 'default'],
  label: truncate(label, 80),
  custom_id: encodeAction(a),
});

const rowsOf = (buttons: APIButtonComponent[]): Array<APIActionRowComponent<APIComponentInMessageActionRow>> => {
  const rows: Array<APIActionRowComponent<APIComponentInMessageActionRow>> = [];
  for (let i = 0; i < buttons.length; i += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  return rows;
};

/** Lays out a neutral view as a Discord message: plain content for notices, an embed otherwise, plus components. */
export function renderView(view: View, opts: RenderOptions = {}): RenderedMessage {
  const body: DiscordMessageBody = { allowed_mentions: restrictedMentions(opts.mentionRoles) };
  if (opts.ephemeral) body.flags = MessageFlags.Ephemeral;

  // Long text follows core's policy (core/views/text-limits.ts): cut at a safe boundary with the marker.
  const marker = view.clipMarker ?? t(undefined, 'text.truncated');
  if (view.kind === 'notice' || view.kind === 'error') {
    body.content = clipText(view.text ?? view.fallback, L.content, marker).text;
  } else {
    const embed: APIEmbed = {};
    if (view.title) embed.title = truncate(view.title, L.title);
    if (view.author) embed.author = { name: truncate(view.author, L.author) };
    const fields = [
      ...(view.fields ?? []).map((f) => ({ name: truncate(f.label, L.fieldName), value: clipText(f.value || '—', L.fieldValue, marker).text, inline: true })),
      ...(view.items ?? []).map((it) => ({
        name: truncate(it.title, L.fieldName),
        value: clipText([it.text, it.url].filter(Boolean).join('\n') || '—', L.fieldValue, marker).text,
        inline: false,
      })),
    ].slice(0, L.fields);
    if (view.context) embed.footer = { text: truncate(view.context, L.footer) };
    // The description gets what the 6,000 total leaves; fields go first when that is too little.
    const text = view.text ?? (view.title ? undefined : view.fallback);
    const minBody = Math.min(text?.length ?? 0, 1000);
    while (fields.length && L.embedTotal - embedLength({ ...embed, fields }) < minBody) fields.pop();
    if (fields.length) embed.fields = fields;
    if (text) embed.description = clipText(text, Math.min(L.description, L.embedTotal - embedLength(embed)), marker).text;
    if (view.accent) embed.color = COLORS[view.accent];
    body.embeds = [embed];
  }

  // Buttons: one per item action (labelled with the item, "This solved it: Reset VPN"), then the view's.
  const itemButtons = (view.items ?? []).flatMap((it) => (it.actions ?? []).map((a) => button(a, `${a.label}: ${it.title}`)));
  const rows = rowsOf([...itemButtons, ...(view.actions ?? []).map((a) => button(a))]);
  if (view.select) {
    const s = view.select;
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: encodeAction({ action: s.action, ticketId: s.ticketId }),
          placeholder: truncate(s.placeholder, 150),
          options: s.options.slice(0, 25).map((o) => ({ label: truncate(o.label, 100), value: o.value, default: o.value === s.selected })),
        },
      ],
    });
  }
  if (opts.links?.length) {
    rows.push({
      type: ComponentType.ActionRow,
      components: opts.links.slice(0, 5).map((l) => ({ type: ComponentType.Button, style: ButtonStyle.Link, label: truncate(l.label, 80), url: l.url })),
    });
  }
  // An edit must clear old buttons (a resolved card keeps none), so components are always sent.
  body.components = rows.slice(0, 5);

  const files: DiscordFile[] = [];
  if (view.file) {
    files.push({ name: view.file.name, data: Buffer.from(view.file.content, 'utf8'), contentType: view.file.contentType });
    body.attachments = [{ id: 0, filename: view.file.name }];
  }
  return { body, files };
}

/** A jump link to a message or channel in a guild. */
export const jumpUrl = (guildId: string, channelId: string, messageId?: string): string =>
  `https://discord.com/channels/${guildId}/${channelId}${messageId ? `/${messageId}` : ''}`;
