import { ContainerError, ContainerErrorCode } from './errors.js';

/** Longest entry name in UTF-8 bytes (ustar `prefix` 155 + `/` + `name` 100). */
export const MAX_ENTRY_NAME_BYTES = 255;

/**
 * Throws unless `name` is a safe relative entry name: `/`-separated, no empty, `.` or `..`
 * segment, not absolute, no backslash, no control character, no drive letter, at most 255 bytes.
 */
export function assertSafeEntryName(name: string, where = 'archive'): void {
  const fail = (why: string): never => {
    throw new ContainerError(
      ContainerErrorCode.EntryName,
      `unsafe entry name ${JSON.stringify(name.slice(0, 300))} in ${where}: ${why}; entry names must be relative paths like "context/notes.md"`,
      { details: { name: name.slice(0, 300), where, reason: why } },
    );
  };
  if (name.length === 0) fail('empty name');
  if (name.startsWith('/')) fail('absolute path');
  if (/^[A-Za-z]:/.test(name)) fail('drive-letter path');
  if (name.includes('\\')) fail('backslash (Windows separator)');
  if (/[\u0000-\u001f\u007f]/.test(name)) fail('control character');
  if (Buffer.byteLength(name, 'utf8') > MAX_ENTRY_NAME_BYTES) fail(`longer than ${MAX_ENTRY_NAME_BYTES} bytes`);
  if (name.includes('\uFFFD')) fail('invalid UTF-8');
  for (const segment of name.split('/')) {
    if (segment === '') fail('empty path segment (leading, trailing or doubled "/")');
    if (segment === '.' || segment === '..') fail(`"${segment}" path segment`);
  }
}

/**
 * The key under which two names count as the same file on some filesystem: Unicode NFKC
 * normalisation plus case folding (so `É` vs `E\u0301`, and `README` vs `readme`, collide).
 */
export function collisionKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/** Tracks names seen so far and throws on an exact, normalisation or case-folding duplicate. */
export class NameSet {
  private readonly seen = new Map<string, string>();

  /** Adds `name`, throwing `CONTAINER_ENTRY_DUPLICATE` if it collides with an earlier one. */
  add(name: string, where = 'archive'): void {
    const key = collisionKey(name);
    const earlier = this.seen.get(key);
    if (earlier !== undefined) {
      const how = earlier === name ? 'the same name twice' : 'names equal under Unicode normalisation or case folding';
      throw new ContainerError(
        ContainerErrorCode.EntryDuplicate,
        `duplicate entry in ${where}: ${JSON.stringify(name)} collides with ${JSON.stringify(earlier)} (${how}); every entry must be unique on every filesystem`,
        { details: { name, earlier, where } },
      );
    }
    this.seen.set(key, name);
  }
}
