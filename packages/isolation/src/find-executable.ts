import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Returns the absolute path of `name` on `pathValue` (a PATH string), or undefined when absent.
 * Relative and empty PATH entries (`bin`, `.`, `::`) are skipped: they resolve against the current
 * directory, which may be an agent's workdir, and a binary planted there must never run on the host.
 */
export function findExecutable(name: string, pathValue: string | undefined): string | undefined {
  const candidates = isAbsolute(name) ? [name] : (pathValue ?? '').split(delimiter).filter((d) => isAbsolute(d)).map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
