import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { ManifestError } from './errors.js';

/** Reads the files of one agent by `/`-separated path relative to its root. */
export interface SourceReader {
  /** Bytes of `rel`, or undefined when it does not exist. Throws MANIFEST_TOO_LARGE / MANIFEST_IO / MANIFEST_PATH_ESCAPE. */
  read(rel: string): Promise<Uint8Array | undefined>;
  /** File names (not directories) directly inside directory `rel` (`` for the root). */
  list(rel: string): Promise<string[]>;
}

/**
 * Joins `ref` onto directory `fromDir` (both relative to the agent root) and returns the
 * normalised relative path, or undefined when `ref` is absolute or leaves the root.
 */
export function joinInside(fromDir: string, ref: string): string | undefined {
  if (ref === '' || posix.isAbsolute(ref) || /^[A-Za-z]:[\\/]/.test(ref) || ref.includes('\\') || ref.includes('\0'))
    return undefined;
  const joined = posix.normalize(posix.join(fromDir || '.', ref));
  if (joined === '..' || joined.startsWith('../') || joined === '.') return undefined;
  return joined.replace(/^\.\//, '');
}

/**
 * A reader over a directory on disk; refuses anything whose real path leaves the root (symlinks).
 * The file system calls are synchronous on purpose: an agent is a handful of small files, and each
 * asynchronous call is a round trip through libuv's thread pool (plus loading node:fs/promises),
 * which made up a measurable share of a cold `agentlang validate`.
 */
export async function diskReader(root: string, maxFileBytes: number): Promise<SourceReader> {
  const realRoot = realpathSync.native(root);
  const inside = async (rel: string): Promise<string | undefined> => {
    const full = join(realRoot, ...rel.split('/'));
    let real: string;
    try {
      real = realpathSync.native(full);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new ManifestError('MANIFEST_IO', `cannot read ${rel}: ${(cause as Error).message}`, {
        details: { file: rel },
        cause,
      });
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) {
      throw new ManifestError(
        'MANIFEST_PATH_ESCAPE',
        `${rel} resolves (through a symlink) to ${real}, outside the agent root ${realRoot}`,
        { details: { file: rel } },
      );
    }
    return real;
  };
  return {
    async read(rel) {
      const real = await inside(rel);
      if (!real) return undefined;
      const info = statSync(real);
      if (!info.isFile()) return undefined;
      if (info.size > maxFileBytes) {
        throw new ManifestError('MANIFEST_TOO_LARGE', `${rel} is ${info.size} bytes; the limit is ${maxFileBytes}`, {
          details: { file: rel, size: info.size, limit: maxFileBytes },
        });
      }
      try {
        return new Uint8Array(readFileSync(real));
      } catch (cause) {
        throw new ManifestError('MANIFEST_IO', `cannot read ${rel}: ${(cause as Error).message}`, {
          details: { file: rel },
          cause,
        });
      }
    },
    async list(rel) {
      const real = await inside(rel || '.');
      if (!real) return [];
      const entries = readdirSync(real, { withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
    },
  };
}

/** A reader over in-memory files keyed by relative path (e.g. an unpacked container). */
export function memoryReader(files: Record<string, Uint8Array>, maxFileBytes: number): SourceReader {
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) {
    const rel = joinInside('', k);
    if (rel) map.set(rel, v);
  }
  return {
    async read(rel) {
      const bytes = map.get(rel);
      if (bytes && bytes.length > maxFileBytes) {
        throw new ManifestError('MANIFEST_TOO_LARGE', `${rel} is ${bytes.length} bytes; the limit is ${maxFileBytes}`, {
          details: { file: rel, size: bytes.length, limit: maxFileBytes },
        });
      }
      return bytes;
    },
    async list(rel) {
      const prefix = rel ? `${rel}/` : '';
      return [...map.keys()]
        .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
        .map((k) => k.slice(prefix.length))
        .sort();
    },
  };
}
