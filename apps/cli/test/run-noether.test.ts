import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

function lastRecord(cwd: string): Record<string, unknown> {
  const dir = join(cwd, '.agentlang', 'records');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return JSON.parse(readFileSync(join(dir, files.at(-1)!), 'utf8'));
}

describe('agentlang run with AGENTLANG_ISOLATION_BACKEND=noether (seed 000 step 6)', () => {
  it('delegates to noether-sandbox, prints the identical output, and records backend noether', () => {
    const cwd = demoAgentDir();
    const bin = makeTempDir('agentlang-noether-bin-');
    // A stand-in that records each call's argv and a copy of its policy file, then runs the command after `--`.
    writeTree(bin, {
      'noether-sandbox': `#!/bin/sh\nprintf '%s\\n' "$@" > ${bin}/call-$$.log\ncp "$2" ${bin}/call-$$.json\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n`,
    });
    chmodSync(join(bin, 'noether-sandbox'), 0o755);
    const r = runCli(['run', 'demo.agent'], {
      cwd,
      env: { AGENTLANG_ISOLATION_BACKEND: 'noether', PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Launching test-echo...\n[test-echo] demo@0.1.0\n');
    const calls = readdirSync(bin)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ name: f, args: readFileSync(join(bin, f), 'utf8').trim().split('\n') }));
    // Two sandboxes: the agent, and the runtime's --version probe (which never runs on the host).
    expect(calls.map((c) => c.args.slice(2)).sort()).toEqual([
      ['--isolate=bwrap', '--require-isolation', '--', '/usr/bin/echo', '--version'],
      ['--isolate=bwrap', '--require-isolation', '--', '/usr/bin/echo', '[test-echo] demo@0.1.0'],
    ]);
    const agent = calls.find((c) => c.args.at(-1) === '[test-echo] demo@0.1.0')!;
    const args = agent.args;
    expect(args.slice(0, 1)).toEqual(['--policy-file']);
    const policy = JSON.parse(readFileSync(join(bin, agent.name.replace(/\.log$/, '.json')), 'utf8'));
    expect(policy).toMatchObject({ filesystem: { mode: 'none', read_write: [cwd] }, network: 'none', workdir: cwd });
    expect(policy.filesystem.read_only).toContain(join(cwd, '.agentlang'));
    expect(existsSync(args[1]!)).toBe(false); // the temp policy file is cleaned up
    expect(lastRecord(cwd)).toMatchObject({ outcome: 'success', isolation: { backend: 'noether' } });
  });

  it('falls back to bwrap when noether-sandbox is not on PATH, and the record says bwrap', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent'], { cwd, env: { AGENTLANG_ISOLATION_BACKEND: 'noether' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[test-echo] demo@0.1.0');
    expect(lastRecord(cwd)).toMatchObject({ isolation: { backend: 'bwrap' } });
  });
});
