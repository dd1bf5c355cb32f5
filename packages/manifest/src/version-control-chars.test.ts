import { describe, expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestError } from './errors.js';
import { loadAgentFromFiles } from './load.js';

// Issue 9 item 14: versions semver would trim or strip, and control characters that reach
// terminals and logs (the line break split `records list` lines).

const enc = (s: string) => new TextEncoder().encode(s);

async function errorsOf(yaml: string): Promise<Diagnostic[]> {
  try {
    await loadAgentFromFiles({ 'agent.yaml': enc(yaml) });
  } catch (error) {
    return ((error as ManifestError).details.diagnostics ?? []).filter((d) => d.severity === 'error');
  }
  return [];
}

describe('versions are written exactly', () => {
  test.each([
    ['" 1.0.0"', '"1.0.0"'],
    ['"v1.0.0"', '"1.0.0"'],
    ['"1.0.0\\n"', '"1.0.0"'],
    ['"1.0.0 "', '"1.0.0"'],
    ['"=1.0.0"', '"1.0.0"'],
  ])('version: %s is refused with the fix %s', async (written, fix) => {
    const ds = await errorsOf(`name: a\nversion: ${written}\n`);
    expect(ds.map((d) => d.code)).toEqual(['MANIFEST_SEMVER']);
    expect(ds[0]!.message).toContain(`write version: ${fix}`);
    expect(ds[0]!.line).toBe(2);
  });

  test('plain and pre-release versions still pass', async () => {
    expect(await errorsOf('name: a\nversion: 1.0.0\n')).toEqual([]);
    expect(await errorsOf('name: a\nversion: "2.1.0-rc.1+build.5"\n')).toEqual([]);
  });

  test('an AgentSpec version is checked the same way (bases too)', async () => {
    const ds = await errorsOf('apiVersion: agent/v1\nname: a\nversion: "v0.2.0"\n');
    expect(ds.map((d) => d.code)).toEqual(['MANIFEST_SEMVER']);
  });
});

describe('control characters', () => {
  test('ESC in a description (free text) is refused; line breaks and tabs in free text are fine', async () => {
    const ds = await errorsOf('name: a\nversion: 1.0.0\ndescription: "ok\\e[2J"\n');
    expect(ds.map((d) => `${d.code}:${d.line}`)).toEqual(['MANIFEST_CONTROL_CHAR:3']);
    expect(ds[0]!.message).toContain('U+001B');
    expect(await errorsOf('name: a\nversion: 1.0.0\ndescription: |\n  two\n  \tlines\n')).toEqual([]);
  });

  test.each([
    ['title: "Research\\nAssistant"', 4],
    ['tools:\n  - name: "web_search\\r"', 5],
    ['developer: "acme\\t"', 4],
    ['category: "\\u202ecod.exe"', 4],
    ['tools:\n  - name: web_search\n    config:\n      "bad\\u0007key": 1', 7],
  ])('%s is refused', async (line, at) => {
    const ds = await errorsOf(`name: a\nversion: 1.0.0\nsubtitle: fine\n${line}\n`);
    expect(ds.map((d) => `${d.code}:${d.line}`)).toEqual([`MANIFEST_CONTROL_CHAR:${at}`]);
  });

  test('a name the schema refuses gets the fix', async () => {
    const ds = await errorsOf('name: "Deep Researcher"\nversion: 1.0.0\n');
    expect(ds.map((d) => d.code)).toEqual(['MANIFEST_SCHEMA']);
    expect(ds[0]!.message).toContain('write name: deep-researcher');
  });
});
