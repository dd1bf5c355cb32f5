import { closeSync, existsSync, mkdtempSync, openSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Hands data to a child process through inherited file descriptors: each blob is written to a
 * 0600 file in a 0700 temp directory (on /dev/shm when it exists, so it stays in memory), opened,
 * and unlinked at once, so only the descriptor remains.
 */
export class DescriptorFiles {
  private readonly dir: string;
  private readonly fds: number[] = [];
  private readonly extra: number[] = [];
  private count = 0;
  private sealed = false;

  constructor() {
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    this.dir = mkdtempSync(join(base, `agentlang-sandbox-${process.pid}-`));
  }

  /** Adds a blob and returns the child fd number (3, 4, …) it will appear as. */
  add(content: string | Uint8Array): number {
    const path = join(this.dir, String(this.count++));
    writeFileSync(path, content, { mode: 0o600 });
    const fd = openSync(path, 'r');
    unlinkSync(path);
    this.fds.push(fd);
    return 2 + this.fds.length;
  }

  /** Removes the (by now empty) directory, so nothing is left on disk even if the process dies before `close()`. */
  seal(): void {
    removeDir(this.dir);
    this.sealed = true;
  }

  /** A read-only /dev/null descriptor (closed with the others), to cover leaked descriptor numbers. */
  devNull(): number {
    const fd = openSync('/dev/null', 'r');
    this.extra.push(fd);
    return fd;
  }

  /** The parent-side descriptors, in child fd order starting at 3 (for `spawn`'s `stdio`). */
  get descriptors(): number[] {
    return [...this.fds];
  }

  /** Closes every descriptor and removes the temp directory. */
  close(): void {
    for (const fd of [...this.fds.splice(0), ...this.extra.splice(0)]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    if (!this.sealed) removeDir(this.dir);
  }
}

/**
 * Removes the temp directory: rmdir when it is empty, as it is once every blob was unlinked (a
 * recursive rmSync loads node's rimraf module on every run), else the recursive removal.
 */
function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}
