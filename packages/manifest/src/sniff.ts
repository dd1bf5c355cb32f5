import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { ManifestError } from './errors.js';

/** What an input path holds. */
export type InputKind = 'directory' | 'yaml' | 'container';

/** True when `bytes` begin a POSIX tar (ustar) archive: `ustar` at offset 257. */
export function sniffBytes(bytes: Uint8Array): 'yaml' | 'container' {
  if (bytes.length >= 262) {
    const magic = String.fromCharCode(...bytes.subarray(257, 262));
    if (magic === 'ustar') return 'container';
  }
  return 'yaml';
}

/**
 * Tells a directory, a YAML manifest and a packed container apart by content, never by extension.
 * (Synchronous file calls inside: one stat and one 512-byte read cost less than the thread-pool
 * round trips of node:fs/promises on a CLI's start-up path.)
 */
export async function sniffInput(path: string): Promise<InputKind> {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ManifestError(
        'MANIFEST_NOT_FOUND',
        `${path} does not exist; pass a directory holding agent.yaml, a YAML manifest or a .agent container`,
        { details: { file: path }, cause },
      );
    }
    throw new ManifestError('MANIFEST_IO', `cannot stat ${path}: ${(cause as Error).message}`, {
      details: { file: path },
      cause,
    });
  }
  if (info.isDirectory()) return 'directory';
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(512);
    const bytesRead = readSync(fd, buffer, 0, 512, 0);
    return sniffBytes(buffer.subarray(0, bytesRead));
  } finally {
    closeSync(fd);
  }
}
