import { describe, expect, it } from 'vitest';
import { checkDependencies, installHintFor } from './dependencies.js';
import { createHostTestExecutor } from './testing/host-executor.js';

/** Check handling (timeouts, install hints) with checks on the host; the sandboxed executor is tested in @agentlang/runner. */
const executor = createHostTestExecutor();
const agent = { name: 'deps' };

describe('checkDependencies', () => {
  it('runs each check: present, missing with the install command for this OS, timed out', async () => {
    const started = Date.now();
    const out = await checkDependencies(
      [
        { name: 'sh', check: 'sh -c "exit 0"', install: {} },
        {
          name: 'trivy',
          check: 'agentlang-no-such-trivy --version',
          install: { darwin: 'brew install trivy', linux: 'curl -sfL https://example/install.sh | sh' },
        },
        { name: 'slow', check: 'sleep 30', install: { linux: 'apt-get install slow' } },
      ],
      { executor, agent, timeoutMs: 500, platform: 'linux' },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.map((o) => o.dependency)).toEqual([
      { name: 'sh', present: true, checked: true },
      { name: 'trivy', present: false, checked: true, install: 'curl -sfL https://example/install.sh | sh' },
      { name: 'slow', present: false, checked: true, install: 'apt-get install slow' },
    ]);
    expect(out[2]!.decision).toContain('timed out after 500 ms');
  });

  it('kills the whole process group of a timed-out check', async () => {
    const marker = `agentlang-dep-${process.pid}-${Date.now()}`;
    await checkDependencies([{ name: 'tree', check: `sh -c 'sleep 30; echo ${marker}' & sleep 30`, install: {} }], {
      executor,
      agent,
      timeoutMs: 300,
    });
    await new Promise((r) => setTimeout(r, 200));
    const { execSync } = await import('node:child_process');
    const ps = execSync('ps -eo args', { encoding: 'utf8' });
    expect(ps).not.toContain(marker);
  });

  it('without an executor runs nothing and reports every check as not run', async () => {
    const calls: unknown[] = [];
    const out = await checkDependencies([{ name: 'x', check: 'exit 0', install: { linux: 'apt-get install x' } }], {
      agent,
    });
    expect(out[0]!.dependency).toEqual({ name: 'x', present: false, checked: false });
    expect(out[0]!.decision).toContain('not run');
    expect(calls).toEqual([]);
  });

  it('picks the install hint by OS with aliases', () => {
    expect(installHintFor({ macos: 'brew install x' }, 'darwin')).toBe('brew install x');
    expect(installHintFor({ windows: 'winget install x' }, 'win32')).toBe('winget install x');
    expect(installHintFor({ darwin: 'brew install x' }, 'linux')).toBeUndefined();
  });
});
