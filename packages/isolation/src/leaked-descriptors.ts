import { readdirSync, readFileSync } from 'node:fs';

/** O_CLOEXEC as it appears in /proc/self/fdinfo `flags:` (octal). */
const O_CLOEXEC = 0o2000000;

/**
 * Descriptors (≥ 3) this process holds WITHOUT close-on-exec: `spawn` would pass them into the
 * child and bwrap does not close them, so the sandbox prelude must. Empty when /proc is unreadable.
 */
export function inheritableDescriptors(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd < 3) continue;
    try {
      const match = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (match && (Number.parseInt(match[1] as string, 8) & O_CLOEXEC) === 0) out.push(fd);
    } catch {
      // closed while we looked (e.g. the readdir handle itself)
    }
  }
  return out.sort((a, b) => a - b);
}
