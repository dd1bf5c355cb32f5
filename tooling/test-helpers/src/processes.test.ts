import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processesWith } from './processes.js';

describe('processesWith', () => {
  it('finds a live process by its arguments joined with spaces, and not once it has exited', async () => {
    const marker = `${1000 + Math.floor(Math.random() * 8000)}.${process.pid}`;
    expect(processesWith(`sleep ${marker}`)).toEqual([]);
    const child = spawn('sleep', [marker], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      expect(processesWith(`sleep ${marker}`)).toEqual([child.pid]);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(processesWith(`sleep ${marker}`)).toEqual([]);
  });
});
