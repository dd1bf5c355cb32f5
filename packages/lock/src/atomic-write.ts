import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `bytes` to `path` so that a reader sees either the old file or the complete new one: a
 * temp file in the same directory, every byte written, fsync, rename, then (unless `syncDirectory`
 * is false) fsync of the directory so the rename itself is durable at once. A missing directory is
 * an error unless `createDirectory` is set. Throws the fs error.
 */
export function writeFileAtomic(
  path: string,
  bytes: string | Uint8Array,
  options: { syncDirectory?: boolean; createDirectory?: boolean } = {},
): void {
  const dir = dirname(path);
  if (options.createDirectory) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  if (options.syncDirectory === false) return;
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is already atomic.
  }
}
