import { z } from 'zod';
import { PLATFORMS } from '../../core/domain/identity.js';
import { PRIORITIES } from '../../core/domain/ticket.js';
import { INCIDENT_TITLE_MAX, SERVICE_NAME_MAX, SEVERITIES } from '../../core/domain/incident.js';

/** Validation of the desk file (YAML). Defaults here are the documented defaults of helpdesk.example.yaml. */

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00–24:00)');
const interval = z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'start must be before end');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

export const businessHoursSchema = z
  .object({
    timezone: timezone.default('UTC'),
    weekly: z.partialRecord(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), z.array(interval)).default({}),
    holidays: z.array(isoDate).default([]),
  })
  .strict();

const channelRef = z.object({ workspace: z.string().min(1), channel: z.string().min(1), role: z.string().optional() }).strict();
const platformChannels = z.partialRecord(z.enum(PLATFORMS), channelRef);

/** A site origin allowed to embed the web chat widget: `https://example.com[:port]`, nothing after. */
const webOrigin = z
  .string()
  .max(200)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, 'expected an origin such as https://www.example.com (scheme, host, optional port; no path or trailing slash)');

const slaTarget = z.object({ firstResponseMinutes: z.number().positive(), resolutionMinutes: z.number().positive() }).strict();

const deskSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    prefix: z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/, 'upper-case letters and digits, e.g. IT'),
    name: z.string().min(1),
    kind: z.enum(['internal', 'external']).default('internal'),
    locale: z.enum(['en', 'es']).default('en'),
    categories: z.array(z.string().min(1)).default([]),
    defaultPriority: z.enum(PRIORITIES).default('P3'),
    tiers: z
      .array(z.object({ level: z.number().int().min(1), name: z.string().min(1), channels: platformChannels }).strict())
      .min(1, 'at least one tier'),
    intake: z.array(z.object({ platform: z.enum(PLATFORMS), workspace: z.string().min(1), channel: z.string().optional() }).strict()).default([]),
    logChannels: platformChannels.default({}),
    businessHours: businessHoursSchema.default({ timezone: 'UTC', weekly: {}, holidays: [] }),
    sla: z
      .object({
        targets: z.object({ P1: slaTarget, P2: slaTarget, P3: slaTarget, P4: slaTarget }).strict(),
        pauseWhilePending: z.boolean().default(true),
        warnAtPercent: z.number().min(1).max(99).default(80),
        escalateOnBreach: z.boolean().default(true),
      })
      .strict(),
    assignment: z.enum(['manual', 'round_robin', 'least_loaded']).default('manual'),
    deflection: z
      .object({ enabled: z.boolean().default(true), maxSuggestions: z.number().int().min(1).max(3).default(3), windowMinutes: z.number().positive().default(30) })
      .strict()
      .default({ enabled: true, maxSuggestions: 3, windowMinutes: 30 }),
    automation: z
      .object({
        pendingReminderHours: z.number().positive().default(24),
        autoResolveAfterDays: z.number().positive().default(5),
        reopenWindowDays: z.number().positive().default(7),
        digestCron: z.string().optional(),
      })
      .strict()
      .default({ pendingReminderHours: 24, autoResolveAfterDays: 5, reopenWindowDays: 7 }),
    reactions: z.object({ claim: z.string().default('eyes'), fileTicket: z.string().default('ticket') }).strict().default({ claim: 'eyes', fileTicket: 'ticket' }),
    notePrefix: z.string().default('note:'),
    macros: z.array(z.object({ name: z.string().min(1), text: z.string().min(1) }).strict()).default([]),
    /** `web`: widget origins; `email`: the desk's mailbox (mail to it and to its signed `local+token@` reply addresses becomes tickets). */
    channels: z
      .object({
        web: z.object({ allowedOrigins: z.array(webOrigin).max(100).default([]) }).strict().optional(),
        email: z.object({ address: z.string().trim().toLowerCase().max(254).pipe(z.email('expected an email address such as it@example.com')) }).strict().optional(),
      })
      .strict()
      .optional(),
    /** Incident announcements: a channel per chat platform, a mailing list, the web banner/status page. */
    announce: z
      .object({
        channels: z.object({ slack: channelRef.optional(), teams: channelRef.optional(), discord: channelRef.optional() }).strict().default({}),
        email: z.object({ to: z.string().trim().toLowerCase().max(254).pipe(z.email('expected an email address such as status@example.com')) }).strict().optional(),
        web: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Requests matching an active incident: answered "known issue", linked, kept out of triage. */
    absorb: z
      .object({ enabled: z.boolean().default(true), minSimilarity: z.number().min(0.1).max(1).default(0.5), resolveLinked: z.boolean().default(true) })
      .strict()
      .default({ enabled: true, minSimilarity: 0.5, resolveLinked: true }),
    /** N similar new tickets in M minutes with no incident: a "possible incident" card in tier 2. */
    spike: z
      .object({
        enabled: z.boolean().default(true),
        threshold: z.number().int().min(2).max(1000).default(5),
        windowMinutes: z.number().positive().max(24 * 60).default(10),
        minSimilarity: z.number().min(0.1).max(1).default(0.5),
      })
      .strict()
      .default({ enabled: true, threshold: 5, windowMinutes: 10, minSimilarity: 0.5 }),
  })
  .strict()
  .superRefine((d, ctx) => {
    const levels = d.tiers.map((t) => t.level);
    levels.forEach((lvl, i) => {
      if (lvl !== i + 1) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'level'], message: `tiers must be numbered 1, 2, 3… in order (expected ${i + 1})` });
    });
    d.tiers.forEach((t, i) => {
      if (Object.keys(t.channels).length === 0) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'channels'], message: 'at least one platform channel' });
    });
  });

const identity = z.object({ platform: z.enum(PLATFORMS), workspace: z.string().min(1), user: z.string().min(1) }).strict();

const agentSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    identities: z.array(identity).min(1, 'at least one platform identity'),
    desks: z.array(z.object({ desk: z.string().min(1), tier: z.number().int().min(1).default(1), lead: z.boolean().default(false) }).strict()).min(1),
    skills: z.array(z.string()).default([]),
    maxLoad: z.number().int().min(1).default(10),
    availability: z.enum(['available', 'away']).default('available'),
    shift: businessHoursSchema.optional(),
  })
  .strict();

const severity = z.enum(SEVERITIES, { message: 'expected SEV1, SEV2, SEV3 or SEV4' });
const serviceName = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(SERVICE_NAME_MAX, `at most ${SERVICE_NAME_MAX} characters`);
const checkId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and - (at most 63)');
const checkCommon = {
  id: checkId,
  service: serviceName,
  title: z.string().trim().min(1).max(INCIDENT_TITLE_MAX).optional(),
  severity: severity.optional(),
  intervalSeconds: z.number().int().min(5, 'at least 5 seconds').max(86_400).default(60),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  failuresBeforeAlert: z.number().int().min(1).max(100).default(3),
  recoveriesBeforeResolve: z.number().int().min(1).max(100).default(2),
};
const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL');
const checkSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...checkCommon, kind: z.literal('http'), url: httpUrl, expectStatus: z.array(z.number().int().min(100).max(599)).max(50).optional(), maxLatencyMs: z.number().int().min(1).max(60_000).optional() }).strict(),
    z.object({ ...checkCommon, kind: z.literal('tcp'), host: z.string().trim().min(1).max(253), port: z.number().int().min(1).max(65535) }).strict(),
  ],
  { message: 'kind must be http or tcp' },
);

/** `alerts:` — which desk owns which services' alerts, flapping damping and built-in checks (docs/incidents.md). */
const alertsSchema = z
  .object({
    rules: z
      .array(
        z
          .object({
            services: z.array(z.union([z.literal('*'), serviceName])).min(1, 'at least one service (or "*")'),
            desk: z.string().min(1),
            severity: severity.optional(),
            action: z.enum(['open', 'propose'], { message: 'action must be open or propose' }).default('propose'),
            resolveAfterMinutes: z.number().min(0).max(10_080).nullable().default(15),
          })
          .strict(),
      )
      .default([]),
    flapping: z
      .object({ maxChanges: z.number().int().min(2).max(20).default(4), windowMinutes: z.number().positive().max(1440).default(30) })
      .strict()
      .default({ maxChanges: 4, windowMinutes: 30 }),
    checks: z.array(checkSchema).max(200).default([]),
  })
  .strict()
  .default({ rules: [], flapping: { maxChanges: 4, windowMinutes: 30 }, checks: [] });

export const deskFileSchema = z
  .object({ desks: z.array(deskSchema).min(1, 'at least one desk'), agents: z.array(agentSchema).default([]), alerts: alertsSchema })
  .strict()
  .superRefine((f, ctx) => {
    const ids = new Set<string>();
    f.desks.forEach((d, i) => {
      if (ids.has(d.id)) ctx.addIssue({ code: 'custom', path: ['desks', i, 'id'], message: `duplicate desk id ${d.id}` });
      ids.add(d.id);
    });
    const addresses = new Map<string, string>();
    f.desks.forEach((d, i) => {
      const a = d.channels?.email?.address;
      if (!a) return;
      if (addresses.has(a)) ctx.addIssue({ code: 'custom', path: ['desks', i, 'channels', 'email', 'address'], message: `${a} is already desk ${addresses.get(a)}'s address` });
      else if (a.split('@')[0]!.includes('+')) ctx.addIssue({ code: 'custom', path: ['desks', i, 'channels', 'email', 'address'], message: 'no "+" in the address: local+token@ is used for signed reply addresses' });
      addresses.set(a, d.id);
    });
    const agentIds = new Set<string>();
    f.agents.forEach((a, i) => {
      if (agentIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id ${a.id}` });
      agentIds.add(a.id);
      a.desks.forEach((r, j) => {
        const desk = f.desks.find((d) => d.id === r.desk);
        if (!desk) ctx.addIssue({ code: 'custom', path: ['agents', i, 'desks', j, 'desk'], message: `unknown desk ${r.desk}` });
        else if (!desk.tiers.some((t) => t.level === r.tier)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'desks', j, 'tier'], message: `desk ${r.desk} has no tier ${r.tier}` });
      });
    });
    f.alerts.rules.forEach((r, i) => {
      if (!ids.has(r.desk)) ctx.addIssue({ code: 'custom', path: ['alerts', 'rules', i, 'desk'], message: `unknown desk ${r.desk}` });
    });
    const checkIds = new Set<string>();
    f.alerts.checks.forEach((c, i) => {
      if (checkIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['alerts', 'checks', i, 'id'], message: `duplicate check id ${c.id}` });
      checkIds.add(c.id);
      if (c.timeoutMs >= c.intervalSeconds * 1000) ctx.addIssue({ code: 'custom', path: ['alerts', 'checks', i, 'timeoutMs'], message: 'must be shorter than the interval' });
      if (!f.alerts.rules.some((r) => r.services.includes(c.service) || r.services.includes('*'))) {
        ctx.addIssue({ code: 'custom', path: ['alerts', 'checks', i, 'service'], message: `no alerts rule covers service ${c.service}: add it to a rule's services` });
      }
    });
  });

export type DeskFile = z.infer<typeof deskFileSchema>;
