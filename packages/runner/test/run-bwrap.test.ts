import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_ADAPTERS, type RuntimeAdapter, policyForPlan, runPlan } from '@agentlang/runner';
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
    const result = await runPlan(demoPlan(), {
      cwd,
      env,
      stdout: out,
      runtime: 'tamper',
      adapters: [shAdapter('tamper', script)],
    });
    expect(result.exitCode).toBe(0);
    expect(out.text().trim().split('\n')).toEqual([
      'workdir=ok',
      'forge=no',
      'overwrite=no',
      'delete=no',
      'rename=no',
      'agentlang=no',
    ]);
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
    const forge = (via: string) =>
      `echo forged > ${via}/01J00000000000000000000000.json 2>/dev/null && echo "forge=yes" || echo "forge=no"`;
    for (const scope of ['.agentlang/records', '.agentlang', records, 'innocent', 'innocent/records']) {
      const plan = demoPlan({ trust: { filesystem: 'scoped', network: 'none', exec: 'full', scope: [scope] } });
      const out = sink();
      await expect(
        runPlan(plan, {
          cwd,
          env,
          stdout: out,
          runtime: 'tamper',
          adapters: [shAdapter('tamper', forge(join(cwd, scope)))],
        }),
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
      adapters: [
        shAdapter(
          'tamper',
          `echo ok > ${alias}/via-alias.txt && echo "alias=rw"; ${forge(join(alias, '.agentlang/records'))}; echo x > ${alias}/.agentlang/evil 2>/dev/null && echo "agentlang=yes" || echo "agentlang=no"`,
        ),
      ],
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
      adapters: [
        shAdapter(
          'peek',
          'echo "key=$ANTHROPIC_API_KEY"; cat "$CONFIG_FILE"; tr "\\0" " " < /proc/self/cmdline; echo',
          ['ANTHROPIC_API_KEY'],
        ),
      ],
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

/** Every host process whose command line contains `needle` (any user's `ps` sees the same). */
function hostArgvContaining(needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) found.push(cmdline.replaceAll('\0', ' '));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('what runs where (real bwrap, stand-in runtime binaries)', () => {
  /** A stand-in for a runtime's CLI: `--version` names the host it runs on and leaves a marker in /tmp; otherwise it echoes stdin (aider: its --message-file) and lingers. */
  function standIn(binary: string, marker: string): { bin: string; path: string } {
    const bin = makeTempDir('agentlang-standin-');
    const path = join(bin, binary);
    writeFileSync(
      path,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then read h < /proc/sys/kernel/hostname; echo "stand-in 1.0 on $h"; echo ran > ${marker}; exit 0; fi\nif [ "$1" = "--message-file" ]; then echo "message-file=[$(cat "$2")]"; else echo "stdin=[$(cat)]"; fi\nsleep 1\n`,
      { mode: 0o755 },
    );
    return { bin, path };
  }

  for (const adapter of RUNTIME_ADAPTERS.filter((a) => a.name !== 'test-echo' && a.name !== 'harness')) {
    it(`${adapter.name}: the user prompt reaches the runtime on stdin (aider: a message file) and is on no host command line (bwrap's included)`, async () => {
      const prompt = `prompt-${randomBytes(6).toString('hex')}`;
      const marker = `/tmp/agentlang-version-probe-${randomBytes(6).toString('hex')}`;
      const { path } = standIn(adapter.binary, marker);
      const cwd = makeTempDir();
      const plan = demoPlan({
        runtime: { name: adapter.name, binary: adapter.binary, path, available: true },
        model: 'anthropic/claude-sonnet-4',
        models: { 'anthropic/claude-sonnet-4': { known: true, provider: 'anthropic' } },
      });
      const out = sink();
      let done = false;
      const running = runPlan(plan, { cwd, env, stdout: out, userPrompt: prompt }).finally(() => {
        done = true;
      });
      const seen: string[] = [];
      while (!done) {
        seen.push(...hostArgvContaining(prompt));
        await new Promise((r) => setTimeout(r, 25));
      }
      const result = await running;
      expect(result.exitCode).toBe(0);
      expect(out.text()).toContain(prompt); // delivered (control: the probe above would see it on argv)
      expect(out.text()).toMatch(adapter.name === 'aider' ? /^message-file=\[/ : /^stdin=\[/);
      expect(seen).toEqual([]);
      expect(result.sandbox.redactedArgv.join(' ')).not.toContain(prompt);
      // The runtime's --version ran inside the sandbox (hostname agentlang, /tmp private), never on the host.
      expect(result.record?.runtime_version).toBe('stand-in 1.0 on agentlang');
      expect(existsSync(marker)).toBe(false);
    });
  }
});

describe('sandbox limits from the host configuration', () => {
  it('every run has the default memory and task limits; AGENTLANG_SANDBOX_* override them', () => {
    const workdir = makeTempDir();
    expect(policyForPlan(demoPlan(), { workdir, env: {} }).limits).toEqual({
      timeoutMs: 600_000,
      memoryBytes: 2 * 1024 ** 3,
      maxProcesses: 512,
    });
    const lifted = policyForPlan(demoPlan(), {
      workdir,
      env: { AGENTLANG_SANDBOX_MEMORY: '8GiB', AGENTLANG_SANDBOX_MAX_PROCESSES: 'unlimited' },
    });
    expect(lifted.limits).toEqual({ timeoutMs: 600_000, memoryBytes: 8 * 1024 ** 3 });
    expect(() => policyForPlan(demoPlan(), { workdir, env: { AGENTLANG_SANDBOX_MAX_PROCESSES: 'many' } })).toThrow(
      /AGENTLANG_SANDBOX_MAX_PROCESSES.*expected a positive integer/,
    );
  });

  it('a fork bomb in a run is stopped at the configured task limit (bounded: 200 attempts at most)', async () => {
    // dash gives up on the first failed fork, so the bomb is python's: fork until refused, then reap.
    const bomb = `/usr/bin/python3 -c 'import os,time\nkids=[]\nfor i in range(200):\n  try:\n    pid=os.fork()\n  except OSError:\n    break\n  if pid==0:\n    time.sleep(3); os._exit(0)\n  kids.append(pid)\nprint("started", len(kids), flush=True)\nfor k in kids: os.kill(k, 9)\nfor k in kids: os.waitpid(k, 0)'`;
    const out = sink();
    const result = await runPlan(demoPlan(), {
      cwd: makeTempDir(),
      env: { ...env, AGENTLANG_SANDBOX_MAX_PROCESSES: '40' },
      stdout: out,
      runtime: 'bomb',
      adapters: [shAdapter('bomb', bomb)],
    });
    expect(result.exitCode).toBe(0);
    const started = Number(/started (\d+)/.exec(out.text())?.[1]);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(40);
  });
});
