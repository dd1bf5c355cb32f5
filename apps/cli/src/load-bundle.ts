import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Script } from 'node:vm';

// The one loader of the CLI's bundles (dist/verbs/<verb>.cjs), with a V8 code cache made on the
// user's machine: compiling a verb's ~0.5-1 MB of JavaScript is a large share of a cold start.
// Node >= 22.1 has its own cache for that (module.enableCompileCache); on Node 20 the bundle is
// compiled through vm.Script with cachedData kept in the user's cache directory, never beside the
// bundle, so a read-only or shared install works and gets the same speed after its first run.

/** Set (to anything but an empty string) to neither read nor write the code cache. */
export const NO_CODE_CACHE_ENV = 'AGENTLANG_NO_CODE_CACHE';

/** `$XDG_CACHE_HOME/agentlang/code-cache`, else `~/.cache/agentlang/code-cache`; undefined when disabled. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[NO_CODE_CACHE_ENV]) return undefined;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'agentlang', 'code-cache');
}

type CompileCache = { enableCompileCache?: (dir: string) => unknown };

/** Caches kept per bundle name: one per build in use (two installs of different versions, used in turn, keep theirs). */
export const CACHES_PER_BUNDLE = 4;

/** Writes `bytes` as `file` (whole or not at all) and drops all but the newest caches of other builds of bundle `name`. */
function writeCache(dir: string, file: string, bytes: Buffer, name: string): void {
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, file);
  // `<name>-<sha256>-v8-…`: the hash keeps `verify` from matching `verify-lock-…`.
  const older = new RegExp(`^${name}-[0-9a-f]{64}-v8-.*\\.cache$`);
  const others = readdirSync(dir)
    .filter((entry) => older.test(entry) && join(dir, entry) !== file)
    .map((entry) => ({
      path: join(dir, entry),
      written: statSync(join(dir, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    }))
    .sort((a, b) => b.written - a.written);
  for (const stale of others.slice(CACHES_PER_BUNDLE - 1)) rmSync(stale.path, { force: true });
}

/** The bundles this process loaded through the cache, by path: a bundle runs once, as `require` would run it. */
const loaded = new Map<string, { exports: unknown }>();

/**
 * Loads the CommonJS bundle `file` through the code cache (when enabled) and returns its exports.
 * What the bundle requires from `../lib/*.cjs` (the libraries kept out of the verb bundles, see
 * tsup.config.ts) is loaded the same way, cached as `lib-<name>`.
 */
export function loadBundle<T>(file: string, env: NodeJS.ProcessEnv = process.env): T {
  const dir = codeCacheDir(env);
  const enableCompileCache = (Module as unknown as CompileCache).enableCompileCache;
  if (dir === undefined || typeof enableCompileCache === 'function') {
    if (dir !== undefined) enableCompileCache?.(join(dir, 'node'));
    return require(file) as T;
  }
  const known = loaded.get(file);
  if (known) return known.exports as T;
  const bytes = readFileSync(file);
  // The cache is keyed by the exact bytes (V8 itself checks only the source's length) and V8's version.
  const name = `${basename(dirname(file)) === 'lib' ? 'lib-' : ''}${basename(file, '.cjs')}`;
  const cacheFile = join(
    dir,
    `${name}-${createHash('sha256').update(bytes).digest('hex')}-v8-${process.versions.v8}.cache`,
  );
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first run of this build: compiled from source, cached at exit
  }
  const script = new Script(
    // The build escapes every non-ASCII character (tsup.config.ts), and an ASCII bundle read as
    // latin1 skips UTF-8 decoding of ~0.5 MB (measured ~1 ms a start); anything else is read as UTF-8.
    `(function (exports, require, module, __filename, __dirname) {${bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')}\n})`,
    {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
    },
  );
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At a successful exit, so the cache also holds every function the command compiled.
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        writeCache(dir, cacheFile, script.createCachedData(), name);
      } catch {
        // a read-only or missing cache directory only costs time
      }
    });
  }
  const module = { exports: {} as T };
  loaded.set(file, module);
  // The launcher's own require, with relative paths taken from the bundle's directory
  // (createRequire() would load Node's ES-module loader to make one); a sibling bundle goes through the cache.
  const bundleRequire = (id: string): unknown => {
    if (!id.startsWith('.')) return require(id);
    const path = resolve(dirname(file), id);
    return path.endsWith('.cjs') ? loadBundle(path, env) : require(path);
  };
  script.runInThisContext()(module.exports, bundleRequire, module, file, dirname(file));
  return module.exports;
}
