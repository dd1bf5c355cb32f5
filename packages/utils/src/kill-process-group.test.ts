import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { killProcessGroup } from './kill-process-group.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('kills the child and the grandchildren it started, and reports a gone group', async () => {
  // The shell starts a background grandchild, prints its pid, and waits.
  const child = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const grandchild = Number(line.toString().trim());
  expect(alive(grandchild)).toBe(true);
  const exited = once(child, 'exit');
  expect(killProcessGroup(child.pid)).toBe(true);
  const [, signal] = await exited;
  expect(signal).toBe('SIGKILL');
  // The orphaned grandchild is reaped by init once killed; wait for that rather than a fixed time.
  for (let i = 0; i < 200 && alive(grandchild); i++) await sleep(25);
  expect(alive(grandchild)).toBe(false);
  expect(killProcessGroup(child.pid)).toBe(false);
  expect(killProcessGroup(undefined)).toBe(false);
});
