import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md, SAMPLE, tempKb } from './helpers.js';

const run = promisify(execFile);
const cli = (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
  const p = run(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'kb', ...args], { cwd: process.cwd(), timeout: 60_000 });
  if (input !== undefined) {
    p.child.stdin!.end(input);
  }
  return p;
};

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const k = await tempKb(SAMPLE);
  ({ dir, cleanup } = k);
});
afterAll(() => cleanup());

// Each test spawns the CLI (a tsx process that loads the whole app): seconds each, much more on a busy machine.
describe('helpdesk kb (CLI)', { timeout: 120_000 }, () => {
  it('search --batch writes one JSON line per query, plain or JSON input', async () => {
    const file = join(dir, '..', `batch-${Date.now()}.txt`);
    await writeFile(file, 'printr offline\n{"q": "no me deja entrar al correo", "kind": "chat"}\n\nwhat is for lunch today\n');
    const { stdout } = await cli(['search', '--kb', dir, '--batch', file]);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { q: string; results: Array<{ id: string; score: number }> });
    expect(lines.map((l) => l.q)).toEqual(['printr offline', 'no me deja entrar al correo', 'what is for lunch today']);
    expect(lines[0]!.results[0]).toEqual({ id: 'printer-offline', score: expect.any(Number) });
    expect(Object.keys(lines[0]!.results[0]!)).toEqual(['id', 'score']);
    expect(lines[1]!.results[0]!.id).toBe('correo-no-entra');
    expect(lines[2]!.results).toEqual([]);
  });

  it('search --batch - reads stdin', async () => {
    const { stdout } = await cli(['search', '--kb', dir, '--batch', '-'], 'laptop battery\n');
    expect(JSON.parse(stdout.trim())).toMatchObject({ q: 'laptop battery', results: [{ id: 'laptop-battery' }] });
  });

  it('search --json prints suggestions with title and summary', async () => {
    const { stdout } = await cli(['search', '--kb', dir, '--json', '--limit', '1', 'printer offline']);
    const res = JSON.parse(stdout) as Array<{ id: string; title: string; summary: string; score: number }>;
    expect(res).toHaveLength(1);
    expect(res[0]).toMatchObject({ id: 'printer-offline', title: 'Office printer shows as offline' });
  });

  it('lint exits 1 and names broken files; eval prints the figures', async () => {
    const k = await tempKb({ ...SAMPLE, 'broken.md': md({ lang: 'en' }, 'no title') });
    try {
      const err = await cli(['lint', '--kb', k.dir]).catch((e: { code: number; stdout: string }) => e);
      expect((err as { code: number }).code).toBe(1);
      expect((err as { stdout: string }).stdout).toMatch(/broken\.md: missing title/);
      const qfile = join(k.dir, 'queries.jsonl');
      await writeFile(qfile, ['{"q": "printr offline", "expected": ["printer-offline"], "kind": "typo"}', '{"q": "canteen menu", "expected": [], "kind": "negative"}'].join('\n'));
      const { stdout } = await cli(['eval', '--kb', k.dir, '--queries', qfile, '--json']);
      const rows = JSON.parse(stdout) as Array<{ kind: string; recallAt3: number; negativeRejection: number }>;
      expect(rows.find((r) => r.kind === 'all')).toMatchObject({ recallAt3: 1, negativeRejection: 1 });
      expect(rows.map((r) => r.kind)).toEqual(['all', 'typo', 'negative']);
    } finally {
      await k.cleanup();
    }
  });

  it('lint --queries warns about articles no query retrieved, and about missing translations', async () => {
    const qfile = join(dir, '..', `lint-queries-${Date.now()}.jsonl`);
    await writeFile(qfile, ['{"q": "printr offline", "expected": ["printer-offline"], "kind": "typo"}', 'canteen menu'].join('\n'));
    const { stdout } = await cli(['lint', '--kb', dir, '--queries', qfile]);
    expect(stdout).toMatch(/laptop-battery\.md: never-retrieved: no query of 2 retrieved it/);
    expect(stdout).not.toMatch(/printer-offline\.md: never-retrieved/);
    expect(stdout).toMatch(/laptop-battery\.md: missing-translation: no es article/);
  });
});
