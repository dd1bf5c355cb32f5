import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@agentlang/utils';

/** Version cache file under `.agentlang/cache` (keyed by binary path, size and mtime). */
export const RUNTIME_VERSION_CACHE = 'runtime-versions.json';

type Cache = Record<string, { key: string; version: string | null }>;

function cacheKey(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.size}:${Math.trunc(st.mtimeMs)}:${st.ino}`;
  } catch {
    return null;
  }
}

function readCache(file: string): Cache {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Cache) : {};
  } catch {
    return {};
  }
}

/** First non-empty line of a version banner, trimmed to 200 characters. */
export function firstVersionLine(output: string): string | null {
  const line = output.split(/\r?\n/).find((l) => l.trim().length > 0);
  return line ? line.trim().slice(0, 200) : null;
}

/** Runs an argv (inside the sandbox) and gives back its exit code and stdout; never throws. */
export type VersionRunner = (argv: string[], timeoutMs: number) => Promise<{ exitCode: number | null; stdout: string }>;

/**
 * Best-effort `<binary> <versionArgs>` with a short timeout, cached per binary (path + size + mtime
 * + inode) in `cacheDir` so repeated runs pay nothing. The binary is never run on the host: it may
 * live where an agent can write, so `run` starts it inside the sandbox with the run's own policy.
 * Never throws: a runtime that does not say its version gets null.
 */
export async function probeRuntimeVersion(
  binaryPath: string | undefined,
  versionArgs: string[] | null,
  options: { cacheDir?: string; timeoutMs?: number; run: VersionRunner },
): Promise<string | null> {
  if (!binaryPath || !versionArgs) return null;
  const key = cacheKey(binaryPath);
  const cacheFile = options.cacheDir ? join(options.cacheDir, RUNTIME_VERSION_CACHE) : undefined;
  if (key && cacheFile) {
    const hit = readCache(cacheFile)[binaryPath];
    if (hit && hit.key === key) return hit.version;
  }
  let version: string | null = null;
  try {
    const result = await options.run([binaryPath, ...versionArgs], options.timeoutMs ?? 3000);
    version = result.exitCode === 0 ? firstVersionLine(result.stdout.slice(0, 4096)) : null;
  } catch {
    version = null;
  }
  if (key && cacheFile) {
    try {
      const cache = readCache(cacheFile);
      cache[binaryPath] = { key, version };
      writeFileAtomicSync(cacheFile, `${JSON.stringify(cache, null, 2)}\n`, {
        syncDirectory: false,
        createDirectory: true,
      });
    } catch {
      // A cache that cannot be written only costs the next run another probe.
    }
  }
  return version;
}
