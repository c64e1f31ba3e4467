import { deflateSync } from 'node:zlib';
import JSZip from 'jszip';
import { t } from '../../core/i18n/index.js';

/** Options for the Teams app package (`helpdesk teams package`). */
export interface TeamsPackageOptions {
  /** Microsoft App ID of the bot registration (a GUID); also used as the Teams app id. */
  appId: string;
  /** App version shown in Teams admin. @defaultValue `1.0.0` */
  version?: string;
  /** @defaultValue `Helpdesk` */
  shortName?: string;
  /** @defaultValue `Helpdesk for IT and HR` */
  fullName?: string;
  /** Publisher shown in the store listing. */
  developer?: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  /** Language of the manifest texts. @defaultValue `en` */
  locale?: string;
  /** @defaultValue `#2F6FDE` */
  accentColor?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TEAMS_MANIFEST_VERSION = '1.17';
export const CREATE_TICKET_COMMAND = 'createTicket';

/** The Teams app manifest: the bot with its command list, the "Create ticket" message action, RSC to read channel replies. */
export function buildManifest(o: TeamsPackageOptions): Record<string, unknown> {
  if (!GUID.test(o.appId)) throw new Error(`the app id must be the bot's Microsoft App ID (a GUID), got "${o.appId}"`);
  const l = o.locale ?? 'en';
  const m = (key: string) => t(l, `teams.manifest.${key}`);
  const scopes = ['personal', 'team', 'groupChat'];
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${TEAMS_MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: TEAMS_MANIFEST_VERSION,
    version: o.version ?? '1.0.0',
    id: o.appId,
    developer: o.developer ?? { name: 'Helpdesk', websiteUrl: 'https://example.com/helpdesk', privacyUrl: 'https://example.com/helpdesk/privacy', termsOfUseUrl: 'https://example.com/helpdesk/terms' },
    name: { short: o.shortName ?? 'Helpdesk', full: o.fullName ?? 'Helpdesk for IT and HR' },
    description: { short: m('short'), full: m('full') },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: o.accentColor ?? '#2F6FDE',
    bots: [
      {
        botId: o.appId,
        scopes,
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          {
            scopes,
            commands: (['help', 'status', 'mine', 'tickets', 'macros', 'macro', 'pending'] as const).map((c) => ({ title: c, description: m(c) })),
          },
        ],
      },
    ],
    composeExtensions: [
      {
        botId: o.appId,
        commands: [
          {
            id: CREATE_TICKET_COMMAND,
            type: 'action',
            context: ['message'],
            title: m('create_ticket'),
            description: m('create_ticket_desc'),
            fetchTask: false,
            parameters: [{ name: 'details', title: t(l, 'intake.details'), description: t(l, 'intake.subject'), inputType: 'textarea' }],
          },
        ],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [],
    // Resource-specific consent: receive every message in the team's channels (replies in card
    // threads are relayed without @mentioning the bot).
    webApplicationInfo: { id: o.appId, resource: 'https://RscBasedStoreApp' },
    authorization: { permissions: { resourceSpecific: [{ name: 'ChannelMessage.Read.Group', type: 'Application' }] } },
  };
}

/** Builds the zip Teams sideloads: `manifest.json`, `color.png` (192×192), `outline.png` (32×32). */
export async function buildTeamsPackage(o: TeamsPackageOptions): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(buildManifest(o), null, 2));
  zip.file('color.png', colorIcon(o.accentColor ?? '#2F6FDE'));
  zip.file('outline.png', outlineIcon());
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

// ── icons, drawn in code so the package needs no binary assets ───────────────────────────────

type Rgba = [number, number, number, number];

/** A "?" in a speech bubble: the shape of both icons, in unit coordinates (0..1). */
function glyph(x: number, y: number): 'bubble' | 'mark' | 'none' {
  const inBubble = (x - 0.5) ** 2 / 0.38 ** 2 + (y - 0.45) ** 2 / 0.32 ** 2 <= 1 || (x > 0.25 && x < 0.42 && y > 0.6 && y < 0.88 && y - 0.6 < (0.42 - x) * 1.6);
  if (!inBubble) return 'none';
  const ring = Math.hypot(x - 0.5, y - 0.36);
  const hook = ring > 0.08 && ring < 0.15 && (y < 0.36 || x > 0.5);
  const stem = x > 0.465 && x < 0.535 && y >= 0.43 && y < 0.55;
  const dot = Math.hypot(x - 0.5, y - 0.63) < 0.045;
  return hook || stem || dot ? 'mark' : 'bubble';
}

/** 192×192 full-colour icon: white mark on a bubble over the accent colour. */
export function colorIcon(accent: string): Buffer {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16)) as [number, number, number];
  return png(192, 192, (x, y) => {
    const p = glyph(x / 192, y / 192);
    return p === 'mark' ? [r, g, b, 255] : p === 'bubble' ? [255, 255, 255, 255] : [r, g, b, 255];
  });
}

/** 32×32 outline icon: white on transparent, as Teams requires. */
export function outlineIcon(): Buffer {
  return png(32, 32, (x, y) => {
    const p = glyph((x + 0.5) / 32, (y + 0.5) / 32);
    return p === 'bubble' ? [255, 255, 255, 255] : [0, 0, 0, 0];
  });
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** A minimal RGBA PNG encoder (8-bit, no interlace, filter 0). */
export function png(width: number, height: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
