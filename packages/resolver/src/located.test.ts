import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgent } from '@agentlang/manifest';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { ResolveError } from './errors.js';
import { resolvePlan } from './resolve.js';

// Every error about an input names the file:line:column of the declaration that caused it (issue 14 §4).
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const dir = makeTempDir('agentlang-located-');
  dirs.push(dir);
  return writeTree(dir, files);
}
const opts = { env: { PATH: '/usr/bin:/bin' }, probeMcp: false } as const;
const agentYaml = (body: string) =>
  `name: located\nversion: 1.0.0\ndescription: d\nmodels:\n  test-echo/demo: {}\n${body}`;

describe('located resolver errors', () => {
  it('tool web_serch is in no catalog: located at the name, with did-you-mean', async () => {
    const dir = tree({ 'agent.yaml': agentYaml('tools:\n  - name: artifacts\n  - name: web_serch\n') });
    const error = await rejectedWith(ResolveError, resolvePlan(await loadAgent(dir), opts));
    expect(error.code).toBe('RESOLVE_TOOL_UNKNOWN');
    expect(error.message).toMatch(/^agent\.yaml:8:11: tool web_serch is in no catalog/);
    expect(error.message).toContain('did you mean "web_search"?');
    expect(error.details).toMatchObject({
      file: 'agent.yaml',
      line: 8,
      column: 11,
      path: '/tools/1/name',
      suggestion: 'web_search',
    });
  });

  it('an unsatisfiable ^3.0.0 is located at the version', async () => {
    const dir = tree({ 'agent.yaml': agentYaml('tools:\n  - name: web_search\n    version: ^3.0.0\n') });
    const error = await rejectedWith(ResolveError, resolvePlan(await loadAgent(dir), opts));
    expect(error.code).toBe('RESOLVE_TOOL_UNSATISFIABLE');
    expect(error.message).toMatch(/^agent\.yaml:8:14: tool web_search: no version satisfies "\^3\.0\.0"/);
    expect(error.details).toMatchObject({ file: 'agent.yaml', line: 8, column: 14 });
  });

  it('delegation cycle b → c → b: located at the reference that closes it', async () => {
    const dir = tree({
      'agent.yaml': agentYaml('delegate:\n  agents:\n    - path: ./b.yaml\n'),
      'b.yaml': 'name: b\ndescription: b\ndelegate:\n  agents:\n    - ./c.yaml\n',
      'c.yaml': 'name: c\ndescription: c\ndelegate:\n  agents:\n    - ./b.yaml\n',
    });
    const error = await rejectedWith(ResolveError, resolvePlan(await loadAgent(dir), opts));
    expect(error.code).toBe('RESOLVE_DELEGATE_CYCLE');
    expect(error.message).toMatch(/^c\.yaml:5:7: delegation cycle: b → c → b/);
    expect(error.details).toMatchObject({ file: 'c.yaml', line: 5, column: 7, chain: ['b', 'c', 'b'] });
  });

  it('unknown runtime "test-ech0": located at runtime:, with did-you-mean; --runtime stays unlocated', async () => {
    const dir = tree({
      'demo.agent':
        'apiVersion: agent/v1\nname: demo\nversion: 0.1.0\nruntime: test-ech0\nmodel:\n  preferred:\n    - test-echo/demo\n',
    });
    const agent = await loadAgent(join(dir, 'demo.agent'));
    const error = await rejectedWith(ResolveError, resolvePlan(agent, opts));
    expect(error.code).toBe('RESOLVE_RUNTIME_UNKNOWN');
    expect(error.message).toMatch(
      /^demo\.agent:4:10: unknown runtime "test-ech0" \(from the manifest's "runtime"\); did you mean "test-echo"\?/,
    );
    const flag = await rejectedWith(ResolveError, resolvePlan(agent, { ...opts, runtime: 'claud-code' }));
    expect(flag.message).toMatch(/^unknown runtime "claud-code" \(from --runtime\); did you mean "claude-code"\?/);
  });

  it('a misspelt key that changes meaning (verison:) is a located warning of resolve, an error under strict', async () => {
    const dir = tree({ 'agent.yaml': agentYaml('tools:\n  - name: web_search\n    verison: ^1.2.0\n') });
    const agent = await loadAgent(dir);
    const plan = await resolvePlan(agent, opts);
    expect(plan.tools[0]).toMatchObject({ name: 'web_search', constraint: '*' });
    expect(plan.warnings).toContainEqual(
      expect.stringMatching(
        /^agent\.yaml:8:5: warning MANIFEST_UNKNOWN_KEY unknown key "verison"; did you mean "version"\?/,
      ),
    );
    const error = await rejectedWith(ResolveError, resolvePlan(agent, { ...opts, strict: true }));
    expect(error.code).toBe('RESOLVE_MANIFEST_WARNING');
    expect(error.message).toContain('agent.yaml:8:5');
    expect(error.details).toMatchObject({ file: 'agent.yaml', line: 8, column: 5 });
  });
});
