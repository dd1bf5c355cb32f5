import { rmSync } from 'node:fs';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';

// Issue 14 §4 through the CLI: errors are located, and a misspelt key is reported by resolve and lock.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function agentDir(tools: string): string {
  const dir = makeTempDir('agentlang-cli-located-');
  dirs.push(dir);
  return writeTree(dir, {
    'agent.yaml': `name: located\nversion: 1.0.0\ndescription: d\nmodels:\n  test-echo/demo: {}\ntools:\n${tools}`,
  });
}

describe('located errors and warnings in the CLI', () => {
  it('resolve: an unknown tool names file:line:column and the nearest name (human and --json)', () => {
    const cwd = agentDir('  - name: web_serch\n');
    const human = runCli(['resolve', '.', '--no-mcp'], { cwd });
    expect(human.status).toBe(11);
    expect(human.stderr).toMatch(
      /Error: agent\.yaml:7:11: tool web_serch is in no catalog .*did you mean "web_search"\?/,
    );
    const json = JSON.parse(runCli(['resolve', '.', '--no-mcp', '--json'], { cwd }).stdout);
    expect(json.error).toMatchObject({
      code: 'RESOLVE_TOOL_UNKNOWN',
      details: { file: 'agent.yaml', line: 7, column: 11, suggestion: 'web_search' },
    });
  });

  it('lock: verison: under a tool is a located warning on stderr and in --json; --strict refuses it', () => {
    const cwd = agentDir('  - name: web_search\n    verison: ^1.2.0\n');
    const locked = runCli(['lock', '.', '--json'], { cwd });
    expect(locked.status).toBe(0);
    expect(locked.stderr).toContain(
      'Warning: agent.yaml:8:5: warning MANIFEST_UNKNOWN_KEY unknown key "verison"; did you mean "version"?',
    );
    expect(JSON.parse(locked.stdout).warnings).toEqual([expect.stringContaining('agent.yaml:8:5')]);
    const resolved = runCli(['resolve', '.', '--no-mcp'], { cwd });
    expect(resolved.stdout).toContain('Warning:  agent.yaml:8:5');
    const strict = runCli(['lock', '.', '--strict', '--json'], { cwd });
    expect(strict.status).toBe(11);
    expect(JSON.parse(strict.stdout).error.code).toBe('RESOLVE_MANIFEST_WARNING');
  });
});
