import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

describe('agentlang init', () => {
  it('scaffolds an AgentLang agent (agent.yaml + prompt.yaml) that validates and compiles', () => {
    const dir = makeTempDir();
    const r = runCli(['init', 'my-agent'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'Created my-agent/agent.yaml\nCreated my-agent/prompt.yaml\nNext: agentlang validate my-agent\n',
    );
    const v = runCli(['validate', 'my-agent'], { cwd: dir });
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^Valid: my-agent@0\.1\.0 \(ag1:[0-9a-f]{64}\)\n$/);
    const c = runCli(['compile', 'my-agent', '--target', 'xml'], { cwd: dir });
    expect(c.status).toBe(0);
    expect(c.stdout).toMatch(/^<who_you_are>\n/);
  });

  it('scaffolds an AgentSpec manifest with --dialect agentspec', () => {
    const dir = makeTempDir();
    const r = runCli(['init', 'demo', '--dialect', 'agentspec'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'demo.agent'), 'utf8')).toMatch(
      /^apiVersion: agent\/v1\nname: demo\nversion: 0\.1\.0\n/,
    );
    expect(runCli(['validate', 'demo.agent'], { cwd: dir }).stdout).toMatch(/^Valid: demo@0\.1\.0 \(ag1:/);
  });

  it('writes into --dir', () => {
    const dir = makeTempDir();
    const r = runCli(['init', 'scout', '--dir', 'agents/scout', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: 'scout',
      dialect: 'agentlang',
      files: ['agents/scout/agent.yaml', 'agents/scout/prompt.yaml'],
      agent: 'agents/scout',
    });
    expect(runCli(['validate', 'agents/scout'], { cwd: dir }).status).toBe(0);
  });

  it('never overwrites: an existing file is an error (exit 2) and nothing is touched', () => {
    const dir = writeTree(makeTempDir(), { 'my-agent/prompt.yaml': 'mine\n' });
    const r = runCli(['init', 'my-agent'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to overwrite my-agent/prompt.yaml');
    expect(readFileSync(join(dir, 'my-agent/prompt.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'my-agent/agent.yaml'))).toBe(false);
    const json = runCli(['init', 'my-agent', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'USAGE_EXISTS',
      details: { files: ['my-agent/prompt.yaml'] },
    });
  });

  it('refuses a name the manifest rules reject, before writing anything (exit 10)', () => {
    const dir = makeTempDir();
    const r = runCli(['init', 'Bad Name'], { cwd: dir });
    expect(r.status).toBe(10);
    expect(r.stderr).toMatch(/agent\.yaml:1:7: error MANIFEST_SCHEMA /);
    expect(existsSync(join(dir, 'Bad Name'))).toBe(false);
  });

  it('rejects an unknown dialect and a missing name (exit 2)', () => {
    const dir = makeTempDir();
    expect(runCli(['init', 'x', '--dialect', 'toml'], { cwd: dir }).status).toBe(2);
    expect(runCli(['init'], { cwd: dir }).status).toBe(2);
  });
});
