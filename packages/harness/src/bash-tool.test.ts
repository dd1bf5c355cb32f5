import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBwrapBackend, policyFromTrust } from '@agentlang/isolation';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createBashTool } from './bash-tool.js';

const signal = new AbortController().signal;

function sandbox(workdir: string, timeoutMs = 30_000) {
  return {
    backend: createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' }),
    policy: policyFromTrust(
      { filesystem: 'scoped', network: 'none', exec: 'sandboxed', scope: [] },
      { workdir, timeoutMs },
    ),
  };
}

describe('bash tools (real bubblewrap)', () => {
  it('appends the model arguments as argv, never through a shell, and shows the labels', async () => {
    const workdir = makeTempDir();
    const labels: string[] = [];
    const tool = createBashTool(
      { name: 'say', command: 'printf %s|', labels: { running: 'Saying', finished: 'Said' } },
      { ...sandbox(workdir), onLabel: (l) => labels.push(l) },
    );
    const marker = join(workdir, 'pwned');
    const r = await tool.execute({ args: [`a; touch ${marker}`, '$(id)'] }, { callId: 'c', signal });
    expect(r).toEqual({ ok: true, content: `a; touch ${marker}|$(id)|` });
    expect(existsSync(marker)).toBe(false);
    expect(labels).toEqual(['Saying', 'Said']);
  });

  it('runs inside the sandbox: host files outside the policy are not there, and the network is not', async () => {
    const workdir = makeTempDir();
    const outside = makeTempDir();
    writeFileSync(join(outside, 'secret.txt'), 'host secret');
    const tool = createBashTool({ name: 'cat', command: 'cat' }, sandbox(workdir));
    const r = await tool.execute({ args: [join(outside, 'secret.txt')] }, { callId: 'c', signal });
    expect(r).toMatchObject({ ok: false, kind: 'execution' });
    expect(JSON.stringify(r)).not.toContain('host secret');
    writeFileSync(join(workdir, 'mine.txt'), 'agent file');
    expect(await tool.execute({ args: [join(workdir, 'mine.txt')] }, { callId: 'c', signal })).toEqual({
      ok: true,
      content: 'agent file',
    });
  });

  it('reports a timeout and caps the output', async () => {
    const workdir = makeTempDir();
    const slow = createBashTool({ name: 'sleep', command: 'sleep' }, { ...sandbox(workdir), timeoutMs: 300 });
    expect(await slow.execute({ args: ['30'] }, { callId: 'c', signal })).toMatchObject({ ok: false, kind: 'timeout' });
    const loud = createBashTool(
      { name: 'yes', command: 'head -c 100000 /dev/zero' },
      { ...sandbox(workdir), maxOutputBytes: 1000 },
    );
    const r = await loud.execute({ args: [] }, { callId: 'c', signal });
    expect(r.ok && r.content.length).toBeLessThan(1100);
    expect(r.ok && r.content).toContain('[output cut at 1000 bytes]');
  });

  it('refuses input that is not { args: string[] }', async () => {
    const tool = createBashTool({ name: 'echo', command: 'echo' }, sandbox(makeTempDir()));
    expect(await tool.execute({ args: 'rm -rf /' }, { callId: 'c', signal })).toMatchObject({
      ok: false,
      kind: 'validation',
    });
    expect(await tool.execute({ args: [], shell: true }, { callId: 'c', signal })).toMatchObject({
      ok: false,
      kind: 'validation',
    });
    expect(await tool.execute({ args: [1] }, { callId: 'c', signal })).toMatchObject({ ok: false, kind: 'validation' });
  });
});
