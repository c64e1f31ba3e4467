import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { daysBetween, type FactFlags, type FactSnapshot, type FactWrite } from '../domain/ticket-fact.js';
import type { ReportFact } from '../ports/report-store.port.js';
import { KeyedCoalescer } from './keyed-coalescer.js';
import { isDuplicateKey } from './schemas.js';

/**
 * Per desk-day read model of the ticket facts, so a 30-day report is a few reads by `_id` (the one
 * lookup FerretDB 1.24 serves by key; any other filter is evaluated over the whole collection).
 *
 * Documents `report_days`: `_id` = `<desk>:<YYYY-MM-DD>#<writer>[.<chunk>]`, `b` = the entries of the
 * tickets created that day (desk time zone) whose facts this writer recorded, as **one JSON string**
 * `{ticketId: entry}` (`encodeDay`; an entry has short names and instants as epoch ms). Not as nested
 * documents: FerretDB 1.24 converts every stored value between PostgreSQL's jsonb and BSON one by one
 * in Go, so a 30-day report of 4,200 nested entries (~100,000 values) spent 1.5–3 s in FerretDB under
 * load; as strings it is 0.1–0.2 s (bench/reports.ts, docs/reports.md). `f` = `{ticketId → entry
 * document}` is what earlier versions wrote: still read and merged (entries merge idempotently, so an
 * entry in both counts once). The writer keeps each of its chunks' entries in memory and rewrites the
 * chunk's string from them (no read before a write; a chunk whose entries it dropped is read first).
 * Exact on FerretDB,
 * where an update is "read, then write by `_id`" without a transaction (two concurrent updates of
 * one document can lose one): each process writes only its own documents (`writer` is random per
 * store instance) and never has two writes of one document in flight — writes that arrive meanwhile
 * are merged and written together when it returns (`KeyedCoalescer`, as for `ShardedCounters`).
 * Readers merge a ticket's entries from every writer: the snapshots laid over each other in version
 * order (what the version-guarded `$set` of `ticket_facts` leaves), each flag from the newest
 * version that set it, claimers and tiers united.
 *
 * `report_writers` (`_id` = `<desk>#<writer>`, `firstDay`, `lastDay`, `c`) tells readers which writers
 * hold documents for a desk's period; one tiny document per desk per process, written by its process only.
 *
 * **Chunks.** A writer's desk-day is split into documents of at most `CHUNK_TICKETS` tickets:
 * `<desk>:<day>#<writer>` (chunk 0, what earlier versions wrote) then `…#<writer>.1`, `.2`…; the
 * writer's `c.<day>` is the highest chunk of that day (absent: 0), announced before the chunk is
 * first written. FerretDB updates a document by reading, decoding, re-encoding and rewriting all of
 * it, so one document per day made every fact write cost O(tickets that day): at 1,000 tickets a
 * day ≈ 1 MB read and rewritten per write, which was most of FerretDB's CPU during a storm and made the
 * drain slower as the day went on. A ticket's later entries go to the chunk that holds it (known to
 * this process; a ticket this process has not seen goes to the current chunk and readers merge).
 */
/** Tickets per `report_days` document (see the file comment). */
export const CHUNK_TICKETS = 50;
interface Entry {
  v: number;
  s: Omit<FactSnapshot, 'ticketId' | 'deskId' | 'v'>;
  /** Scalar flags with the version that set them. */
  fl?: Partial<Record<ScalarFlag, { v: number; x: unknown }>>;
  claimers?: string[];
  escTiers?: number[];
}
type ScalarFlag = 'firstResponder' | 'resolver' | 'reopened' | 'kbGap' | 'q';
const SCALAR_FLAGS: readonly ScalarFlag[] = ['firstResponder', 'resolver', 'reopened', 'kbGap', 'q'];

interface DayDoc {
  _id: string;
  deskId: string;
  day: string;
  w: string;
  /** `encodeDay` of this writer's entries in this document. */
  b?: string;
  /** Entries as documents, written by an earlier version (read, never written). */
  f?: Record<string, Entry>;
}
interface WriterDoc {
  _id: string;
  deskId: string;
  w: string;
  firstDay: string;
  lastDay: string;
  /** Highest chunk per day (absent: 0). */
  c?: Record<string, number>;
}

const dayModel = (c: Connection): Model<DayDoc> =>
  (c.models.ReportDay as Model<DayDoc> | undefined) ??
  c.model<DayDoc>('ReportDay', new Schema<DayDoc>({ _id: String }, { collection: 'report_days', versionKey: false, strict: false }));
const writerModel = (c: Connection): Model<WriterDoc> =>
  (c.models.ReportWriter as Model<WriterDoc> | undefined) ??
  c.model<WriterDoc>('ReportWriter', new Schema<WriterDoc>({ _id: String }, { collection: 'report_writers', versionKey: false, strict: false }));

export const dayDocId = (deskId: string, day: string, writer: string, chunk = 0) => `${deskId}:${day}#${writer}${chunk ? `.${chunk}` : ''}`;

/** Fact writes of one document waiting for its write (all of one desk-day chunk: the key says which). */
interface DayBatch {
  deskId: string;
  day: string;
  chunk: number;
  entries: Map<string, Entry>;
}

/** Where this writer puts a desk-day's tickets: the current chunk, its ticket count, each ticket's chunk. */
interface DayChunks {
  chunk: number;
  count: number;
  where: Map<string, number>;
  /** Tickets this writer has written (or tried to) in this day's chunks since `freshFrom`. */
  written: Set<string>;
  /** Chunks from this one on were opened with `written` complete: a ticket not in it has no entry there. */
  freshFrom: number;
  /** The entries this writer keeps in each chunk (all of them: it is the chunk's only writer). */
  docs: Map<number, Map<string, Entry>>;
}

/** One fact write as an entry (what this writer saw of the ticket). */
export function entryOf({ snapshot, flags }: FactWrite): Entry {
  const { ticketId: _t, deskId: _d, v, ...s } = snapshot;
  void _t;
  void _d;
  const e: Entry = { v, s };
  const { escTier, claimer, ...scalars } = flags as FactFlags;
  for (const k of SCALAR_FLAGS) if (scalars[k] !== undefined) (e.fl ??= {})[k] = { v, x: scalars[k] };
  if (claimer !== undefined) e.claimers = [claimer];
  if (escTier !== undefined) e.escTiers = [escTier];
  return e;
}

const union = <T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined => {
  if (!a?.length) return b?.length ? [...b] : undefined;
  const out = [...a];
  for (const x of b ?? []) if (!out.includes(x)) out.push(x);
  return out;
};

/**
 * Merges two entries of one ticket: the newer snapshot laid over the older (fields a newer snapshot
 * lacks keep their older value, as `$set` leaves them on `ticket_facts`), each flag from the newer
 * version (the later write on a tie), claimers and tiers united.
 */
export function mergeEntries(a: Entry, b: Entry): Entry {
  const [older, newer] = b.v > a.v ? [a, b] : [b, a];
  const out: Entry = { v: newer.v, s: b.v > a.v ? { ...a.s, ...b.s } : a.v > b.v ? { ...b.s, ...a.s } : { ...a.s, ...b.s } };
  void older;
  for (const k of SCALAR_FLAGS) {
    const x = a.fl?.[k];
    const y = b.fl?.[k];
    const pick = x && y ? (y.v >= x.v ? y : x) : (x ?? y);
    if (pick) (out.fl ??= {})[k] = pick;
  }
  const claimers = union(a.claimers, b.claimers);
  const escTiers = union(a.escTiers, b.escTiers);
  if (claimers) out.claimers = claimers;
  if (escTiers) out.escTiers = escTiers;
  return out;
}

/**
 * Stored names of the snapshot's fields. Every field name is longer than one character, so a one-
 * character stored name is always one of these; a field not listed (added later) is stored under its own name.
 */
const SHORT: Readonly<Record<string, string>> = {
  number: 'n', createdAt: 'c', day: 'd', channel: 'h', category: 'g', priority: 'p', status: 't', routed: 'r', frBms: 'f', resBms: 'e',
  resolvedAt: 'z', frBreached: 'F', resBreached: 'E', paused: 'u', sa: 'a', deflectedBy: 'b', csat: 'k', csatComment: 'm', assignee: 'o',
};
const LONG: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SHORT).map(([k, x]) => [x, k]));
const FLAG_SHORT: Readonly<Record<ScalarFlag, string>> = { firstResponder: 'f', resolver: 'r', reopened: 'o', kbGap: 'g', q: 'q' };
/** Instants of a snapshot, stored as epoch ms. */
const INSTANTS: ReadonlySet<string> = new Set(['createdAt', 'resolvedAt']);

/** A stored entry: `{v, s, l, c, t}` = version, snapshot (short names), flags as `[version, value]`, claimers, tiers. */
export interface StoredEntry {
  v: number;
  s: Record<string, unknown>;
  l?: Record<string, [number, unknown]>;
  c?: string[];
  t?: number[];
}

/** An entry as stored in a day's string (see the file comment). */
export function encodeEntry(e: Entry): StoredEntry {
  const s: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(e.s)) {
    if (x === undefined) continue;
    s[SHORT[k] ?? k] = INSTANTS.has(k) ? (x instanceof Date ? x.getTime() : typeof x === 'string' ? Date.parse(x) : x) : x;
  }
  const out: StoredEntry = { v: e.v, s };
  for (const k of SCALAR_FLAGS) {
    const f = e.fl?.[k];
    if (f) (out.l ??= {})[FLAG_SHORT[k]] = [f.v, f.x];
  }
  if (e.claimers?.length) out.c = e.claimers;
  if (e.escTiers?.length) out.t = e.escTiers;
  return out;
}

/** A stored entry back. */
export function decodeEntry(o: StoredEntry): Entry {
  const s: Record<string, unknown> = {};
  for (const k of Object.keys(o.s)) {
    const name = LONG[k] ?? k;
    const y = o.s[k];
    s[name] = INSTANTS.has(name) && typeof y === 'number' ? new Date(y) : y;
  }
  const e: Entry = { v: o.v, s: s as Entry['s'] };
  if (o.l) {
    for (const k of SCALAR_FLAGS) {
      const f = o.l[FLAG_SHORT[k]];
      if (f) (e.fl ??= {})[k] = { v: f[0], x: f[1] };
    }
  }
  if (o.c) e.claimers = o.c;
  if (o.t) e.escTiers = o.t;
  return e;
}

/** A writer's entries of one day as the document's string `b`. */
export function encodeDay(entries: Iterable<[string, Entry]>): string {
  const o: Record<string, StoredEntry> = {};
  for (const [id, e] of entries) o[id] = encodeEntry(e);
  return JSON.stringify(o);
}

/** The entries of a day document: its string `b` and the entry documents of an earlier version (`f`), merged. */
export function entriesOf(d: Pick<DayDoc, 'b' | 'f'> | null | undefined, into = new Map<string, Entry>()): Map<string, Entry> {
  const add = (id: string, e: Entry) => {
    const prev = into.get(id);
    into.set(id, prev ? mergeEntries(prev, e) : e);
  };
  if (d?.f) for (const id of Object.keys(d.f)) add(id, d.f[id]!);
  if (typeof d?.b === 'string') {
    const o = JSON.parse(d.b) as Record<string, StoredEntry>;
    for (const id of Object.keys(o)) add(id, decodeEntry(o[id]!));
  }
  return into;
}

/** The entry as the fact a report reads (the shape of `REPORT_PROJECTION` on `ticket_facts`). */
export function factOf(e: Entry): ReportFact {
  const f: Record<string, unknown> = { ...e.s };
  for (const k of SCALAR_FLAGS) if (e.fl?.[k]) f[k] = e.fl[k]!.x;
  if (e.claimers) f.claimers = e.claimers;
  if (e.escTiers) f.escTiers = e.escTiers;
  return f as unknown as ReportFact;
}

/** Writes and reads `report_days` (see the file comment). */
export class ReportDays {
  readonly writer: string;
  private readonly D: Model<DayDoc>;
  private readonly W: Model<WriterDoc>;
  /** One write in flight per document; fact writes arriving meanwhile are merged into the next. */
  private readonly writes = new KeyedCoalescer<DayBatch, void>(
    () => ({ deskId: '', day: '', chunk: 0, entries: new Map() }),
    (key, batch) => this.flush(key, batch),
  );
  /** The span of days this writer has announced per desk (its own `report_writers` document). */
  private readonly spans = new Map<string, { firstDay: string; lastDay: string; c: Record<string, number> }>();
  /** Per `<desk>:<day>`: this writer's chunks (see the file comment). */
  private readonly chunks = new Map<string, DayChunks>();
  /** Newest day seen per desk (older days' ticket maps are dropped, see `chunkOf`). */
  private readonly newestDay = new Map<string, string>();
  private readonly announcing = new Map<string, Promise<void>>();

  constructor(c: Connection, writer = randomBytes(6).toString('hex')) {
    this.writer = writer;
    this.D = dayModel(c);
    this.W = writerModel(c);
  }

  /** Records one fact write in this writer's document of the ticket's desk-day. */
  record(w: FactWrite): Promise<void> {
    const { deskId, day, ticketId } = w.snapshot;
    const chunk = this.chunkOf(deskId, day, ticketId);
    const key = dayDocId(deskId, day, this.writer, chunk);
    const e = entryOf(w);
    return this.writes.submit(key, (p) => {
      Object.assign(p, { deskId, day, chunk });
      const prev = p.entries.get(ticketId);
      p.entries.set(ticketId, prev ? mergeEntries(prev, e) : e);
    });
  }

  /**
   * The chunk of this writer's desk-day document that takes `ticketId`: the one already holding it,
   * else the current one, a new one once the current holds `CHUNK_TICKETS`. Ticket maps of days
   * before the desk's previous newest day are dropped (bounded memory); a late write to such a day
   * then opens a new chunk, which readers merge like any other.
   */
  private chunkOf(deskId: string, day: string, ticketId: string): number {
    const dk = `${deskId}:${day}`;
    let st = this.chunks.get(dk);
    if (!st) this.chunks.set(dk, (st = { chunk: 0, count: 0, where: new Map(), written: new Set(), freshFrom: 0, docs: new Map() }));
    const newest = this.newestDay.get(deskId);
    if (newest === undefined || day > newest) {
      this.newestDay.set(deskId, day);
      if (newest !== undefined) {
        // Keep the previous newest day (its tickets still change), drop the maps of the days before it.
        for (const [k, c] of this.chunks) {
          if (k.startsWith(`${deskId}:`) && k.slice(deskId.length + 1) < newest && c.where.size) {
            c.where = new Map();
            c.written = new Set();
            c.docs = new Map();
            c.count = CHUNK_TICKETS;
            c.freshFrom = c.chunk + 1;
          }
        }
      }
    }
    const at = st.where.get(ticketId);
    if (at !== undefined) return at;
    if (st.count >= CHUNK_TICKETS) {
      st.chunk += 1;
      st.count = 0;
    }
    st.count += 1;
    st.where.set(ticketId, st.chunk);
    return st.chunk;
  }

  /** Writes one batch of a document (the coalescer's write: one at a time per document). */
  private async flush(key: string, p: DayBatch): Promise<void> {
    await this.announce(p.deskId, p.day, p.chunk);
    // This process is the chunk's only writer, one write at a time, and keeps the chunk's entries:
    // the string is rewritten from memory. Entries it dropped (an old day, `chunkOf`) or never had
    // (a chunk of a day it had not seen) are read first; that read is current for the same reason.
    const st = this.chunks.get(`${p.deskId}:${p.day}`);
    let doc = st?.docs.get(p.chunk);
    if (!doc) {
      const mayHave = !st || p.chunk < st.freshFrom || [...p.entries.keys()].some((id) => st.written.has(id));
      doc = mayHave ? entriesOf((await this.D.collection.findOne({ _id: key } as never, { projection: { b: 1, f: 1 } })) as unknown as Pick<DayDoc, 'b' | 'f'> | null) : new Map<string, Entry>();
      st?.docs.set(p.chunk, doc);
    }
    for (const [id, e] of p.entries) {
      st?.written.add(id); // before the write: a write that fails may have landed
      const old = doc.get(id);
      doc.set(id, old ? mergeEntries(old, e) : e);
    }
    await this.D.collection.updateOne({ _id: key } as never, { $set: { b: encodeDay(doc) }, $setOnInsert: { deskId: p.deskId, day: p.day, w: this.writer } }, { upsert: true });
  }

  /** Widens this writer's announced span for the desk before its document is written (readers find it). */
  private announce(deskId: string, day: string, chunk: number): Promise<void> {
    const s = this.spans.get(deskId);
    if (s && s.firstDay <= day && s.lastDay >= day && (s.c[day] ?? 0) >= chunk) return Promise.resolve();
    // One announcement of a desk at a time (its document has one writer, one write in flight).
    const run = (this.announcing.get(deskId) ?? Promise.resolve()).catch(() => {}).then(() => this.widen(deskId, day, chunk));
    this.announcing.set(deskId, run);
    return run;
  }

  private async widen(deskId: string, day: string, chunk: number): Promise<void> {
    const s = this.spans.get(deskId);
    const known = s?.c[day] ?? 0;
    if (s && s.firstDay <= day && s.lastDay >= day && known >= chunk) return;
    const span = { firstDay: s && s.firstDay < day ? s.firstDay : day, lastDay: s && s.lastDay > day ? s.lastDay : day };
    const set: Record<string, unknown> = { ...span };
    if (chunk > known) set[`c.${day}`] = chunk;
    const _id = `${deskId}#${this.writer}`;
    try {
      await this.W.collection.updateOne({ _id } as never, { $set: { deskId, w: this.writer, ...set } }, { upsert: true });
    } catch (e) {
      // Only this process writes it; a duplicate key can only be the server's own upsert retry.
      if (!isDuplicateKey(e)) throw e;
      await this.W.collection.updateOne({ _id } as never, { $set: set });
    }
    this.spans.set(deskId, { ...span, c: { ...s?.c, ...(chunk > known ? { [day]: chunk } : {}) } });
  }

  /** Writers whose documents may hold days of `deskId` in the period. */
  async writersOf(deskId: string, fromDay: string, toDay: string): Promise<string[]> {
    return (await this.writerDocs(deskId, fromDay, toDay)).map((x) => x.w);
  }

  private async writerDocs(deskId: string, fromDay: string, toDay: string): Promise<WriterDoc[]> {
    const all = (await this.W.collection.find({ deskId } as never, { projection: { w: 1, firstDay: 1, lastDay: 1, c: 1 } }).toArray()) as unknown as WriterDoc[];
    return all.filter((x) => x.firstDay <= toDay && x.lastDay >= fromDay);
  }

  /** The facts of tickets of `deskId` created `fromDay`..`toDay`: the period's documents read by `_id`. */
  async facts(deskId: string, fromDay: string, toDay: string): Promise<ReportFact[]> {
    const writers = await this.writerDocs(deskId, fromDay, toDay);
    const ids = daysBetween(fromDay, toDay).flatMap((day) =>
      writers.flatMap((w) => Array.from({ length: (Number(w.c?.[day]) || 0) + 1 }, (_, k) => dayDocId(deskId, day, w.w, k))),
    );
    // Each document is parsed as it arrives, while the others are still on their way (merging is
    // order-independent, and the report sorts the facts).
    const merged = new Map<string, Entry>();
    await Promise.all(
      ids.map(async (_id) => {
        const d = (await this.D.collection.findOne({ _id } as never, { projection: { b: 1, f: 1 } })) as unknown as Pick<DayDoc, 'b' | 'f'> | null;
        entriesOf(d, merged);
      }),
    );
    return [...merged.values()].map(factOf);
  }

  /**
   * Documents of one writer built from stored facts (a backfill of `ticket_facts` written before this
   * read model existed, and the benchmark's bulk seeding): one entry per fact, its flags at its version.
   */
  static docsFromFacts(facts: Iterable<Record<string, unknown> & { _id: string; deskId: string; day: string; v: number }>, writer: string): { days: DayDoc[]; writers: WriterDoc[] } {
    const days = new Map<string, { doc: DayDoc; entries: Map<string, Entry> }>();
    const spans = new Map<string, WriterDoc>();
    for (const f of facts) {
      const { _id, deskId, day, v, claimers, escTiers, ...rest } = f;
      const s: Record<string, unknown> = {};
      const e: Entry = { v, s: s as Entry['s'] };
      for (const [k, x] of Object.entries({ day, ...rest })) {
        if (x === undefined) continue;
        if ((SCALAR_FLAGS as readonly string[]).includes(k)) (e.fl ??= {})[k as ScalarFlag] = { v, x };
        else s[k] = x;
      }
      if (Array.isArray(claimers) && claimers.length) e.claimers = claimers as string[];
      if (Array.isArray(escTiers) && escTiers.length) e.escTiers = escTiers as number[];
      const id = dayDocId(deskId, day, writer);
      const doc = days.get(id) ?? days.set(id, { doc: { _id: id, deskId, day, w: writer }, entries: new Map() }).get(id)!;
      const prev = doc.entries.get(_id);
      doc.entries.set(_id, prev ? mergeEntries(prev, e) : e);
      const span = spans.get(deskId) ?? spans.set(deskId, { _id: `${deskId}#${writer}`, deskId, w: writer, firstDay: day, lastDay: day }).get(deskId)!;
      if (day < span.firstDay) span.firstDay = day;
      if (day > span.lastDay) span.lastDay = day;
    }
    return { days: [...days.values()].map(({ doc, entries }) => ({ ...doc, b: encodeDay(entries) })), writers: [...spans.values()] };
  }

  /** Stores documents made by `docsFromFacts` (a fresh writer id: nothing else writes them). */
  async insert(docs: { days: DayDoc[]; writers: WriterDoc[] }): Promise<void> {
    if (docs.writers.length) await this.W.collection.insertMany(docs.writers as never[]);
    for (let i = 0; i < docs.days.length; i += 200) await this.D.collection.insertMany(docs.days.slice(i, i + 200) as never[]);
  }
}
