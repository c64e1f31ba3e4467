import type { PublicLogEntry } from '../domain/public-log.js';

type Stored = [at: number, kind: PublicLogEntry['kind'], who: string, text: string, event?: string];

/**
 * A ticket's public log as stored: one JSON string, not an array of sub-documents. FerretDB 1.24
 * converts every stored value between jsonb and BSON one by one in Go, on every read and write of
 * the ticket; as a string the log is one value (the trick of `report_days`, docs/reports.md).
 */
export const encodeLog = (log: readonly PublicLogEntry[]): string =>
  JSON.stringify(log.map((e): Stored => [new Date(e.at).getTime(), e.kind, e.who, e.text, ...(e.event ? [e.event] : [])] as Stored));

export const decodeLog = (s: string): PublicLogEntry[] =>
  (JSON.parse(s) as Stored[]).map(([at, kind, who, text, event]) => ({ at: new Date(at), kind, who, text, ...(event ? { event } : {}) }));
