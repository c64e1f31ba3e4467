import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Command } from 'commander';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { registerTeamsCommands } from '../../app/cli/teams.command.js';

const APP_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

/** Parses a PNG: checks signature and chunk CRCs, returns size, colour type and raw RGBA rows. */
function readPng(buf: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    let c = 0xffffffff;
    for (const b of buf.subarray(off + 4, off + 8 + len)) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    expect(buf.readUInt32BE(off + 8 + len)).toBe((c ^ 0xffffffff) >>> 0);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const width = ihdr!.readUInt32BE(0);
  const height = ihdr!.readUInt32BE(4);
  const pixels = inflateSync(Buffer.concat(idat));
  expect(pixels.length).toBe((width * 4 + 1) * height);
  return { width, height, colorType: ihdr![9]!, pixels };
}

describe('helpdesk teams package', () => {
  it('writes a sideloadable zip: manifest with bot, command list, message action, and valid icons', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'teams-pkg-'));
    const out = join(dir, 'app.zip');
    const program = new Command('helpdesk').exitOverride();
    registerTeamsCommands(program);
    await program.parseAsync(['teams', 'package', '--out', out, '--app-id', APP_ID], { from: 'user' });
    const zip = await JSZip.loadAsync(await readFile(out));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({ manifestVersion: '1.17', id: APP_ID, icons: { color: 'color.png', outline: 'outline.png' } });
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.bots[0]).toMatchObject({ botId: APP_ID, scopes: ['personal', 'team', 'groupChat'] });
    expect(manifest.bots[0].commandLists[0].commands.map((c: any) => c.title)).toEqual(['help', 'status', 'mine', 'tickets', 'macros', 'macro', 'pending']);
    expect(manifest.composeExtensions[0].commands[0]).toMatchObject({ id: 'createTicket', type: 'action', context: ['message'], title: 'Create ticket' });

    const color = readPng(await zip.file('color.png')!.async('nodebuffer'));
    expect(color).toMatchObject({ width: 192, height: 192, colorType: 6 });
    const outline = readPng(await zip.file('outline.png')!.async('nodebuffer'));
    expect(outline).toMatchObject({ width: 32, height: 32, colorType: 6 });
    // outline: only white or fully transparent pixels, and some of each
    const kinds = new Set<string>();
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const p = outline.pixels.subarray(y * 129 + 1 + x * 4, y * 129 + 5 + x * 4);
        kinds.add(p[3] === 0 ? 'transparent' : p[0] === 255 && p[1] === 255 && p[2] === 255 && p[3] === 255 ? 'white' : 'other');
      }
    expect([...kinds].sort()).toEqual(['transparent', 'white']);
    await rm(dir, { recursive: true });
  });

  it('refuses an app id that is not a GUID', async () => {
    const program = new Command('helpdesk').exitOverride();
    registerTeamsCommands(program);
    await expect(program.parseAsync(['teams', 'package', '--out', join(tmpdir(), 'x.zip'), '--app-id', 'nope'], { from: 'user' })).rejects.toThrow(/GUID/);
  });
});
