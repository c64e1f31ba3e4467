// `npm run build [-- --outDir DIR]`: compiles TypeScript (tsconfig.build.json) and copies the static
// files the compiled server reads at run time — every `public/` folder under adapters/ (pages' CSS
// and browser modules, served as they are) — next to the compiled modules, so `node dist/app/main.js`
// (the Docker image) finds them where the sources do.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const at = args.indexOf('--outDir');
const outDir = path.resolve(root, at >= 0 && args[at + 1] ? args[at + 1] : 'dist');

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), ...args], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const from = path.join(dir, e.name);
    if (e.name === 'public') cpSync(from, path.join(outDir, path.relative(root, from)), { recursive: true });
    else walk(from);
  }
};
walk(path.join(root, 'adapters'));
