import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { AlertingConfig } from '../../core/domain/alert.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import { ConfigError, describeIssues } from './config-error.js';
import { deskFileSchema } from './desk-file.schema.js';

export interface DeskConfig {
  desks: Desk[];
  agents: Agent[];
  /** `alerts:` (rules, flapping, checks); empty when the file has none. */
  alerts: AlertingConfig;
}

/** Parses and validates desk-file text; throws ConfigError with every problem and its path. */
export function parseDeskFile(text: string, source: string): DeskConfig {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(source, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  const r = deskFileSchema.safeParse(doc.toJS());
  if (!r.success) throw new ConfigError(source, describeIssues(r.error.issues));
  return r.data as DeskConfig;
}

/** Reads the desk file at `path`. */
export function loadDeskFile(path: string): DeskConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read the desk file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parseDeskFile(text, path);
}
