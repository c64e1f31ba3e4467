/**
 * Runtime data of the KB (glossary, lexicon, …) lives in one folder, `kb/data/`, which the Docker
 * image copies whole: a new data file there cannot be forgotten by the image.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `kb/data/<name>`, from the sources (kb/) or from the build (dist/kb/). */
export function kbDataFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'data', name), join(here, '..', '..', 'kb', 'data', name)];
  for (const p of candidates) if (existsSync(p)) return p;
  throw new Error(`kb: data file ${name} not found (looked in ${candidates.join(', ')})`);
}
