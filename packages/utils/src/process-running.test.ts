import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processRunning } from './process-running.js';

const state = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.charAt(stat.lastIndexOf(')') + 2);
};

describe('processRunning', () => {
  it('is true for a live process, false for one that ended, a zombie, and nonsense pids', async () => {
    expect(processRunning(process.pid)).toBe(true);
    const ended = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    expect(processRunning(ended)).toBe(false);
    for (const pid of [0, -1, Number.NaN, 1.5]) expect(processRunning(pid)).toBe(false);
    // `sleep 0` ends at once; the shell then becomes `sleep 30`, which never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await once(parent.stdout, 'data'))[0].toString().trim());
      while (state(zombie) !== 'Z') await new Promise((r) => setTimeout(r, 10));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(processRunning(zombie)).toBe(false);
      expect(processRunning(parent.pid as number)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      await once(parent, 'close');
    }
  });
});
