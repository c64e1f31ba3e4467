import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerTreePriority } from '../../app/services/priority.js';

/** Nice value of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
const threadNices = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

/** A node process (several threads) with a `sleep` child, once it runs. */
async function nodeWithChild(): Promise<number> {
  const c = spawn(process.execPath, ['-e', "require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); setTimeout(() => {}, 30000); console.log('up')"], { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(c);
  await new Promise<void>((r) => c.stdout!.once('data', () => r()));
  return c.pid!;
}

describe.runIf(process.platform === 'linux')('lowerTreePriority (the drain side of a storm gives way to acknowledgements)', () => {
  it('why: os.setPriority(pid) lowers one thread, the others keep their priority', async () => {
    const pid = await nodeWithChild();
    os.setPriority(pid, 7);
    const nices = threadNices(pid);
    expect(nices[0]).toBe(7);
    expect(nices.filter((n) => n === 0).length).toBeGreaterThan(0);
  });

  it('lowers every thread of a process and of the processes under it, and raises none', async () => {
    // A multi-threaded program (node: V8 and libuv threads) with a child process of its own.
    const pid = await nodeWithChild();
    const [grandchild] = childrenOf(pid);
    expect(grandchild).toBeDefined();
    expect(threadNices(pid).length).toBeGreaterThan(1);
    expect(threadNices(pid).every((n) => n === 0)).toBe(true);

    expect(lowerTreePriority(pid, 7)).toBeGreaterThan(1);
    expect(threadNices(pid).every((n) => n === 7)).toBe(true);
    expect(threadNices(grandchild!)).toEqual([7]);

    // Never raises: a lower request leaves them at 7.
    expect(lowerTreePriority(pid, 3)).toBe(0);
    expect(threadNices(pid).every((n) => n === 7)).toBe(true);
    // This process is untouched.
    expect(os.getPriority()).toBe(0);
  });
});
