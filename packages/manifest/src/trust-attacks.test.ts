import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestError } from './errors.js';
import { loadAgent } from './load.js';

// Issue 9 item 3: trust widened through base:. Each test performs the attack that loaded on the
// code before the fix (the scope check only ran for a `scoped` child; bases were never validated).

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const base = (trust: string) =>
  `apiVersion: agent/v1\nname: base\nversion: 1.0.0\nruntime: test-echo\nmodel:\n  preferred: [test-echo/demo]\ntrust:\n${trust}`;
const child = (trust: string) =>
  `apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 1.0.0\ntrust:\n${trust}`;

async function diagnosticsOf(files: Record<string, string>): Promise<Diagnostic[]> {
  const dir = writeTree(makeTempDir(), files);
  dirs.push(dir);
  try {
    await loadAgent(join(dir, 'child.agent'));
  } catch (error) {
    return ((error as ManifestError).details.diagnostics ?? []).filter((d) => d.severity === 'error');
  }
  return [];
}

const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.code}:${d.file}:${d.line}`);

describe('trust cannot widen through base: (effective access, not field names)', () => {
  test('a read-only child with scope [/] over a base scoped to ./data is refused (it read /etc/shadow)', async () => {
    const ds = await diagnosticsOf({
      'base.agent': base('  filesystem: scoped\n  scope: [./data]\n'),
      'child.agent': child('  filesystem: read-only\n  scope: [/]\n'),
    });
    expect(codes(ds).sort()).toEqual(['MANIFEST_INHERITANCE:child.agent:7', 'MANIFEST_PATH_ESCAPE:child.agent:7']);
    const widening = ds.find((d) => d.code === 'MANIFEST_INHERITANCE')!;
    // Issue 14 §3: the base (file), the field, both values and how to restructure.
    expect(widening.message).toContain('base.agent');
    expect(widening.message).toContain('scope path "/"');
    expect(widening.message).toContain('this agent: filesystem: read-only, scope: [/]');
    expect(widening.message).toContain('base base.agent: filesystem: scoped, scope: [./data]');
    expect(widening.message).toContain(
      'declare a new base that grants it (a manifest without base:), or widen base.agent',
    );
  });

  test('a read-only child reading the whole agent directory over a base scoped to ./data is refused (no absolute path needed)', async () => {
    const ds = await diagnosticsOf({
      'base.agent': base('  filesystem: scoped\n  scope: [./data]\n'),
      'child.agent': child('  filesystem: read-only\n  scope: [.]\n'),
    });
    expect(codes(ds)).toEqual(['MANIFEST_INHERITANCE:child.agent:7']);
  });

  test('a child cannot launder a base whose trust values are invalid (it ran with --bind / / and --share-net)', async () => {
    const ds = await diagnosticsOf({
      'base.agent': base('  filesystem: readonly\n  network: deny\n'),
      'child.agent': child('  filesystem: full\n  network: allowed\n'),
    });
    expect(codes(ds)).toEqual([
      'MANIFEST_SCHEMA:base.agent:8',
      'MANIFEST_SCHEMA:base.agent:9',
      'MANIFEST_INHERITANCE:child.agent:6',
      'MANIFEST_INHERITANCE:child.agent:7',
    ]);
  });

  test('scoped (read-write) under a read-only base with the same scope is refused: it adds writing', async () => {
    const ds = await diagnosticsOf({
      'base.agent': base('  filesystem: read-only\n  scope: [./data]\n'),
      'child.agent': child('  filesystem: scoped\n'),
    });
    expect(codes(ds)).toEqual(['MANIFEST_INHERITANCE:child.agent:6']);
    expect(ds[0]!.message).toContain('write data');
  });

  test('narrowing is accepted: read-only inside the base scope, fewer paths, less network and exec', async () => {
    const dir = writeTree(makeTempDir(), {
      'base.agent': base('  filesystem: scoped\n  scope: [./data, ./docs]\n  network: allowed\n  exec: sandboxed\n'),
      'child.agent': child('  filesystem: read-only\n  scope: [./data/reports]\n  network: none\n  exec: none\n'),
    });
    dirs.push(dir);
    const agent = await loadAgent(join(dir, 'child.agent'));
    expect(agent.manifest.trust).toEqual({
      filesystem: 'read-only',
      network: 'none',
      exec: 'none',
      scope: ['./data/reports'],
    });
  });

  test('absolute and .. scope paths are refused in any manifest, base or not', async () => {
    const ds = await diagnosticsOf({
      'child.agent':
        'apiVersion: agent/v1\nname: child\nversion: 1.0.0\ntrust:\n  filesystem: read-only\n  scope: [./ok, ../up, /etc]\n',
    });
    expect(codes(ds)).toEqual(['MANIFEST_PATH_ESCAPE:child.agent:6', 'MANIFEST_PATH_ESCAPE:child.agent:6']);
  });

  test('every base is validated on its own, a grandparent too', async () => {
    const ds = await diagnosticsOf({
      'root.agent': 'apiVersion: agent/v1\nname: Root Agent\nversion: 1.0.0\ntrust:\n  exec: everything\n',
      'base.agent': 'apiVersion: agent/v1\nbase: root.agent\nname: base\nversion: v1.0.0\n',
      'child.agent': 'apiVersion: agent/v1\nbase: base.agent\nname: child\nversion: 1.0.0\ntrust:\n  exec: none\n',
    });
    expect(codes(ds)).toEqual([
      'MANIFEST_SEMVER:base.agent:4',
      'MANIFEST_SCHEMA:root.agent:2',
      'MANIFEST_SCHEMA:root.agent:5',
    ]);
  });
});
