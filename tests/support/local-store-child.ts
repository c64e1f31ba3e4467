/**
 * A process that starts the default local store (FerretDB on the embedded PostgreSQL) in the data
 * directory given as argument, prints the server process ids as one JSON line and waits: the test
 * kills it to check that nothing it started outlives it.
 */
import { startLocalStore } from '../../app/services/local-store.js';

const s = await startLocalStore({ dataDir: process.argv[2]!, ephemeral: true });
process.stdout.write(`${JSON.stringify({ ferretdb: s.pid?.(), postgres: s.postgres?.pid?.(), url: s.url })}\n`);
setInterval(() => {}, 60_000);
