import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runCli } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const KINDS = ['agent', 'agentspec', 'subagent', 'prompt', 'ux', 'skill-frontmatter'];

describe('agentlang schema', () => {
  it('lists the kinds without arguments', () => {
    const r = runCli(['schema']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Schemas: ${KINDS.join(', ')}`);
    expect(JSON.parse(runCli(['schema', '--json']).stdout)).toEqual({ kinds: KINDS });
  });

  it('prints one schema as JSON (the same document with or without --json)', () => {
    const r = runCli(['schema', 'agent']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.properties).toHaveProperty('tools');
    expect(JSON.parse(runCli(['schema', 'agent', '--json']).stdout)).toEqual(schema);
  });

  it('writes <kind>.schema.json files with --out', () => {
    const dir = makeTempDir();
    const r = runCli(['schema', '--out', 'schemas'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(KINDS.map((k) => `Wrote schemas/${k}.schema.json`));
    expect(readdirSync(join(dir, 'schemas')).sort()).toEqual(KINDS.map((k) => `${k}.schema.json`).sort());
    const prompt = JSON.parse(readFileSync(join(dir, 'schemas/prompt.schema.json'), 'utf8'));
    expect(prompt).toEqual(JSON.parse(runCli(['schema', 'prompt']).stdout));
    const one = runCli(['schema', 'ux', '--out', 'one'], { cwd: dir });
    expect(one.stdout).toBe('Wrote one/ux.schema.json\n');
  });

  it('rejects an unknown kind (exit 2)', () => {
    const r = runCli(['schema', 'agent.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('expected one of: agent, agentspec');
  });
});
