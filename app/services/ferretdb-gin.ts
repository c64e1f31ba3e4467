import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Indexes FerretDB 1.24's PostgreSQL backend can use, kept next to its own.
 *
 * FerretDB pushes a top-level equality down as `_jsonb->'field' @> '<value>'` (also for `_id`), but
 * the indexes it creates for `createIndexes` are btree indexes on `(_jsonb->'field')`, which `@>`
 * cannot use: every look-up, `{_id: …}` included, is a sequential scan that reads (and de-TOASTs)
 * every document of the collection — 17–40 ms per look-up at 10,000 tickets, the reason an SLA
 * escalation or a `/help` got slower as the collections grew. A GIN index (`jsonb_path_ops`) on the
 * same expression serves `@>` (a bitmap index scan, ≈ 0.02 ms).
 *
 * So, for the first key of every index FerretDB created (its `_id` index included) on a top-level
 * field, this keeps a GIN twin `hdgin_<hash>` on the same table: what a MongoDB index serves, the twin
 * serves on FerretDB. It finds FerretDB's tables from PostgreSQL's catalog (any schema holding
 * `_ferretdb_database_metadata`), so it covers every MongoDB database (schema) of the cluster's
 * database, including ones created after start: it runs once at start and then every `intervalMs`.
 * FerretDB never sees these indexes (it lists indexes from its own metadata); dropping a collection
 * drops them with its table. Dotted keys are left out (FerretDB's `find` does not push them down).
 *
 * Note on plans: FerretDB's statements pass the field name as a parameter (`_jsonb->$1 @> $2`), so
 * only a custom plan (the parameters known) can match the index's expression. PostgreSQL keeps
 * custom plans while they are much cheaper than the generic one (a sequential scan), which is the
 * case once a table is larger than a few pages; the embedded server also runs with
 * `plan_cache_mode=force_custom_plan` so that a statement first planned on an empty table does not
 * keep a generic plan.
 */
export interface GinTwinsOptions {
  /** PostgreSQL URL of the database FerretDB stores in. */
  url: string;
  /** Used when the URL carries no password. */
  password?: string;
  /** @defaultValue 10000 */
  intervalMs?: number;
  log?: (msg: string) => void;
}

export interface GinTwins {
  /** One pass now (creates what is missing); resolves with the number of indexes created. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

const FIND_SQL = `
SELECT n.nspname AS schema, c.relname AS tbl, pg_get_indexdef(i.indexrelid, 1, true) AS expr
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
 WHERE am.amname = 'btree'
   AND c.relname <> '_ferretdb_database_metadata'
   AND EXISTS (SELECT 1 FROM pg_class m WHERE m.relnamespace = n.oid AND m.relname = '_ferretdb_database_metadata')`;

const HAVE_SQL = `SELECT c.relname FROM pg_class c WHERE c.relkind = 'i' AND c.relname LIKE 'hdgin\\_%'`;

const PREFIX = "(_jsonb -> '";
const SUFFIX = "'::text)";

/** The field of a first index column `(_jsonb -> 'field'::text)`, or undefined for anything else. */
export function topLevelField(expr: string): string | undefined {
  if (!expr.startsWith(PREFIX) || !expr.endsWith(SUFFIX) || expr.length <= PREFIX.length + SUFFIX.length) return undefined;
  const quoted = expr.slice(PREFIX.length, expr.length - SUFFIX.length);
  const field = quoted.replaceAll("''", "'");
  // A dotted key or one PostgreSQL had to quote otherwise is not what FerretDB pushes down.
  if (field.includes('.') || field.includes('"') || field.includes('\\')) return undefined;
  return field;
}

export const ginName = (schema: string, table: string, field: string) =>
  `hdgin_${createHash('sha256').update(`${schema}\0${table}\0${field}`).digest('hex').slice(0, 24)}`;

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

function clientFor(url: string, password?: string): pg.Client {
  const u = new URL(url);
  const client = new pg.Client({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : password,
    database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {});
  return client;
}

/** Starts keeping the GIN twins of FerretDB's indexes in the database at `o.url`. */
export function startGinTwins(o: GinTwinsOptions): GinTwins {
  const log = o.log ?? (() => {});
  let stopped = false;
  let warned = false;

  const pass = async (): Promise<number> => {
    const client = clientFor(o.url, o.password);
    let created = 0;
    try {
      await client.connect();
      // Never wait long behind FerretDB's own DDL or a long write: the next pass tries again.
      await client.query("SET lock_timeout = '2s'");
      const [found, have] = await Promise.all([client.query<{ schema: string; tbl: string; expr: string }>(FIND_SQL), client.query<{ relname: string }>(HAVE_SQL)]);
      const existing = new Set(have.rows.map((r) => r.relname));
      const wanted = new Map<string, { schema: string; tbl: string; field: string }>();
      for (const r of found.rows) {
        const field = topLevelField(r.expr);
        if (field === undefined) continue;
        const name = ginName(r.schema, r.tbl, field);
        if (!existing.has(name)) wanted.set(name, { schema: r.schema, tbl: r.tbl, field });
      }
      for (const [name, w] of wanted) {
        if (stopped) break;
        try {
          await client.query(`CREATE INDEX IF NOT EXISTS ${ident(name)} ON ${ident(w.schema)}.${ident(w.tbl)} USING gin ((_jsonb -> ${literal(w.field)}) jsonb_path_ops)`);
          created += 1;
        } catch (e) {
          // Dropped meanwhile (a test's database), or a lock not granted in time: next pass.
          const code = (e as { code?: string }).code;
          if (code !== '42P01' && code !== '3F000' && code !== '55P03') log(`GIN index on ${w.schema}.${w.tbl} (${w.field}) not created: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      if (!warned) log(`cannot maintain FerretDB's GIN indexes: ${(e as Error).message} (look-ups stay sequential scans; retried)`);
      warned = true;
    } finally {
      await client.end().catch(() => {});
    }
    return created;
  };

  // Passes run one after another; `sweep()` always runs a pass that starts after it was called.
  let chain: Promise<unknown> = Promise.resolve();
  let queued = 0;
  const sweep = () => {
    queued += 1;
    const p = chain.then(() => pass()).finally(() => {
      queued -= 1;
    });
    chain = p.catch(() => {});
    return p;
  };

  const timer = setInterval(() => {
    if (queued === 0) void sweep();
  }, o.intervalMs ?? 10_000);
  timer.unref();
  void sweep();
  return {
    sweep,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
