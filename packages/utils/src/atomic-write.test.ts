import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { openAtomicFile, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

describe('writeFileAtomicSync', () => {
  it('replaces the file whole, creates missing directories only when asked, and leaves no temp file behind', () => {
    const dir = makeTempDir();
    const path = join(dir, 'nested/deeper/record.json');
    expect(() => writeFileAtomicSync(path, 'first')).toThrow(/ENOENT/);
    writeFileAtomicSync(path, 'first', { createDirectory: true });
    const big = Buffer.alloc(8 * 1024 * 1024, 7); // larger than one write() may take
    writeFileAtomicSync(path, big, { syncDirectory: false });
    expect(readFileSync(path).equals(big)).toBe(true);
    expect(readdirSync(join(dir, 'nested/deeper'))).toEqual(['record.json']);
  });

  it('on failure keeps the old file and removes its temp file', () => {
    const dir = makeTempDir();
    const path = join(dir, 'lock.json');
    writeFileSync(path, 'old');
    // A directory where the file should go: the rename fails after the temp file was written.
    const blocked = join(dir, 'blocked');
    writeFileAtomicSync(join(blocked, 'x'), 'y', { createDirectory: true });
    expect(() => writeFileAtomicSync(blocked, 'new')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'lock.json']);
  });
});

describe('writeFileAtomic', () => {
  it('writes with the given mode and replaces a symlink instead of writing through it', async () => {
    const dir = makeTempDir();
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'untouched');
    const path = join(dir, 'notes.txt');
    symlinkSync(outside, path);
    await writeFileAtomic(path, 'new', { mode: 0o600 });
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    expect(statSync(path).isFile() && readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'outside.txt']);
  });

  it('fails on a missing directory unless asked to create it, leaving nothing behind', async () => {
    const dir = makeTempDir();
    await expect(writeFileAtomic(join(dir, 'a/b.json'), '{}')).rejects.toThrow(/ENOENT/);
    await writeFileAtomic(join(dir, 'a/b.json'), '{}', { createDirectory: true });
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });
});

describe('openAtomicFile', () => {
  it('shows nothing at the target until commit, and the temp file can be checked first', async () => {
    const dir = makeTempDir();
    const out = join(dir, 'demo.agent');
    writeFileSync(out, 'old');
    const file = await openAtomicFile(out, { suffix: '.partial' });
    await file.handle.write(Buffer.from('new bytes'));
    await file.close();
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readFileSync(file.tempPath, 'utf8')).toBe('new bytes');
    expect(file.tempPath.endsWith('.partial')).toBe(true);
    await file.commit();
    expect(readFileSync(out, 'utf8')).toBe('new bytes');
    expect(readdirSync(dir)).toEqual(['demo.agent']);
  });

  it('discard removes the temp file and keeps the old target', async () => {
    const dir = makeTempDir();
    const out = join(dir, 'demo.agent');
    writeFileSync(out, 'old');
    const file = await openAtomicFile(out);
    await file.handle.write(Buffer.from('half'));
    await file.discard();
    await file.discard(); // idempotent, never throws
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['demo.agent']);
  });
});
