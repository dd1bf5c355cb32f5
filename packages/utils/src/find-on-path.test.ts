import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { expect, it } from 'vitest';
import { absolutePathEntries, findOnPath } from './find-on-path.js';

function tool(dir: string, name: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

it('finds the first executable regular file on the absolute PATH entries', () => {
  const dir = makeTempDir();
  tool(join(dir, 'a'), 'demo', 0o644); // not executable: skipped
  mkdirSync(join(dir, 'b', 'demo'), { recursive: true }); // a directory: skipped
  const wanted = tool(join(dir, 'c'), 'demo');
  tool(join(dir, 'd'), 'demo');
  const path = ['a', 'b', 'c', 'd'].map((d) => join(dir, d)).join(':');
  expect(findOnPath('demo', path)).toBe(wanted);
  expect(findOnPath('absent', path)).toBeUndefined();
  expect(findOnPath(wanted, undefined)).toBe(wanted);
});

it('never searches relative or empty PATH entries (they resolve against an agent-writable cwd)', () => {
  const dir = makeTempDir();
  const planted = tool(join(dir, 'bin'), 'demo');
  const rel = relative(process.cwd(), join(dir, 'bin'));
  expect(findOnPath('demo', `${rel}:.::`)).toBeUndefined();
  expect(findOnPath('demo', join(dir, 'bin'))).toBe(planted);
  expect(absolutePathEntries(`${rel}:/usr/bin::.:/bin`)).toEqual(['/usr/bin', '/bin']);
  expect(absolutePathEntries(undefined)).toEqual([]);
});
