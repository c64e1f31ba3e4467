import { describe, expect, it } from 'vitest';
import { withoutRepeatedImports } from '../../app/worker-process.js';

// A loader registered twice (`--import tsx` in NODE_OPTIONS and again on the command line) can
// deadlock module loading (nodejs/node#51035): the worker child and the tests' runtime child drop
// the command-line copy of what NODE_OPTIONS already imports.
describe('withoutRepeatedImports', () => {
  it('drops --import options NODE_OPTIONS already gives, in both spellings, and keeps the rest', () => {
    const argv = ['--import', 'tsx', '--import=./preload.ts', '--max-old-space-size=512', '--import', 'other'];
    expect(withoutRepeatedImports(argv, '--import tsx --import=./preload.ts')).toEqual(['--max-old-space-size=512', '--import', 'other']);
    expect(withoutRepeatedImports(argv, '--import=tsx')).toEqual(['--import=./preload.ts', '--max-old-space-size=512', '--import', 'other']);
  });

  it('keeps everything without NODE_OPTIONS', () => {
    expect(withoutRepeatedImports(['--import', 'tsx'], undefined)).toEqual(['--import', 'tsx']);
    expect(withoutRepeatedImports(['--import', 'tsx'], '  ')).toEqual(['--import', 'tsx']);
  });
});
