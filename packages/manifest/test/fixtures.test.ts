import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Diagnostic, formatDiagnostic, loadAgent, ManifestError, ManifestErrorCode } from '@agentlang/manifest';
import { describe, expect, test } from 'vitest';

interface Expected {
  code?: string;
  entry?: string;
  file?: string;
  line?: number;
  message?: string;
  severity?: 'error' | 'warning';
  thrown?: boolean;
  options?: Record<string, unknown>;
  warnings?: string[];
}

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const cases = (kind: string) => readdirSync(join(fixtures, kind)).sort();
const expectedOf = (dir: string): Expected => JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

async function loadError(path: string, options: Record<string, unknown> = {}): Promise<ManifestError> {
  try {
    await loadAgent(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error(`${path} loaded without error`);
}

describe('invalid fixture corpus: one case per error code, asserting the code and the reported line', () => {
  test('every error code except the aggregate and I/O has a case', () => {
    const covered = new Set(cases('invalid'));
    const missing = (Object.values(ManifestErrorCode) as string[]).filter(
      (c) => !covered.has(c) && c !== 'MANIFEST_INVALID' && c !== 'MANIFEST_IO',
    );
    expect(missing).toEqual([]);
  });

  test.each(cases('invalid'))('%s', async (name) => {
    const dir = join(fixtures, 'invalid', name);
    const want = expectedOf(dir);
    const path = want.entry ? join(dir, want.entry) : dir;
    expect(want.code).toBe(name);
    if (want.severity === 'warning') {
      const agent = await loadAgent(path, want.options);
      const hit = agent.warnings.find((d) => d.code === want.code);
      expect(hit, agent.warnings.map(formatDiagnostic).join('\n')).toBeDefined();
      expect([hit!.file, hit!.line]).toEqual([want.file, want.line]);
      if (want.message) expect(hit!.message).toContain(want.message);
      return;
    }
    const error = await loadError(path, want.options);
    if (want.thrown) {
      expect(error.code).toBe(want.code);
      expect(error.message.length).toBeGreaterThan(10);
      return;
    }
    expect(error.code).toBe('MANIFEST_INVALID');
    const diagnostics = error.details.diagnostics as Diagnostic[];
    const hit = diagnostics.find((d) => d.code === want.code);
    expect(hit, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
    expect(hit!.severity).toBe('error');
    expect([hit!.file, hit!.line]).toEqual([want.file, want.line]);
    expect(hit!.column).toBeGreaterThan(0);
    if (want.message) expect(hit!.message).toContain(want.message);
    expect(error.message).toContain(`${hit!.file}:${hit!.line}:${hit!.column}`);
  });
});

describe('valid fixture corpus', () => {
  test.each(cases('valid'))('%s', async (name) => {
    const dir = join(fixtures, 'valid', name);
    const want = expectedOf(dir);
    const agent = await loadAgent(want.entry ? join(dir, want.entry) : dir, want.options);
    expect(agent.warnings.map((w) => w.code)).toEqual(want.warnings ?? []);
    expect(agent.digest).toMatch(/^ag1:[0-9a-f]{64}$/);
    expect(existsSync(join(agent.source.root, agent.source.entry))).toBe(true);
  });
});
