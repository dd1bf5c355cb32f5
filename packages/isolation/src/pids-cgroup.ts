import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A pids cgroup created for one sandbox run. */
export interface PidsCgroup {
  /** Directory whose `cgroup.procs` the launcher joins. */
  dir: string;
  /** Removes the cgroup (once its processes are gone); never throws. */
  remove(): Promise<void>;
}

/** Candidate pids hierarchies: cgroup v1's pids controller, or the v2 root when it delegates pids. */
function hierarchies(): string[] {
  const out: string[] = [];
  if (existsSync('/sys/fs/cgroup/pids/cgroup.procs')) out.push('/sys/fs/cgroup/pids');
  try {
    if (readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').split(/\s+/).includes('pids'))
      out.push('/sys/fs/cgroup');
  } catch {
    // not cgroup v2, or not readable
  }
  return out;
}

/**
 * Creates a pids cgroup limited to `max` tasks, or returns undefined when this host does not let us
 * (no pids controller, no write access).
 */
export function createPidsCgroup(max: number): PidsCgroup | undefined {
  for (const root of hierarchies()) {
    const dir = join(root, `agentlang-${randomBytes(8).toString('hex')}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pids.max'), String(max));
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        // never created
      }
      continue;
    }
    return {
      dir,
      async remove() {
        for (let i = 0; i < 50; i++) {
          try {
            rmdirSync(dir);
            return;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
            // EBUSY while the last tasks are being reaped: wait a moment
            await new Promise((done) => setTimeout(done, 20));
          }
        }
      },
    };
  }
  return undefined;
}
