import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { md, SAMPLE, tempKb } from './helpers.js';

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('kb hot reload', () => {
  it('applies added, edited, broken and removed files without a restart', async () => {
    const k = await tempKb(SAMPLE);
    const reports: number[] = [];
    const open = await openKnowledgeBase({ dir: k.dir, watch: { debounceMs: 50 }, onIssues: (i) => reports.push(i.length) });
    const ids = (q: string): string[] => open.kb.search(q).map((s) => s.id);
    try {
      expect(ids('docking station monitor flickers')).toEqual([]);
      await writeFile(join(k.dir, 'dock-flicker.md'), md({ title: 'Monitor flickers on the docking station', lang: 'en', tags: ['dock', 'monitor'] }, 'Reseat the dock cable and update the dock firmware.'));
      await eventually(() => ids('docking station monitor flickers')[0] === 'dock-flicker');

      await writeFile(join(k.dir, 'dock-flicker.md'), md({ title: 'Headset crackles on the docking station', lang: 'en', tags: ['dock', 'headset'] }, 'Plug the headset into the laptop instead of the dock.'));
      await eventually(() => ids('headset crackles dock')[0] === 'dock-flicker');

      // A broken edit is reported and skipped; the other articles keep answering.
      await writeFile(join(k.dir, 'dock-flicker.md'), '---\ntitle: [unclosed\n---\nbody');
      await eventually(() => open.issues.length === 1);
      expect(open.issues[0]!.reason).toMatch(/bad YAML/);
      expect(ids('printer offline')[0]).toBe('printer-offline');

      await rm(join(k.dir, 'printer-offline.md'));
      await eventually(() => !ids('printer offline print queue').includes('printer-offline'));
      expect(reports[0]).toBe(0);
    } finally {
      await open.close();
      await k.cleanup();
    }
  });
});
