import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

// Node 20 has no compile cache for ES modules (module.enableCompileCache arrived in 22), and
// compiling the ~0.5 MB validate path (yaml, ajv validators, semver, manifest) is a large share of a
// cold `agentlang validate`. So that path is also bundled as CommonJS (dist/hot/<name>.cjs) and run
// through vm.Script with V8 code-cache data produced at build time (dist/hot/<name>.cjs.cache; see
// tsup.config.ts). The cache starts with the sha256 of the exact source it was made from (V8 itself
// only checks the source length); on any mismatch or rejection V8 simply compiles from source.

/** Set to `1` (by the build) to write the code cache of every hot module loaded, at process exit. */
export const WRITE_CACHE_ENV = 'AGENTLANG_WRITE_CODE_CACHE';

/**
 * Loads `<dist>/hot/<name>.cjs` with its code cache; returns undefined when the file is absent
 * (e.g. running from sources), so the caller falls back to the full CLI.
 */
export function loadHot<T>(name: string, dist: string): T | undefined {
  const file = join(dist, 'hot', `${name}.cjs`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  // The bytes are hashed as read (hashing the decoded string would encode it back to UTF-8 first).
  const digest = createHash('sha256').update(bytes).digest();
  const source = bytes.toString('utf8');
  let cachedData: Buffer | undefined;
  try {
    const raw = readFileSync(`${file}.cache`);
    if (raw.subarray(0, 32).equals(digest)) cachedData = raw.subarray(32);
  } catch {
    // no cache: compile from source
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  // The launcher's own require (this file is bundled into it), with ./ paths taken from the bundle's
  // directory: createRequire() would load Node's ES-module loader (4 internal modules) to make one.
  const hotRequire = (id: string): unknown => require(id.startsWith('./') ? join(dirname(file), id) : id);
  script.runInThisContext()(module.exports, hotRequire, module, file, dirname(file));
  if (process.env[WRITE_CACHE_ENV] === '1') {
    // At exit, the cache also holds every function compiled while the command ran.
    process.once('exit', () => {
      try {
        writeFileSync(`${file}.cache`, Buffer.concat([digest, script.createCachedData()]));
      } catch (error) {
        process.stderr.write(`agentlang: could not write the code cache ${file}.cache: ${(error as Error).message}\n`);
      }
    });
  }
  return module.exports;
}
