import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

it('replaces the file whole, creates missing directories only when asked, and leaves no temp file behind', () => {
  const dir = makeTempDir();
  const path = join(dir, 'nested/deeper/record.json');
  expect(() => writeFileAtomic(path, 'first')).toThrow(/ENOENT/);
  writeFileAtomic(path, 'first', { createDirectory: true });
  const big = Buffer.alloc(8 * 1024 * 1024, 7); // larger than one write() may take
  writeFileAtomic(path, big, { syncDirectory: false });
  expect(readFileSync(path).equals(big)).toBe(true);
  expect(readdirSync(join(dir, 'nested/deeper'))).toEqual(['record.json']);
});

it('on failure keeps the old file and removes its temp file', () => {
  const dir = makeTempDir();
  const path = join(dir, 'lock.json');
  writeFileSync(path, 'old');
  // A directory where the file should go: the rename fails after the temp file was written.
  const blocked = join(dir, 'blocked');
  writeFileAtomic(join(blocked, 'x'), 'y', { createDirectory: true });
  expect(() => writeFileAtomic(blocked, 'new')).toThrow();
  expect(readFileSync(path, 'utf8')).toBe('old');
  expect(readdirSync(dir).sort()).toEqual(['blocked', 'lock.json']);
});
