import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config/config-error.js';
import { readEnv } from '../../app/config/env.js';
import { loadDeskFile, parseDeskFile } from '../../app/config/load-desk-file.js';
import { ruleFor } from '../../core/domain/alert.js';

const example = path.resolve(import.meta.dirname, '../../helpdesk.example.yaml');
const base = `
desks:
  - id: it
    prefix: IT
    name: IT
    tiers: [{ level: 1, name: One, channels: { slack: { workspace: T1, channel: C1 } } }]
    sla:
      targets:
        P1: { firstResponseMinutes: 1, resolutionMinutes: 2 }
        P2: { firstResponseMinutes: 1, resolutionMinutes: 2 }
        P3: { firstResponseMinutes: 1, resolutionMinutes: 2 }
        P4: { firstResponseMinutes: 1, resolutionMinutes: 2 }
`;

function problems(yaml: string): string[] {
  try {
    parseDeskFile(yaml, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('desk file: alerts', () => {
  it('the shipped example has rules and defaults; a file without alerts gets empty ones', () => {
    const c = loadDeskFile(example);
    expect(ruleFor(c.alerts, 'vpn')).toMatchObject({ desk: 'it', action: 'open', resolveAfterMinutes: 15 });
    expect(ruleFor(c.alerts, 'billing')).toMatchObject({ desk: 'support', action: 'propose' });
    expect(c.alerts.flapping).toEqual({ maxChanges: 4, windowMinutes: 30 });
    expect(parseDeskFile(base, 't').alerts).toEqual({ rules: [], flapping: { maxChanges: 4, windowMinutes: 30 }, checks: [] });
  });

  it('parses checks with their defaults', () => {
    const c = parseDeskFile(
      `${base}alerts:
  rules: [{ services: [Intranet], desk: it, action: open }]
  checks:
    - { id: home, service: intranet, kind: http, url: "http://127.0.0.1:8080/health" }
    - { id: db, service: intranet, kind: tcp, host: db.local, port: 5432, intervalSeconds: 30, timeoutMs: 1000 }
`,
      't',
    );
    expect(c.alerts.rules[0]).toMatchObject({ services: ['intranet'], resolveAfterMinutes: 15 });
    expect(c.alerts.checks[0]).toEqual({ id: 'home', service: 'intranet', kind: 'http', url: 'http://127.0.0.1:8080/health', intervalSeconds: 60, timeoutMs: 5000, failuresBeforeAlert: 3, recoveriesBeforeResolve: 2 });
    expect(c.alerts.checks[1]).toMatchObject({ kind: 'tcp', port: 5432, intervalSeconds: 30 });
  });

  it('names the path of every problem', () => {
    const p = problems(`${base}alerts:
  rules:
    - { services: [vpn], desk: hr, action: shout, severity: SEV9 }
    - { services: [], desk: it }
  checks:
    - { id: home, service: web, kind: http, url: "ftp://x", intervalSeconds: 1 }
    - { id: home, service: vpn, kind: ping, host: x }
    - { id: slow, service: vpn, kind: tcp, host: x, port: 99999, timeoutMs: 70000 }
  extra: 1
`);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^alerts\.rules\[0\]\.action: action must be open or propose/),
        expect.stringMatching(/^alerts\.rules\[0\]\.severity: expected SEV1, SEV2, SEV3 or SEV4/),
        expect.stringMatching(/^alerts\.rules\[1\]\.services: at least one service/),
        expect.stringMatching(/^alerts\.checks\[0\]\.url: expected an http:\/\/ or https:\/\/ URL/),
        expect.stringMatching(/^alerts\.checks\[0\]\.intervalSeconds: at least 5 seconds/),
        expect.stringMatching(/^alerts\.checks\[1\]\.kind: kind must be http or tcp/),
        expect.stringMatching(/^alerts\.checks\[2\]\.port: /),
        expect.stringMatching(/^alerts: unknown key\(s\): extra/),
      ]),
    );
    // Cross-checks run once the shapes are right.
    const q = problems(`${base}alerts:
  rules: [{ services: [vpn], desk: hr }]
  checks:
    - { id: a, service: web, kind: tcp, host: x, port: 1, intervalSeconds: 5, timeoutMs: 5000 }
    - { id: a, service: vpn, kind: tcp, host: x, port: 1 }
`);
    expect(q).toEqual([
      'alerts.rules[0].desk: unknown desk hr',
      'alerts.checks[0].timeoutMs: must be shorter than the interval',
      'alerts.checks[0].service: no alerts rule covers service web: add it to a rule\'s services',
      'alerts.checks[1].id: duplicate check id a',
    ]);
  });

  it('webhook secrets: too short is refused, unset is off', () => {
    expect(() => readEnv({ ALERTMANAGER_TOKEN: 'short' })).toThrow(/ALERTMANAGER_TOKEN: at least 16 characters/);
    expect(() => readEnv({ ALERT_WEBHOOK_SECRET: 'x'.repeat(20) })).toThrow(/ALERT_WEBHOOK_SECRET: at least 32 characters/);
    expect(readEnv({}).ALERTMANAGER_TOKEN).toBeUndefined();
  });
});
