import { writeFileAtomic } from '@agentlang/lock';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Best-effort `<binary> <versionArgs>` with a short timeout and an empty environment, cached per
 * binary (path + size + mtime + inode) in `cacheDir` so repeated runs pay nothing. Never throws:
 * a runtime that does not say its version gets null.
 */
export async function probeRuntimeVersion(
  binaryPath: string | undefined,
  versionArgs: string[] | null,
  options: { cacheDir?: string; timeoutMs?: number } = {},
): Promise<string | null> {
  if (!binaryPath || !versionArgs) return null;
  const key = cacheKey(binaryPath);
  const cacheFile = options.cacheDir ? join(options.cacheDir, RUNTIME_VERSION_CACHE) : undefined;
  if (key && cacheFile) {
    const hit = readCache(cacheFile)[binaryPath];
    if (hit && hit.key === key) return hit.version;
  }
  const version = await new Promise<string | null>((resolve) => {
    let out = '';
    let settled = false;
    const done = (value: string | null) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    try {
      const child = spawn(binaryPath, versionArgs, {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
        timeout: options.timeoutMs ?? 3000,
        killSignal: 'SIGKILL',
      });
      child.stdout.on('data', (chunk: Buffer) => {
        if (out.length < 4096) out += chunk.toString('utf8');
      });
      child.on('error', () => done(null));
      child.on('close', (code) => done(code === 0 ? firstVersionLine(out) : null));
    } catch {
      done(null);
    }
  });
  if (key && cacheFile) {
    try {
      const cache = readCache(cacheFile);
      cache[binaryPath] = { key, version };
      writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 2)}\n`, { syncDirectory: false, createDirectory: true });
    } catch {
      // A cache that cannot be written only costs the next run another probe.
    }
  }
  return version;
}
