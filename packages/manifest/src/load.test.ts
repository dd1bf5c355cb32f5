import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import { ManifestError } from './errors.js';
import { loadAgent, loadAgentFromFiles, safeLoadAgent } from './load.js';

const AGENT = `name: crew
version: 1.0.0
description: test crew
tools:
  - name: web_search
    version: ^1.2.0
  - name: delegate
    config:
      mode: dynamic
      discovery: directory
      max_depth: 2
delegate:
  agents:
    - ./team/lead.yaml
  permissions:
    lead: always
    helper: session
`;
const TREE = {
  'agent.yaml': AGENT,
  'prompt.yaml': 'version: 2\nrole: user\nsections:\n  - name: intro\n    content: hello\n',
  'team/lead.yaml': 'name: lead\ndescription: leads\n',
  'helper.yaml': 'name: helper\ndescription: helps\n',
  'ux.yaml': 'suggestions: ["go"]\n',
  'notes.txt': 'ignored',
};

async function invalid(promise: Promise<unknown>): Promise<Diagnostic[]> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ManifestError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).code).toBe('MANIFEST_INVALID');
  return (error as ManifestError).details.diagnostics!;
}

describe('loadAgent: directories, files and memory give the same agent', () => {
  test('a directory loads with prompt, ux, static and discovered sub-agents, normalised', async () => {
    const dir = writeTree(makeTempDir(), TREE);
    const agent = await loadAgent(dir);
    expect(agent.source).toEqual({ kind: 'directory', root: dir, entry: 'agent.yaml' });
    expect(agent.manifest.delegate).toEqual({
      mode: 'dynamic',
      agents: [{ path: './team/lead.yaml' }],
      discovery: 'directory',
      maxDepth: 2,
      permissions: { lead: 'always', helper: 'session' },
    });
    expect(agent.subAgentPaths).toEqual([
      { name: 'lead', path: 'team/lead.yaml' },
      { name: 'helper', path: 'helper.yaml' },
    ]);
    expect(agent.files.map((f) => f.path)).toEqual([
      'agent.yaml',
      'helper.yaml',
      'prompt.yaml',
      'team/lead.yaml',
      'ux.yaml',
    ]);
    expect(agent.files.every((f) => /^sha256:[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(agent.prompt?.document.sections).toEqual([{ name: 'intro', content: 'hello' }]);
    expect(agent.manifest.ux?.suggestions).toEqual(['go']);
  });

  test('loadAgentFromFiles (an unpacked container) gives the same digest as the directory', async () => {
    const dir = writeTree(makeTempDir(), TREE);
    const files = Object.fromEntries(Object.entries(TREE).map(([k, v]) => [k, new TextEncoder().encode(v)]));
    const fromMemory = await loadAgentFromFiles(files, { label: 'crew@1.0.0.agent' });
    const fromDisk = await loadAgent(dir);
    expect(fromMemory.digest).toBe(fromDisk.digest);
    expect(fromMemory.source).toEqual({ kind: 'memory', root: 'crew@1.0.0.agent', entry: 'agent.yaml' });
    expect(fromMemory.files).toEqual(fromDisk.files);
  });

  test('a manifest file with any name is loaded by content; agent.yaml given as a file equals its directory', async () => {
    const dir = writeTree(makeTempDir(), TREE);
    expect((await loadAgent(join(dir, 'agent.yaml'))).digest).toBe((await loadAgent(dir)).digest);
    writeFileSync(join(dir, 'whatever.txt'), 'apiVersion: agent/v1\nname: w\nversion: 1.0.0\nruntime: test-echo\n');
    const w = await loadAgent(join(dir, 'whatever.txt'));
    expect(w.manifest).toMatchObject({
      dialect: 'agentspec',
      name: 'w',
      trust: { filesystem: 'none', network: 'none', exec: 'none', scope: [] },
    });
    expect(w.source.entry).toBe('whatever.txt');
  });

  test('safeLoadAgent returns the error instead of throwing', async () => {
    const result = await safeLoadAgent('/nonexistent/agent');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('MANIFEST_NOT_FOUND');
  });
});

describe('digest', () => {
  test('stable under key order, comments, quoting and formatting', async () => {
    const a = await loadAgentFromFiles({
      'agent.yaml': new TextEncoder().encode('name: a\nversion: 1.0.0\ntools:\n  - name: x\n    version: ^1.0.0\n'),
    });
    const b = await loadAgentFromFiles({
      'agent.yaml': new TextEncoder().encode(
        '# a comment\ntools: [ { version: "^1.0.0", name: x } ]\nversion: "1.0.0"   # trailing\nname: \'a\'\n',
      ),
    });
    expect(b.digest).toBe(a.digest);
  });

  test('changes when a meaningful field, the prompt, a skill or a sub-agent changes', async () => {
    const base = await loadAgent(writeTree(makeTempDir(), TREE));
    const variants: Array<Record<string, string>> = [
      { 'agent.yaml': AGENT.replace('test crew', 'test crew!') },
      { 'prompt.yaml': TREE['prompt.yaml'].replace('hello', 'hello!') },
      { 'team/lead.yaml': 'name: lead\ndescription: leads well\n' },
      { 'helper.yaml': 'name: helper\ndescription: helps a lot\n' },
      { 'ux.yaml': 'suggestions: ["stop"]\n' },
    ];
    const digests = new Set([base.digest]);
    for (const change of variants)
      digests.add((await loadAgent(writeTree(makeTempDir(), { ...TREE, ...change }))).digest);
    expect(digests.size).toBe(variants.length + 1);
  });

  test('a digest is the full ag1:<64 hex>', async () => {
    const agent = await loadAgent(writeTree(makeTempDir(), TREE));
    expect(agent.digest).toMatch(/^ag1:[0-9a-f]{64}$/);
  });
});

describe('diagnostics', () => {
  test('every problem is reported at once, each with file, line, column, path, expected and found', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: Bad Name',
        'version: 1.10',
        'tools:',
        '  - name: web_search',
        '    version: banana',
        'permissions:',
        '  required: [netwrk]',
        '  background:',
        '    schedule: "* * *"',
        'skills:',
        '  - name: missing-skill',
        '',
      ].join('\n'),
    });
    const diagnostics = await invalid(loadAgent(dir));
    const summary = diagnostics.map((d) => `${d.code}@${d.line}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        'MANIFEST_SCHEMA@1',
        'MANIFEST_VERSION_TYPE@2',
        'MANIFEST_SEMVER@5',
        'MANIFEST_SCHEMA@7',
        'MANIFEST_CRON@9',
        'MANIFEST_FILE_MISSING@11',
      ]),
    );
    for (const d of diagnostics) {
      expect(d.file).toBe('agent.yaml');
      expect(d.column).toBeGreaterThan(0);
      expect(d.path).toMatch(/^\//);
      expect(d.expected).toBeTruthy();
      expect(d.found).toBeTruthy();
    }
    const enumDiag = diagnostics.find((d) => d.path === '/permissions/required/0')!;
    expect(enumDiag.message).toContain('did you mean "network"');
  });

  test('sub-agent diagnostics name the sub-agent file', async () => {
    const dir = writeTree(makeTempDir(), { ...TREE, 'team/lead.yaml': 'name: lead\ntools:\n  - nam: x\n' });
    const diagnostics = await invalid(loadAgent(dir));
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({
      file: 'team/lead.yaml',
      line: 3,
      code: 'MANIFEST_SCHEMA',
    });
  });

  test('a sub-agent needs no version, but a top-level agent does unless partial', async () => {
    const dir = writeTree(makeTempDir(), { 'spec.yaml': 'name: spec\ndescription: x\n' });
    const diagnostics = await invalid(loadAgent(join(dir, 'spec.yaml')));
    expect(diagnostics[0]).toMatchObject({ code: 'MANIFEST_SCHEMA', message: 'missing required key "version"' });
    expect((await loadAgent(join(dir, 'spec.yaml'), { partial: true })).manifest.version).toBeUndefined();
  });

  test('an MCP whitelist makes its tools declared; system:// tools are host tools', async () => {
    const yaml = `name: ui
version: 1.0.0
mcp_servers:
  Gmail:
    command: npx
    tools: [gmail_modify_labels]
ui_components:
  card:
    actions:
      archive: { tool: gmail_modify_labels }
      save: { tool: "system://download_file" }
      reply: { params: { id: "{{id}}" } }
`;
    const agent = await loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) });
    expect(agent.manifest.uiComponents[0]!.actions).toEqual({
      archive: { tool: 'gmail_modify_labels' },
      save: { tool: 'system://download_file' },
      reply: { params: { id: '{{id}}' } },
    });
  });
});

describe('file-system safety', () => {
  test('a symlink that leaves the agent root is refused', async () => {
    const outside = writeTree(makeTempDir(), { 'secret.yaml': 'name: secret\n' });
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': 'name: a\nversion: 1.0.0\ndelegate:\n  agents: [./link.yaml]\n',
    });
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'link.yaml'));
    const diagnostics = await invalid(loadAgent(dir));
    expect(diagnostics.map((d) => d.code)).toContain('MANIFEST_PATH_ESCAPE');
  });

  test('an unreadable path (symlink loop) is MANIFEST_IO', async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'agent'));
    symlinkSync(join(dir, 'agent', 'loop'), join(dir, 'agent', 'loop'));
    writeFileSync(join(dir, 'agent', 'agent.yaml'), 'name: a\nversion: 1.0.0\ndelegate:\n  agents: [./loop]\n');
    await expect(loadAgent(join(dir, 'agent'))).rejects.toMatchObject({ code: 'MANIFEST_IO' });
  });

  test('memory files cannot name paths outside the set', async () => {
    const files = {
      'agent.yaml': new TextEncoder().encode('name: a\nversion: 1.0.0\n'),
      '../evil.yaml': new Uint8Array(1),
    };
    const agent = await loadAgentFromFiles(files);
    expect(agent.files.map((f) => f.path)).toEqual(['agent.yaml']);
    await expect(loadAgentFromFiles(files, { entry: '../evil.yaml' })).rejects.toMatchObject({
      code: 'MANIFEST_PATH_ESCAPE',
    });
  });

  test('the examples directory is never written to', async () => {
    const before = readFileSync(new URL('../../../examples/demo.agent', import.meta.url), 'utf8');
    await loadAgent(new URL('../../../examples/demo.agent', import.meta.url).pathname);
    expect(readFileSync(new URL('../../../examples/demo.agent', import.meta.url), 'utf8')).toBe(before);
  });
});

describe('options', () => {
  test('fileDigests stands in for a prompt that is not supplied (an encrypted container prompt)', async () => {
    const full = await loadAgent(writeTree(makeTempDir(), TREE));
    const promptDigest = full.files.find((f) => f.path === 'prompt.yaml')!.sha256;
    const { 'prompt.yaml': _omitted, ...rest } = TREE;
    const files = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, new TextEncoder().encode(v)]));
    const withoutPrompt = await loadAgentFromFiles(files);
    expect(withoutPrompt.digest).not.toBe(full.digest);
    const stood = await loadAgentFromFiles(files, { fileDigests: { 'prompt.yaml': promptDigest } });
    expect(stood.digest).toBe(full.digest);
    expect(stood.prompt).toBeUndefined();
  });

  test('an HTTP tool key that looks like a typo is a warning; a real flag is kept silently', async () => {
    const yaml =
      'name: h\nversion: 1.0.0\nhttp_tools:\n  t:\n    endpoint: /x\n    method: GET\n    descripton: oops\n    twitter_token: true\n';
    const agent = await loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) });
    expect(agent.warnings).toMatchObject([
      { code: 'MANIFEST_UNKNOWN_KEY', line: 7, message: expect.stringContaining('"description"') },
    ]);
    expect(agent.manifest.httpTools[0]!.flags).toEqual({ descripton: 'oops', twitter_token: true });
  });
});

describe('sub-agent graph checks', () => {
  test('a depends_on cycle is MANIFEST_CYCLE naming the chain', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml':
        'name: crew\nversion: 1.0.0\ndelegate:\n  mode: static\n  agents:\n    - path: a.yaml\n      depends_on: [c]\n    - path: b.yaml\n      depends_on: [a]\n    - path: c.yaml\n      depends_on: [b]\n',
      'a.yaml': 'name: a\n',
      'b.yaml': 'name: b\n',
      'c.yaml': 'name: c\n',
    });
    const diagnostics = await invalid(loadAgent(dir));
    expect(diagnostics).toMatchObject([
      { code: 'MANIFEST_CYCLE', line: 9, message: 'depends_on forms a cycle: a → c → b → a' },
    ]);
  });

  test('two sub-agents with one name are MANIFEST_DUPLICATE_NAME', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': 'name: crew\nversion: 1.0.0\ndelegate:\n  agents:\n    - one/helper.yaml\n    - two/helper.yaml\n',
      'one/helper.yaml': 'name: helper\n',
      'two/helper.yaml': 'name: helper\n',
    });
    const diagnostics = await invalid(loadAgent(dir));
    expect(diagnostics).toMatchObject([{ code: 'MANIFEST_DUPLICATE_NAME', line: 6 }]);
  });
});

describe('hostile volume', () => {
  test('thousands of bad entries give a bounded, summarised list of diagnostics', async () => {
    const yaml = `name: a\nversion: 1.0.0\ntools:\n${Array.from({ length: 5000 }, (_, i) => `  - {name: ${i}}`).join('\n')}\n`;
    const diagnostics = await invalid(loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) }));
    expect(diagnostics.length).toBeLessThanOrEqual(201);
    expect(diagnostics.some((d) => /more schema problems not listed/.test(d.message))).toBe(true);
  });

  test('thousands of duplicate keys are capped too', async () => {
    const yaml = `name: a\nversion: 1.0.0\ntools:\n${Array.from({ length: 5000 }, (_, i) => `  - {name: t${i}, name: u}`).join('\n')}\n`;
    const diagnostics = await invalid(loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) }));
    expect(diagnostics.length).toBe(200);
    expect(diagnostics[0]).toMatchObject({ code: 'MANIFEST_DUPLICATE_KEY', line: 4, path: '/tools/0/name' });
  });
});

describe('messages a person can act on', () => {
  test("the spec's body_template snippet, closing quote at the key's indent, is read as PyYAML reads it, with a warning and the portable spelling", async () => {
    const yaml = `name: t\nversion: 1.0.0\nhttp_tools:\n  twitter_post_tweet:\n    endpoint: "/api/v1/twitter/tweets"\n    method: POST\n    params:\n      text: { type: string }\n    body_template: '{\n      "text": "{{text}}"\n    }'\n`;
    const agent = await loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) });
    expect(agent.manifest.httpTools[0]!.bodyTemplate).toBe('{ "text": "{{text}}" }');
    expect(agent.warnings).toMatchObject([{ code: 'MANIFEST_YAML_SYNTAX', severity: 'warning', line: 11 }]);
    expect(agent.warnings[0]!.message).toContain(
      'indent line 11 by at least 5 spaces, or write the value as a block scalar (body_template: |)',
    );
  });

  test('the tolerance is narrow: a quote never closed stays an error with the fix; block scalars are never re-indented', async () => {
    const open = `name: t\nversion: 1.0.0\ndescription: 'never closed\nother: 1\n`;
    const diagnostics = await invalid(loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(open) }));
    expect(diagnostics[0]!.code).toBe('MANIFEST_YAML_SYNTAX');
    expect(diagnostics[0]!.message).toContain('indented deeper than its key');
    const block = `name: t\nversion: 1.0.0\ndescription: |\n  a: 'x\n  y'\ntitle: 'z\n`;
    expect((await invalid(loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(block) })))[0]!.code).toBe(
      'MANIFEST_YAML_SYNTAX',
    );
  });

  test('two discovered sub-agents with one name are reported at the second file', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml':
        'name: o\nversion: 1.0.0\ntools:\n  - name: delegate\n    config: { mode: dynamic, discovery: directory }\n',
      'a.yaml': 'name: same\ndescription: a\n',
      'b.yaml': '# comment\nname: same\ndescription: b\n',
    });
    const diagnostics = await invalid(loadAgent(dir));
    expect(diagnostics).toMatchObject([{ code: 'MANIFEST_DUPLICATE_NAME', file: 'b.yaml', line: 2 }]);
  });
});

test('a scheduled capability needs a schedule', async () => {
  const yaml = 'name: s\nversion: 1.0.0\npermissions:\n  required: [background]\n  background:\n    mode: scheduled\n';
  const diagnostics = await invalid(loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode(yaml) }));
  expect(diagnostics).toMatchObject([{ code: 'MANIFEST_SCHEMA', line: 6, path: '/permissions/background/mode' }]);
});
