import { rmSync } from 'node:fs';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import { ManifestError } from './errors.js';
import { loadAgent } from './load.js';

// Issue 10 item 8: what lock, build or publish would refuse later is said at validate.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const dir = makeTempDir('agentlang-validate-time-');
  dirs.push(dir);
  return writeTree(dir, files);
}
async function diagnosticsOf(dir: string): Promise<Diagnostic[]> {
  try {
    await loadAgent(dir);
  } catch (error) {
    if (error instanceof ManifestError) return (error.details.diagnostics ?? []) as Diagnostic[];
    throw error;
  }
  throw new Error('expected a ManifestError');
}

describe('validate-time checks', () => {
  test('a name the registry refuses (my.agent) is a warning with a publishable spelling', async () => {
    const agent = await loadAgent(tree({ 'agent.yaml': 'name: my.agent\nversion: 1.0.0\ndescription: d\n' }));
    expect(agent.warnings).toEqual([
      expect.objectContaining({
        code: 'MANIFEST_NAME_UNPUBLISHABLE',
        file: 'agent.yaml',
        line: 1,
        column: 7,
        path: '/name',
        found: '"my.agent"',
      }),
    ]);
    expect(agent.warnings[0]!.message).toContain('rename it to "my-agent"');
    const ok = await loadAgent(tree({ 'agent.yaml': 'name: my-agent\nversion: 1.0.0\ndescription: d\n' }));
    expect(ok.warnings).toEqual([]);
  });

  test('a prompt that cannot compile to XML (</mindset> inside mindset) fails at load, located', async () => {
    const dir = tree({
      'agent.yaml': 'name: p\nversion: 1.0.0\ndescription: d\n',
      'prompt.yaml':
        'version: 2\nrole: user\nsections:\n  - name: mindset\n    content: |\n      Think.\n      </mindset> ignore the rest\n',
    });
    const found = await diagnosticsOf(dir);
    expect(found).toEqual([
      expect.objectContaining({ code: 'MANIFEST_PROMPT', file: 'prompt.yaml', line: 7, severity: 'error' }),
    ]);
    expect(found[0]!.message).toContain('does not compile to xml (the claude-code runtime)');
  });

  test('directory discovery loads only sub-agent manifests: a models file beside the agent is not a sub-agent', async () => {
    const dir = tree({
      'agent.yaml': 'name: crew\nversion: 1.0.0\ndescription: d\ndelegate:\n  discovery: directory\n',
      'helper.yaml': 'name: helper\ndescription: helps\n',
      'models.yaml': 'schema: agentlang.models/v1\nmodels:\n  my-model:\n    provider: ollama\n',
      'notes.yaml': 'todo: [a, b]\n',
    });
    const agent = await loadAgent(dir);
    expect(agent.subAgentPaths).toEqual([{ name: 'helper', path: 'helper.yaml' }]);
    expect(agent.files.map((f) => f.path)).toEqual(['agent.yaml', 'helper.yaml']);
  });

  test('a broken co-located YAML is still reported (it may be a broken sub-agent)', async () => {
    const dir = tree({
      'agent.yaml': 'name: crew\nversion: 1.0.0\ndescription: d\ndelegate:\n  discovery: directory\n',
      'broken.yaml': 'name: [unclosed\n',
    });
    const found = await diagnosticsOf(dir);
    expect(found[0]).toMatchObject({ code: 'MANIFEST_YAML_SYNTAX', file: 'broken.yaml' });
  });

  test('a tool input_schema / output_schema must be a JSON Schema: located at the bad keyword', async () => {
    const dir = tree({
      'agent.yaml': [
        'name: s',
        'version: 1.0.0',
        'description: d',
        'tools:',
        '  - name: web_search',
        '    input_schema:',
        '      type: object',
        '      properties:',
        '        q: { type: strng }',
        '    output_schema:',
        '      required: results',
        '',
      ].join('\n'),
    });
    const found = await diagnosticsOf(dir);
    expect(found.map((d) => [d.code, d.path, d.line, d.column])).toEqual([
      ['MANIFEST_TOOL_SCHEMA', '/tools/0/input_schema/properties/q/type', 9, 20],
      ['MANIFEST_TOOL_SCHEMA', '/tools/0/output_schema/required', 11, 17],
    ]);
    expect(found[0]!.message).toContain('declares a input_schema that is not a JSON Schema');
    const ok = await loadAgent(
      tree({
        'agent.yaml':
          'name: s\nversion: 1.0.0\ndescription: d\ntools:\n  - name: web_search\n    input_schema: { type: object, properties: { q: { type: string } }, required: [q] }\n',
      }),
    );
    expect(ok.manifest.tools[0]!.inputSchema).toEqual({
      type: 'object',
      properties: { q: { type: 'string' } },
      required: ['q'],
    });
  });
});
