import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Diagnostic, loadAgentFromFiles, ManifestError, ManifestErrorCode } from '@agentlang/manifest';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';

const encoder = new TextEncoder();
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

function readTree(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = new Uint8Array(readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

/** Loads and returns 'ok' or the error, asserting that a rejection is a located ManifestError. */
async function loadChecked(files: Record<string, Uint8Array>, entry = 'agent.yaml'): Promise<'ok' | ManifestError> {
  try {
    await loadAgentFromFiles(files, { entry });
    return 'ok';
  } catch (error) {
    if (!(error instanceof ManifestError))
      throw new Error(`non-ManifestError thrown: ${String(error)}`, { cause: error });
    expect(Object.values(ManifestErrorCode) as string[]).toContain(error.code);
    if (error.code === 'MANIFEST_INVALID') {
      const diagnostics = error.details.diagnostics as Diagnostic[];
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      for (const d of diagnostics) {
        expect(Object.values(ManifestErrorCode) as string[]).toContain(d.code);
        expect(d.file).toBeTruthy();
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(typeof d.message).toBe('string');
      }
      expect(error.details.line).toBeGreaterThanOrEqual(1);
    }
    return error;
  }
}

const exampleDirs = [
  'research-assistant',
  'inbox-assistant',
  'security-scanner',
  'research-crew',
  'research-agent',
].map((n) => readTree(join(examples, n)));
const NOISE = [
  ':',
  '-',
  ' ',
  '\n',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '&a',
  '*a',
  '!x',
  '#',
  '__proto__: 1\n',
  '  ',
  '1.10',
  '{{',
  '\t',
  '? ',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 6 })),
  }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swaplines' as const), at: fc.nat(), with: fc.nat() }),
);

/** One edit applied to a file's text. */
interface Mutation {
  kind: string;
  at: number;
  len?: number;
  text?: string;
  with?: number;
}

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length ? m.at % t.length : 0;
    if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + (m.len ?? 1));
    else if (m.kind === 'insert') t = t.slice(0, at) + (m.text ?? '') + t.slice(at);
    else {
      const lines = t.split('\n');
      const i = m.at % lines.length;
      if (m.kind === 'dupline') lines.splice(i, 0, lines[i]!);
      else {
        const j = (m.with ?? 0) % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      t = lines.join('\n');
    }
  }
  return t;
}

describe('property: nothing but a located ManifestError ever escapes', { timeout: 180_000 }, () => {
  test('random text as agent.yaml', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300, unit: 'binary' }), async (text) => {
        await loadChecked({ 'agent.yaml': encoder.encode(text) });
      }),
      { numRuns: Number(process.env.AGENTLANG_FC_RUNS ?? 300) },
    );
  });

  test('random bytes as agent.yaml (invalid UTF-8 included)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await loadChecked({ 'agent.yaml': bytes });
      }),
      { numRuns: 200 },
    );
  });

  test('mutated example agents (agent.yaml, sub-agents, prompt, ux, SKILL.md)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (which, fileIndex, ms) => {
          const tree = exampleDirs[which % exampleDirs.length]!;
          const names = Object.keys(tree).sort();
          const name = names[fileIndex % names.length]!;
          const text = new TextDecoder().decode(tree[name]);
          await loadChecked({ ...tree, [name]: encoder.encode(mutate(text, ms)) });
        },
      ),
      { numRuns: Number(process.env.AGENTLANG_FC_RUNS ?? 400) },
    );
  });

  test('random structured manifests: a valid one has a digest that ignores key order', async () => {
    const ident = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/);
    const manifest = fc.record(
      {
        name: ident,
        version: fc.oneof(
          fc.constantFrom('1.0.0', '0.1.0', '2.3.4-beta.1'),
          fc.string({ maxLength: 8 }),
          fc.double(),
          fc.integer(),
        ),
        description: fc.string({ maxLength: 40 }),
        tools: fc.array(
          fc.record(
            { name: ident, version: fc.constantFrom('^1.2.0', '~1.0.0', '*', 'nope', '>=2 <3') },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 4 },
        ),
        permissions: fc.record({
          required: fc.array(fc.constantFrom('network', 'storage', 'camera', 'telepathy'), { maxLength: 3 }),
        }),
        context: fc.record({
          inject: fc.array(fc.constantFrom('time', 'location', 'user_profile', 'weather'), { maxLength: 3 }),
        }),
        extra: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: ['name'] },
    );
    await fc.assert(
      fc.asyncProperty(manifest, async (m) => {
        const a = stringify(m);
        const b = stringify(m, { sortMapEntries: true });
        const ra = await loadAgentFromFiles({ 'agent.yaml': encoder.encode(a) }).catch((e: unknown) => e);
        const rb = await loadAgentFromFiles({ 'agent.yaml': encoder.encode(b) }).catch((e: unknown) => e);
        await loadChecked({ 'agent.yaml': encoder.encode(a) });
        if (ra instanceof ManifestError || rb instanceof ManifestError) {
          expect(ra).toBeInstanceOf(ManifestError);
          expect(rb).toBeInstanceOf(ManifestError);
        } else {
          expect((ra as { digest: string }).digest).toBe((rb as { digest: string }).digest);
        }
      }),
      { numRuns: 200 },
    );
  });
});
