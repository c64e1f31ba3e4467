import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId, testMongoUri, testRedisUrl } from '../support/services.js';

/**
 * The Docker image's contents, without a Docker engine or registry (neither is reachable here): the
 * runtime stage of the Dockerfile is replayed into a directory — each COPY line copies what it names
 * (from the build context, or from the build stage's output made with `npm run build`), the RUN
 * line installs the production dependencies (`npm ci --omit=dev`, from the npm cache) — then the
 * image's CMD starts from that directory against the test services and must become ready.
 * A runtime file the Dockerfile forgets to copy makes start-up fail here.
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Instruction {
  op: string;
  args: string;
}

/** Instructions of the Dockerfile grouped by stage (line continuations joined, comments dropped). */
function parseDockerfile(text: string): Array<{ name?: string; from: string; instructions: Instruction[] }> {
  const logical: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!cur && (line.startsWith('#') || !line)) continue;
    if (line.endsWith('\\')) cur += line.slice(0, -1) + ' ';
    else {
      logical.push(cur + line);
      cur = '';
    }
  }
  const stages: Array<{ name?: string; from: string; instructions: Instruction[] }> = [];
  for (const l of logical) {
    const sp = l.indexOf(' ');
    const op = l.slice(0, sp).toUpperCase();
    const args = l.slice(sp + 1).trim();
    if (op === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** `KEY=value KEY2=value2` of an ENV line (no quoting is used in our Dockerfile). */
const envOf = (args: string) => Object.fromEntries(args.split(/\s+/).map((kv) => kv.split('=') as [string, string]));

let dir: string;
let child: ChildProcess | undefined;
let output = '';
let port = 0;
let stage: ReturnType<typeof parseDockerfile>[number];
const imageEnv: Record<string, string> = {};

beforeAll(async () => {
  const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  stage = stages.at(-1)!;
  const build = stages.find((s) => s.name && s !== stage)!;
  const buildWorkdir = build.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';
  dir = mkdtempSync(path.join(os.tmpdir(), 'hd-image-'));
  const buildOut = mkdtempSync(path.join(os.tmpdir(), 'hd-image-build-'));
  // The build stage copies the whole context and runs `npm run build` in its WORKDIR.
  expect(build.instructions.some((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBe(true);
  await run('npm', ['run', 'build', '--', '--outDir', path.join(buildOut, 'dist')], { cwd: root });

  const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')).filter((l) => l && !l.startsWith('#'));
  let workdir = '/';
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') workdir = args;
    else if (op === 'ENV') Object.assign(imageEnv, envOf(args));
    else if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((p) => !p.startsWith('--'));
      const dest = paths.pop()!;
      const target = path.join(dir, path.relative(workdir, path.resolve(workdir, dest)));
      for (const src of paths) {
        // A source the build context leaves out (.dockerignore) would be missing from the real image.
        if (!from) expect(ignored.filter((pattern) => src === pattern || src.startsWith(`${pattern}/`)), `${src} is in .dockerignore`).toEqual([]);
        // Only the build stage's output is taken from a stage; everything else is the build context.
        const source = from ? path.join(buildOut, path.relative(buildWorkdir, src)) : path.join(root, src);
        if (from) expect(from).toBe(build.name);
        const into = dest.endsWith('/') ? path.join(target, path.basename(src)) : target;
        mkdirSync(path.dirname(into), { recursive: true });
        cpSync(source, into, { recursive: statSync(source).isDirectory() });
      }
    } else if (op === 'RUN') {
      // The only RUN the runtime stage may have: the production install (the cache clean is skipped:
      // it would empty this machine's shared npm cache). Anything else must be taught to this test.
      expect(args).toMatch(/^npm ci --omit=dev\b/);
      await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir });
    } else expect(['USER', 'EXPOSE', 'HEALTHCHECK', 'CMD']).toContain(op);
  }
  rmSync(buildOut, { recursive: true, force: true });

  const cmd = JSON.parse(stage.instructions.find((i) => i.op === 'CMD')!.args) as string[];
  expect(cmd[0]).toBe('node');
  port = await freePort();
  child = spawn(process.execPath, cmd.slice(1), {
    cwd: dir,
    // Only the image's ENV plus what an operator would pass: the test services.
    env: { ...imageEnv, PATH: process.env.PATH, PORT: String(port), SMTP_LISTEN_PORT: '0', HOST: '127.0.0.1', MONGODB_URI: testMongoUri(), REDIS_URL: testRedisUrl(), HELPDESK_QUEUE_PREFIX: `img${randomId()}`, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Docker image (runtime stage replayed into a directory)', () => {
  it('contains the KB data folder, the articles and the build, and no sources or dev dependencies', () => {
    expect(statSync(path.join(dir, 'kb/data/lexicon.yaml')).isFile()).toBe(true);
    expect(statSync(path.join(dir, 'kb/data/glossary.yaml')).isFile()).toBe(true);
    expect(statSync(path.join(dir, 'dist/app/main.js')).isFile()).toBe(true);
    expect(() => statSync(path.join(dir, 'node_modules/vitest'))).toThrow();
    expect(() => statSync(path.join(dir, 'kb/lexicon.ts'))).toThrow();
  });

  it('starts with `node dist/app/main.js`, becomes ready and passes its HEALTHCHECK', async () => {
    const deadline = Date.now() + 90_000;
    let ready: { status: number; body: unknown } | undefined;
    while (Date.now() < deadline && child!.exitCode === null) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }), () => undefined);
      if (ready?.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(child!.exitCode, `the image exited during start-up:\n${output.slice(-3000)}`).toBeNull();
    expect(ready, output.slice(-3000)).toEqual({ status: 200, body: { ok: true, checks: { mongodb: 'ok', redis: 'ok' } } });
    expect(output).toContain('knowledge base loaded');

    // The image's HEALTHCHECK command, run as Docker would inside the container.
    const hc = stage.instructions.find((i) => i.op === 'HEALTHCHECK')!.args.replace(/^.*?CMD\s+/, '');
    await expect(run('sh', ['-c', hc], { cwd: dir, env: { ...imageEnv, PATH: process.env.PATH, PORT: String(port) } })).resolves.toBeDefined();
  }, 120_000);
});
