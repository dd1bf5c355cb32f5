import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RuntimeAdapter, runPlan } from '@agentlang/runner';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { demoPlan, sink } from './plan-fixture.js';

function shAdapter(name: string, script: string, secretEnv: string[] = []): RuntimeAdapter {
  return {
    name,
    binary: 'sh',
    description: 'test shell',
    secretEnv,
    versionArgs: null,
    buildInvocation(input) {
      const secrets: Record<string, string> = {};
      for (const k of secretEnv) if (input.env[k]) secrets[k] = input.env[k]!;
      return {
        argv: ['/bin/sh', '-c', script],
        env: { CONFIG_FILE: `${input.configDir}/conf.json` },
        secrets,
        files: [{ path: `${input.configDir}/conf.json`, content: '{"ok":true}\n' }],
      };
    },
  };
}

const env = { PATH: process.env.PATH };

describe('runPlan under bubblewrap (real)', () => {
  it('runs seed 000 test-echo in bwrap: exact output, record says backend bwrap', async () => {
    const cwd = makeTempDir();
    const out = sink();
    const result = await runPlan(demoPlan(), { cwd, env, stdout: out });
    expect(out.text()).toBe('[test-echo] demo@0.1.0\n');
    expect(result.exitCode).toBe(0);
    expect(result.record).toMatchObject({ outcome: 'success', isolation: { backend: 'bwrap' } });
    expect(result.sandbox.redactedArgv[0]).toMatch(/bwrap$/);
    expect(result.sandbox.redactedArgv).toContain('--unshare-all');
  });

  it('a sandboxed agent cannot write, replace or delete anything under .agentlang/ (records stay host-owned)', async () => {
    const cwd = makeTempDir();
    // A first run creates the records directory and one record the agent will try to tamper with.
    const first = await runPlan(demoPlan(), { cwd, env });
    const recordFile = join(cwd, '.agentlang', 'records', `${first.record!.run_id}.json`);
    const before = readFileSync(recordFile, 'utf8');
    const script = [
      'cd "$PWD"',
      'echo workdir-ok > in-workdir.txt && echo "workdir=ok"',
      'echo forged > .agentlang/records/01J00000000000000000000000.json 2>/dev/null && echo "forge=yes" || echo "forge=no"',
      `echo x > ${recordFile} 2>/dev/null && echo "overwrite=yes" || echo "overwrite=no"`,
      `rm -f ${recordFile} 2>/dev/null; [ -e ${recordFile} ] && echo "delete=no" || echo "delete=yes"`,
      'mv .agentlang .moved 2>/dev/null && echo "rename=yes" || echo "rename=no"',
      'echo x > .agentlang/cache-evil 2>/dev/null && echo "agentlang=yes" || echo "agentlang=no"',
    ].join('\n');
    const out = sink();
    const result = await runPlan(demoPlan(), { cwd, env, stdout: out, runtime: 'tamper', adapters: [shAdapter('tamper', script)] });
    expect(result.exitCode).toBe(0);
    expect(out.text().trim().split('\n')).toEqual(['workdir=ok', 'forge=no', 'overwrite=no', 'delete=no', 'rename=no', 'agentlang=no']);
    expect(readFileSync(join(cwd, 'in-workdir.txt'), 'utf8')).toBe('workdir-ok\n');
    expect(readFileSync(recordFile, 'utf8')).toBe(before);
    expect(existsSync(join(cwd, '.agentlang', 'records', '01J00000000000000000000000.json'))).toBe(false);
    expect(readdirSync(join(cwd, '.agentlang', 'records')).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('trust.scope never makes .agentlang/ writable: a scope naming it (or a link to it) is refused, a linked parent is re-bound read-only', async () => {
    const cwd = makeTempDir();
    await runPlan(demoPlan(), { cwd, env });
    const records = join(cwd, '.agentlang', 'records');
    const forged = join(records, '01J00000000000000000000000.json');
    symlinkSync(join(cwd, '.agentlang'), join(cwd, 'innocent'));
    const forge = (via: string) => `echo forged > ${via}/01J00000000000000000000000.json 2>/dev/null && echo "forge=yes" || echo "forge=no"`;
    for (const scope of ['.agentlang/records', '.agentlang', records, 'innocent', 'innocent/records']) {
      const plan = demoPlan({ trust: { filesystem: 'scoped', network: 'none', exec: 'full', scope: [scope] } });
      const out = sink();
      await expect(
        runPlan(plan, { cwd, env, stdout: out, runtime: 'tamper', adapters: [shAdapter('tamper', forge(join(cwd, scope)))] }),
        scope,
      ).rejects.toMatchObject({ code: 'RUNNER_POLICY_PROTECTED' });
      expect(out.text(), scope).toBe('');
      expect(existsSync(forged), scope).toBe(false);
    }
    // A granted directory elsewhere that is a link to the workdir reaches .agentlang/ by another path: read-only there too.
    const alias = join(makeTempDir(), 'alias');
    symlinkSync(cwd, alias);
    const plan = demoPlan({ trust: { filesystem: 'scoped', network: 'none', exec: 'full', scope: [alias] } });
    const out = sink();
    const result = await runPlan(plan, {
      cwd,
      env,
      stdout: out,
      runtime: 'tamper',
      adapters: [shAdapter('tamper', `echo ok > ${alias}/via-alias.txt && echo "alias=rw"; ${forge(join(alias, '.agentlang/records'))}; echo x > ${alias}/.agentlang/evil 2>/dev/null && echo "agentlang=yes" || echo "agentlang=no"`)],
    });
    expect(result.exitCode).toBe(0);
    expect(out.text().trim().split('\n')).toEqual(['alias=rw', 'forge=no', 'agentlang=no']);
    expect(existsSync(join(cwd, 'via-alias.txt'))).toBe(true);
    expect(existsSync(forged)).toBe(false);
    expect(existsSync(join(cwd, '.agentlang', 'evil'))).toBe(false);
  });

  it('delivers secrets by environment inside the sandbox, not argv, and writes config files into the private tmpfs', async () => {
    const cwd = makeTempDir();
    const out = sink();
    const result = await runPlan(demoPlan(), {
      cwd,
      env: { ...env, ANTHROPIC_API_KEY: 'sk-ant-INSIDE-ONLY' },
      stdout: out,
      runtime: 'peek',
      adapters: [shAdapter('peek', 'echo "key=$ANTHROPIC_API_KEY"; cat "$CONFIG_FILE"; tr "\\0" " " < /proc/self/cmdline; echo', ['ANTHROPIC_API_KEY'])],
    });
    const lines = out.text().split('\n');
    expect(lines[0]).toBe('key=sk-ant-INSIDE-ONLY');
    expect(lines[1]).toBe('{"ok":true}');
    expect(lines[2]).not.toContain('sk-ant-INSIDE-ONLY');
    expect(JSON.stringify(result.sandbox.redactedArgv)).not.toContain('sk-ant-INSIDE-ONLY');
    expect(readFileSync(result.recordPath!, 'utf8')).not.toContain('INSIDE-ONLY');
    // The config file lived in the sandbox's tmpfs: nothing was left on the host workdir.
    expect(readdirSync(cwd).sort()).toEqual(['.agentlang']);
  });

  it('propagates a non-zero exit code from inside bwrap', async () => {
    const cwd = makeTempDir();
    writeFileSync(join(cwd, 'x'), '');
    const result = await runPlan(demoPlan(), { cwd, env, runtime: 'fail', adapters: [shAdapter('fail', 'exit 42')] });
    expect(result.exitCode).toBe(42);
    expect(result.record).toMatchObject({ exit_code: 42, outcome: 'failure', isolation: { backend: 'bwrap' } });
  });
});
