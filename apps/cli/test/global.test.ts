import { runCli } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';

describe('global behaviour', () => {
  it('prints help and exits 2 without a command; --help exits 0', () => {
    const none = runCli([]);
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('Usage: agentlang <command>');
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.name}`);
    expect(help.stdout).toContain('Exit codes: 0 ok');
  });

  for (const c of COMMANDS) {
    it(`agentlang ${c.name} --help prints its usage and exits 0`, () => {
      const r = runCli([c.name, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`agentlang ${c.name} — ${c.summary}`);
      expect(r.stdout).toContain('Usage: agentlang');
      expect(r.stdout).toContain('--json');
      expect(runCli(['help', c.name]).stdout).toBe(r.stdout);
    });
  }

  it('--help --json is one JSON document too', () => {
    const all = JSON.parse(runCli(['--help', '--json']).stdout);
    expect(all.commands.map((c: { command: string }) => c.command)).toEqual(COMMANDS.map((c) => c.name));
    const one = JSON.parse(runCli(['validate', '--help', '--json']).stdout);
    expect(one).toEqual({
      command: 'validate',
      summary: expect.any(String),
      usage: expect.stringContaining('Usage: agentlang validate <agent> [options]'),
      positionals: [expect.objectContaining({ name: 'agent', required: true })],
      options: { strict: { type: 'boolean', description: 'treat warnings as errors' } },
    });
  });

  it('rejects an unknown command and an unknown flag with exit 2', () => {
    const unknown = runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const flag = runCli(['validate', '--nope', 'x']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('--nope');
    expect(flag.stderr).toContain('agentlang validate --help');
  });

  it('--json prints exactly one JSON document, also for usage errors', () => {
    const r = runCli(['frobnicate', '--json']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'USAGE_COMMAND',
        message: expect.stringContaining('frobnicate'),
        details: { command: 'frobnicate' },
      },
    });
    expect(r.stderr).toBe('');
  });
});
