/**
 * Sends `signal` (default SIGKILL) to the whole process group led by `pid` — a child spawned with
 * `detached: true` and everything it started — so no grandchild outlives it. Returns false when
 * there is no such group any more (or no pid: the spawn failed); never throws.
 */
export function killProcessGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
