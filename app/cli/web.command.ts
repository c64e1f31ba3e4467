import path from 'node:path';
import type { Command } from 'commander';
import { MagicLinks } from '../../adapters/web/auth/magic-link.js';
import { readEnv } from '../config/env.js';
import { loadDeskFile } from '../config/load-desk-file.js';
import { dataDirOf, projectRoot, trimTrailingSlashes, webSecret } from '../config/web-secret.js';

/** Parses `30m`, `12h`, `7d` (at most 30 days). */
export function parseTtl(v: string): number {
  const unit = v.slice(-1);
  const n = Number(v.slice(0, -1));
  const ms = unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : unit === 'd' ? 86_400_000 : NaN;
  if (!Number.isInteger(n) || n < 1 || !Number.isFinite(ms)) throw new Error(`--ttl takes a whole number followed by m, h or d (got "${v}")`);
  if (n * ms > 30 * 86_400_000) throw new Error('--ttl can be at most 30d');
  return n * ms;
}

/** `helpdesk web invite <agent>`: prints a single-use sign-in link for the agent console. */
export function registerWebCommands(program: Command): void {
  const web = program.command('web').description('Web channel and agent console');
  web
    .command('invite <agent>')
    .description('Print a single-use, expiring sign-in link to the agent console for an agent of the desk file')
    .option('--ttl <duration>', 'how long the link works (30m, 12h, 7d)', '24h')
    .action((agentId: string, o: { ttl: string }) => {
      const ttl = parseTtl(o.ttl);
      const env = readEnv(process.env);
      const { agents } = loadDeskFile(env.HELPDESK_CONFIG ?? path.join(projectRoot, 'helpdesk.example.yaml'));
      const agent = agents.find((a) => a.id === agentId);
      if (!agent) throw new Error(`no agent "${agentId}" in the desk file (known: ${agents.map((a) => a.id).join(', ') || 'none'})`);
      const secret = webSecret(env.HELPDESK_WEB_SECRET, dataDirOf(env.HELPDESK_DATA_DIR));
      // Issuing needs no Redis: the link is signed; the server consumes it once.
      const token = new MagicLinks(secret, undefined, '').issue(agent.id, ttl, 'invite');
      const base = trimTrailingSlashes(env.HELPDESK_PUBLIC_URL ?? `http://localhost:${env.PORT}`);
      process.stdout.write(`${base}/auth/magic?t=${token}\n`);
      process.stderr.write(`Sign-in link for ${agent.name} (${agent.id}); works once, for ${o.ttl}.\n`);
    });
}
