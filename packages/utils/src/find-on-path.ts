import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * The absolute entries of a PATH value, in order. Relative and empty entries (`bin`, `.`, `::`)
 * are dropped: they resolve against the current directory, which may be an agent's workdir.
 */
export function absolutePathEntries(pathValue: string | undefined): string[] {
  return (pathValue ?? '').split(delimiter).filter((entry) => isAbsolute(entry));
}

/**
 * The absolute path of the executable regular file `name` on `pathValue` (a PATH string), or
 * undefined. Only absolute PATH entries are searched (see {@link absolutePathEntries}), so a binary
 * planted in an agent's workdir is never picked for the host; an absolute `name` is checked as is.
 */
export function findOnPath(name: string, pathValue: string | undefined): string | undefined {
  const candidates = isAbsolute(name) ? [name] : absolutePathEntries(pathValue).map((dir) => join(dir, name));
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
