import { clientFor } from './postgres.js';

/**
 * Makes FerretDB 1.24's look-ups on PostgreSQL index look-ups.
 *
 * FerretDB pushes a top-level equality filter down as `_jsonb -> 'field' @> '"value"'`, but the
 * indexes it creates (for `_id` and for every createIndex) are btree indexes on `(_jsonb -> 'field')`,
 * which the `@>` operator cannot use: every `findOne({_id})`, every update or delete by key, is a
 * sequential scan that also decompresses each stored document (measured: one `findOne` by `_id` on a
 * 739-row collection of 30 kB documents, 356 ms; with the index below, 0.5 ms).
 *
 * So the FerretDB database gets, once:
 * - an event trigger that gives every btree index FerretDB creates on `(_jsonb -> 'f')` a GIN twin on the
 *   same expression (`jsonb_path_ops`, which serves `@>` and is the smaller GIN opclass), for collections created from now on;
 * - the same twins for the indexes that exist already (a data directory from before this);
 * - `plan_cache_mode = force_custom_plan` for the database (set here, not on the server, so a PostgreSQL
 *   of yours gets it too): FerretDB's driver caches prepared
 *   statements, whose generic plan (`_jsonb -> $1 @> $2`, the key a parameter) cannot match an
 *   expression index; a custom plan sees the key and uses it.
 * FerretDB does not know of these indexes (its listIndexes reads its own metadata) and needs not: they
 * go with their table when it drops a collection. Needs a role that may create event triggers (a
 * superuser: the embedded PostgreSQL's `postgres`); on a PostgreSQL of yours without one, the store
 * works as before and a warning says so.
 */
const INSTALL = `
CREATE OR REPLACE FUNCTION public.helpdesk_gin_twin(idx oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  tbl regclass;
  n int;
  am name;
  k int;
  expr text;
  field text;
BEGIN
  SELECT i.indrelid::regclass, i.indnatts, a.amname INTO tbl, n, am
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE i.indexrelid = idx;
  IF am IS DISTINCT FROM 'btree' THEN RETURN; END IF;
  FOR k IN 1..n LOOP
    expr := pg_get_indexdef(idx, k, false);
    field := substring(expr from '^\\(+_jsonb -> ''([A-Za-z0-9_.$-]+)''::text\\)+$');
    IF field IS NOT NULL THEN
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops)', 'hdgin_' || left(md5(tbl::text || '.' || field), 24), tbl, field);
    END IF;
  END LOOP;
END
$fn$;
CREATE OR REPLACE FUNCTION public.helpdesk_gin_twin_trigger() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM public.helpdesk_gin_twin(r.objid);
  END LOOP;
END
$fn$;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'helpdesk_gin_twins') THEN
    CREATE EVENT TRIGGER helpdesk_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.helpdesk_gin_twin_trigger();
  END IF;
END
$do$;
SELECT public.helpdesk_gin_twin(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace
  WHERE s.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND s.nspname NOT LIKE 'pg_toast%';
`;

/** Installs the GIN twins in FerretDB's PostgreSQL database at `url`; returns a warning instead of throwing. */
export async function installGinTwins(url: string, password?: string): Promise<string | undefined> {
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = clientFor(url, password);
  try {
    await client.connect();
    await client.query(INSTALL);
    await client.query(`ALTER DATABASE "${db.replaceAll('"', '""')}" SET plan_cache_mode = force_custom_plan`);
    return undefined;
  } catch (e) {
    return `FerretDB look-ups stay sequential scans: could not add GIN indexes in PostgreSQL database ${db} (${(e as Error).message}); docs/local-store.md says why they matter`;
  } finally {
    await client.end().catch(() => {});
  }
}
