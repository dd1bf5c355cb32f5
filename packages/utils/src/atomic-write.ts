import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface AtomicWriteOptions {
  /** fsync the file before the rename (default true): without it a crash may leave an empty file under the new name. */
  fsync?: boolean;
  /** fsync the directory after the rename so the rename itself is durable at once (default true). */
  syncDirectory?: boolean;
  /** Create the missing parent directories (default false: a missing directory is an error). */
  createDirectory?: boolean;
  /** Mode of the new file (default 0o644). */
  mode?: number;
}

/** A temporary sibling of `path`: same directory (so the rename is atomic), hidden, unique. */
export function tempPathFor(path: string, suffix = '.tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${suffix}`);
}

function syncDirectorySync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is already atomic.
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is already atomic.
  }
}

/**
 * Writes `bytes` to `path` so that a reader sees either the old file or the complete new one: a
 * temp file in the same directory, every byte written, fsync, rename (which replaces a symlink at
 * `path`, never follows it), then fsync of the directory. Throws the fs error, leaving no temp file.
 */
export function writeFileAtomicSync(path: string, bytes: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  if (options.createDirectory) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', options.mode ?? 0o644);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    if (options.fsync !== false) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  if (options.syncDirectory !== false) syncDirectorySync(dir);
}

/** The asynchronous {@link writeFileAtomicSync}: same steps, same guarantees. */
export async function writeFileAtomic(
  path: string,
  bytes: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const file = await openAtomicFile(path, options);
  try {
    await file.handle.writeFile(bytes);
  } catch (error) {
    await file.discard();
    throw error;
  }
  await file.commit(options);
}

/** A file being written under a temporary name beside its target; see {@link openAtomicFile}. */
export interface AtomicFile {
  /** The temporary path the bytes go to until {@link AtomicFile.commit}. */
  readonly tempPath: string;
  /** The open temporary file. */
  readonly handle: FileHandle;
  /** fsyncs (unless `fsync: false`) and closes the temp file; the target is untouched. Idempotent. */
  close(options?: { fsync?: boolean }): Promise<void>;
  /** Closes as {@link AtomicFile.close} if still open, renames over the target, fsyncs the directory (unless `syncDirectory: false`); removes the temp file if that fails. */
  commit(options?: { fsync?: boolean; syncDirectory?: boolean }): Promise<void>;
  /** Closes and removes the temp file, never throwing: for the error path. */
  discard(): Promise<void>;
}

/**
 * Opens a temp file beside `path` for a streamed write (a download, an archive being packed) that
 * must appear at `path` whole or not at all: write through `handle`, check the bytes at `tempPath`
 * if needed, then `commit()`; on any failure `discard()`.
 */
export async function openAtomicFile(
  path: string,
  options: { createDirectory?: boolean; mode?: number; suffix?: string } = {},
): Promise<AtomicFile> {
  const dir = dirname(path);
  if (options.createDirectory) await mkdir(dir, { recursive: true, mode: 0o755 });
  const tempPath = tempPathFor(path, options.suffix);
  const handle = await open(tempPath, 'wx', options.mode ?? 0o644);
  let closed = false;
  const close = async (o: { fsync?: boolean } = {}) => {
    if (closed) return;
    closed = true;
    try {
      if (o.fsync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
  };
  const discard = async () => {
    await close({ fsync: false }).catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
  };
  return {
    tempPath,
    handle,
    close,
    discard,
    async commit(o = {}) {
      try {
        await close(o);
        await rename(tempPath, path);
      } catch (error) {
        await discard();
        throw error;
      }
      if (o.syncDirectory !== false) await syncDirectory(dir);
    },
  };
}
