import { request as httpRequest } from 'node:http';
/**
 * Deterministic generators of malformed platform payloads for the receivers' fuzz tests: mutations
 * of valid samples (dropped fields, wrong types, nulls, arrays for objects, over-long and huge
 * strings, deep nesting, prototype-pollution keys), driven by a seeded PRNG so a failure replays.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick mutations reproducibly. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export type Path = ReadonlyArray<string | number>;
export type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** A field the adapter reads: breaking it must make the payload rejected. */
export interface ReadField {
  path: Path;
  kind: FieldKind;
  /** Dropping it breaks the payload. */
  required?: boolean;
  /** `null` is allowed (so it is not a breaking value). */
  nullable?: boolean;
  /** Longest accepted string: one more breaks it. */
  maxLength?: number;
  /** Shortest accepted string (1 for ids): the empty string breaks it. */
  minLength?: number;
  /** Only certain strings are accepted (snowflakes, URLs…): a plain word breaks it. */
  pattern?: boolean;
}

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let cur: unknown = root;
  for (const k of path.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>) : undefined;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const p = parentOf(root, path);
  if (p) p[path[path.length - 1]!] = value;
}

function deleteAt(root: unknown, path: Path): void {
  const p = parentOf(root, path);
  if (!p) return;
  if (Array.isArray(p)) p.splice(Number(path[path.length - 1]), 1);
  else delete p[path[path.length - 1]!];
}

/** `{"a":{"a":…}}` or `[[[…]]]`, `depth` levels (built iteratively: no recursion to overflow). */
export function deep(depth: number, kind: 'object' | 'array' = 'object'): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

const huge = (r: Rng) => 'x'.repeat(int(r, 150_000, 250_000));

/** Values of every other type than `kind` (and null unless nullable). */
function wrongTypes(kind: FieldKind, nullable: boolean, r: Rng): unknown[] {
  const all: Record<FieldKind, unknown> = { string: 'text', number: int(r, -5, 99_999), boolean: r() < 0.5, object: { x: 1 }, array: [1, 'two', null] };
  const out = (Object.keys(all) as FieldKind[]).filter((k) => k !== kind).map((k) => all[k]);
  if (!nullable) out.push(null);
  return out;
}

/** One way to break `field` in `payload` (mutated in place). Returns a description for failure messages. */
export function breakField(payload: unknown, field: ReadField, r: Rng): string {
  const options: Array<[string, () => void]> = [];
  const set = (v: unknown) => () => setAt(payload, field.path, v);
  if (field.required) options.push(['drop', () => deleteAt(payload, field.path)]);
  for (const v of wrongTypes(field.kind, field.nullable ?? false, r)) options.push([`type:${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`, set(v)]);
  if (field.kind === 'string') {
    if (field.maxLength !== undefined) {
      options.push(['too-long', set('y'.repeat(field.maxLength + 1 + int(r, 0, 500)))]);
      if (field.maxLength < 150_000) options.push(['huge', set(huge(r))]);
    }
    if (field.minLength) options.push(['empty', set('')]);
    if (field.pattern) options.push(['pattern', set(pick(r, [' ', 'a b', '../../etc?x=1', 'javascript:alert(1)', '<script>']))]);
  }
  if (field.kind === 'object') options.push(['deep-array', set(deep(int(r, 50, 2_000), 'array'))]);
  const [name, apply] = pick(r, options);
  apply();
  return `${field.path.join('.')}:${name}`;
}

/** Every path (objects and arrays) in a JSON value, root excluded. */
export function pathsOf(v: unknown, prefix: Path = [], out: Path[] = [], limit = 2_000): Path[] {
  if (out.length >= limit || typeof v !== 'object' || v === null) return out;
  for (const [k, child] of Object.entries(v)) {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    out.push(p);
    pathsOf(child, p, out, limit);
  }
  return out;
}

/**
 * Junk that must not change the verdict: unknown keys, prototype-pollution keys (as own JSON keys,
 * the way JSON.parse makes them), deep nesting and huge strings under a junk key. Applied to
 * objects only. Returns the JSON text of the noisy payload (`__proto__` only survives as text).
 */
export function noisyJson(payload: unknown, r: Rng, count: number): string {
  const objects = [[], ...pathsOf(payload)].filter((p) => {
    let cur: unknown = payload;
    for (const k of p) cur = (cur as Record<string | number, unknown>)[k];
    return typeof cur === 'object' && cur !== null && !Array.isArray(cur);
  });
  const splices: Array<{ key: string; value: unknown }> = [];
  for (let i = 0; i < count && objects.length; i++) {
    const kind = pick(r, ['__proto__', 'constructor', 'prototype', 'junk', 'deep', 'huge'] as const);
    const key = kind === 'junk' || kind === 'deep' || kind === 'huge' ? `zz_${kind}_${i}` : kind;
    const value =
      kind === 'deep' ? deep(int(r, 100, 3_000), pick(r, ['object', 'array'] as const))
      : kind === 'huge' ? 'z'.repeat(int(r, 1_000, 60_000))
      : kind === 'junk' ? pick(r, [1, 'x', null, [], {}])
      : { polluted: true, prototype: { polluted: true }, toString: 'x' };
    // A placeholder key, swapped for the real one in the text: `__proto__` cannot be set as data.
    setAt(payload, [...pick(r, objects), `__NOISE_${i}__`], `__NOISE_VALUE_${i}__`);
    splices.push({ key, value });
  }
  let text = JSON.stringify(payload);
  splices.forEach(({ key, value }, i) => {
    text = text.replace(`"__NOISE_${i}__":"__NOISE_VALUE_${i}__"`, () => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
  });
  return text;
}

/**
 * A wild mutation: 1–4 random edits anywhere (drop, null, wrong type, array↔object, huge string,
 * deep nesting, empty containers). The result may or may not still be valid.
 */
export function wild(sample: unknown, r: Rng): unknown {
  const v = clone(sample);
  const n = int(r, 1, 4);
  for (let i = 0; i < n; i++) {
    const paths = pathsOf(v);
    if (!paths.length) break;
    const p = pick(r, paths);
    const op = int(r, 0, 8);
    if (op === 0) deleteAt(v, p);
    else if (op === 1) setAt(v, p, null);
    else if (op === 2) setAt(v, p, pick(r, [0, -1, 1e308, true, false, '', ' ', 'x']));
    else if (op === 3) setAt(v, p, []);
    else if (op === 4) setAt(v, p, {});
    else if (op === 5) setAt(v, p, huge(r));
    else if (op === 6) setAt(v, p, deep(int(r, 100, 3_000), pick(r, ['object', 'array'] as const)));
    else if (op === 7) setAt(v, p, [pick(r, [1, 'x', {}, null])]);
    else setAt(v, p, '\u0000\uFFFF\uD800' + 'é'.repeat(int(r, 0, 50)));
  }
  return v;
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function bounded<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Watches the process for unhandled rejections and uncaught exceptions while a fuzz test runs
 * (vitest reports them too, but this makes the assertion part of the test).
 */
export function watchProcess(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onErr = (e: unknown) => errors.push(e);
  process.on('unhandledRejection', onErr);
  process.on('uncaughtException', onErr);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onErr);
      process.off('uncaughtException', onErr);
    },
  };
}

/** Documents per collection of a test database: "nothing stored" compares two of these. */
export async function storedCounts(connection: { db?: { listCollections(): { toArray(): Promise<Array<{ name: string }>> }; collection(n: string): { countDocuments(): Promise<number> } } | undefined }): Promise<Record<string, number>> {
  const db = connection.db!;
  const out: Record<string, number> = {};
  // Empty collections are left out: one created (with its indexes) by a lazy init holds nothing.
  for (const { name } of await db.listCollections().toArray()) {
    const n = await db.collection(name).countDocuments();
    if (n > 0) out[name] = n;
  }
  return out;
}

/** A logger that keeps warn/error lines (object and message) for assertions. */
export function capturingLogger(): { log: import('../../core/ports/logger.port.js').Logger; lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> } {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const make = (bindings: Record<string, unknown>): import('../../core/ports/logger.port.js').Logger => ({
    debug() {},
    info() {},
    warn: (obj, msg) => void lines.push({ level: 'warn', obj: { ...bindings, ...(obj as Record<string, unknown>) }, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj: { ...bindings, ...(obj as Record<string, unknown>) }, msg }),
    child: (b) => make({ ...bindings, ...b }),
  });
  return { log: make({}), lines };
}

/**
 * POSTs on a fresh connection (no keep-alive: a pooled socket the server is closing as idle would
 * turn into a spurious ECONNRESET) and resolves with the status, or -1 when the connection failed
 * or no answer came within `timeoutMs` (a hang).
 */
export function httpPost(url: string, headers: Record<string, string>, body: string, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? -1));
      res.on('error', () => resolve(-1));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}
