import { join } from 'node:path';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, test } from 'vitest';
import { isPathInside, mergeDocuments } from './inherit.js';
import { loadAgent } from './load.js';
import type { ManifestError } from './errors.js';

const BASE = `apiVersion: agent/v1
name: base
version: 1.0.0
runtime: test-echo
model:
  preferred: [test-echo/demo]
behavior:
  persona: base
  traits: [be-concise]
trust:
  filesystem: scoped
  network: scoped
  exec: sandboxed
  scope: [./data]
`;

async function codesOf(files: Record<string, string>, entry: string): Promise<string[]> {
  const dir = writeTree(makeTempDir(), files);
  try {
    await loadAgent(join(dir, entry));
  } catch (error) {
    return ((error as ManifestError).details.diagnostics ?? []).map((d) => `${d.code}:${d.file}:${d.line}`);
  }
  return [];
}

describe('base: inheritance', () => {
  test('the child inherits and narrows; the merged result is what is normalised and digested', async () => {
    const dir = writeTree(makeTempDir(), {
      'base.agent': BASE,
      'child.agent':
        'apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 2.0.0\nbehavior:\n  persona: child\ntrust:\n  network: none\n  scope: [./data/sub]\n',
    });
    const agent = await loadAgent(join(dir, 'child.agent'));
    expect(agent.manifest).toMatchObject({
      name: 'child',
      runtime: 'test-echo',
      models: [{ id: 'test-echo/demo' }],
      behavior: { persona: 'child' },
      trust: { filesystem: 'scoped', network: 'none', exec: 'sandboxed', scope: ['./data/sub'] },
    });
    expect(agent.files.map((f) => f.path)).toEqual(['base.agent', 'child.agent']);
    const changed = writeTree(makeTempDir(), {
      'base.agent': BASE.replace('test-echo/demo', 'test-echo/other'),
      'child.agent':
        'apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 2.0.0\nbehavior:\n  persona: child\ntrust:\n  network: none\n  scope: [./data/sub]\n',
    });
    expect((await loadAgent(join(changed, 'child.agent'))).digest).not.toBe(agent.digest);
  });

  test.each([
    ['filesystem: full', 'MANIFEST_INHERITANCE:child.agent:6'],
    ['network: allowed', 'MANIFEST_INHERITANCE:child.agent:6'],
    ['exec: full', 'MANIFEST_INHERITANCE:child.agent:6'],
    ['scope: [./data/../secrets]', 'MANIFEST_INHERITANCE:child.agent:6'],
    ['scope: [/etc]', 'MANIFEST_INHERITANCE:child.agent:6'],
  ])('widening %s is rejected', async (line, expected) => {
    const codes = await codesOf(
      {
        'base.agent': BASE,
        'child.agent': `apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 1.0.0\ntrust:\n  ${line}\n`,
      },
      'child.agent',
    );
    expect(codes).toContain(expected);
  });

  test('trust.hosts (network: scoped) is kept only when written, and a child may only narrow it', async () => {
    const base = BASE.replace(
      '  scope: [./data]\n',
      '  scope: [./data]\n  hosts: [api.example.com, "*.docs.example.com"]\n',
    );
    const dir = writeTree(makeTempDir(), {
      'base.agent': base,
      'child.agent':
        'apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 1.0.0\ntrust:\n  hosts: [v2.docs.example.com]\n',
    });
    expect((await loadAgent(join(dir, 'child.agent'))).manifest.trust?.hosts).toEqual(['v2.docs.example.com']);
    expect(
      (await loadAgent(join(writeTree(makeTempDir(), { 'a.agent': BASE }), 'a.agent'))).manifest.trust,
    ).not.toHaveProperty('hosts');
    const codes = await codesOf(
      {
        'base.agent': base,
        'child.agent':
          'apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 1.0.0\ntrust:\n  hosts: [api.example.com, evil.example.com]\n',
      },
      'child.agent',
    );
    expect(codes).toEqual(['MANIFEST_INHERITANCE:child.agent:6']);
  });

  test('a trust.hosts entry that is a URL or carries a port is a schema error at its line', async () => {
    const bad = BASE.replace(
      '  scope: [./data]\n',
      '  scope: [./data]\n  hosts:\n    - api.example.com\n    - https://evil.example.com:443/x\n',
    );
    expect(await codesOf({ 'a.agent': bad }, 'a.agent')).toEqual(['MANIFEST_SCHEMA:a.agent:17']);
  });

  test('a base without trust grants nothing, so a child cannot add any', async () => {
    const codes = await codesOf(
      {
        'base.agent': 'apiVersion: agent/v1\nname: b\nversion: 1.0.0\n',
        'child.agent': 'apiVersion: agent/v1\nbase: base.agent\nname: c\nversion: 1.0.0\ntrust:\n  exec: sandboxed\n',
      },
      'child.agent',
    );
    expect(codes).toEqual(['MANIFEST_INHERITANCE:child.agent:6']);
  });

  test('narrowing through a three-level chain is checked at every link', async () => {
    const codes = await codesOf(
      {
        'a.agent': BASE,
        'b.agent': 'apiVersion: agent/v1\nbase: a.agent\nname: b\nversion: 1.0.0\ntrust:\n  exec: none\n',
        'c.agent': 'apiVersion: agent/v1\nbase: b.agent\nname: c\nversion: 1.0.0\ntrust:\n  exec: sandboxed\n',
      },
      'c.agent',
    );
    expect(codes).toEqual(['MANIFEST_INHERITANCE:c.agent:6']);
  });

  test('a cycle is an error naming the chain', async () => {
    const dir = writeTree(makeTempDir(), {
      'a.agent': 'apiVersion: agent/v1\nname: a\nversion: 1.0.0\nbase: ./b.agent\n',
      'b.agent': 'apiVersion: agent/v1\nname: b\nversion: 1.0.0\nbase: ./c.agent\n',
      'c.agent': 'apiVersion: agent/v1\nname: c\nversion: 1.0.0\nbase: ./a.agent\n',
    });
    await expect(loadAgent(join(dir, 'a.agent'))).rejects.toThrow('a.agent → b.agent → c.agent → a.agent');
  });

  test('a base must be an AgentSpec manifest that exists inside the agent directory', async () => {
    expect(
      await codesOf({ 'c.agent': 'apiVersion: agent/v1\nname: c\nversion: 1.0.0\nbase: ./nope.agent\n' }, 'c.agent'),
    ).toEqual(['MANIFEST_FILE_MISSING:c.agent:4']);
    expect(
      await codesOf(
        { 'c.agent': 'apiVersion: agent/v1\nname: c\nversion: 1.0.0\nbase: ../../etc/passwd\n' },
        'c.agent',
      ),
    ).toEqual(['MANIFEST_PATH_ESCAPE:c.agent:4']);
    expect(
      await codesOf(
        {
          'b.yaml': 'apiVersion: agent/v2\nname: b\nversion: 1.0.0\n',
          'c.agent': 'apiVersion: agent/v1\nname: c\nversion: 1.0.0\nbase: b.yaml\n',
        },
        'c.agent',
      ),
    ).toEqual(['MANIFEST_DIALECT:c.agent:4']);
  });

  test('schema errors in the merged document point at the file that holds the value', async () => {
    const codes = await codesOf(
      {
        'base.agent': BASE.replace('runtime: test-echo', 'runtime: 42'),
        'child.agent': 'apiVersion: agent/v1\nbase: base.agent\nname: c\nversion: 1.0.0\n',
      },
      'child.agent',
    );
    expect(codes).toEqual(['MANIFEST_SCHEMA:base.agent:4']);
  });
});

describe('helpers', () => {
  test('isPathInside normalises before comparing', () => {
    expect(isPathInside('./data/x', './data')).toBe(true);
    expect(isPathInside('data', './data/')).toBe(true);
    expect(isPathInside('./data/../etc', './data')).toBe(false);
    expect(isPathInside('./database', './data')).toBe(false);
    expect(isPathInside('/srv/a', '/srv')).toBe(true);
    expect(isPathInside('/srv', 'srv')).toBe(false);
    expect(isPathInside('../x', '.')).toBe(false);
  });

  test('mergeDocuments merges mappings and replaces lists', () => {
    expect(mergeDocuments({ a: { x: 1, y: [1, 2] }, b: 1 }, { a: { y: [3] }, c: 2 })).toEqual({
      a: { x: 1, y: [3] },
      b: 1,
      c: 2,
    });
  });
});
