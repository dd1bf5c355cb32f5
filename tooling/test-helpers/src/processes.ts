import { readdirSync, readFileSync } from 'node:fs';

/**
 * Host pids (this process excluded) whose command line contains `marker`, the arguments joined
 * by spaces (so `sleep 99` matches the argv `sleep`, `99`). Reads /proc: Linux only.
 */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker))
        found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
