import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether process `pid` still runs. `kill(pid, 0)` alone also answers for a zombie — a process
 * that has ended but that its parent has not reaped yet (or never will, when the parent died too
 * and the machine's init is slow to reap) — so on Linux a `Z` state in `/proc/<pid>/stat` counts
 * as ended. A process of another user (EPERM) runs. Never throws.
 */
export function processRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // Without procfs (another OS) `kill` is all there is; with it, the process ended in between.
    return !existsSync('/proc/self/stat');
  }
  // `pid (comm) state …`: the command name may hold spaces and parentheses; the state follows the last `)`.
  const close = stat.lastIndexOf(')');
  return stat.charAt(close + 2) !== 'Z';
}
