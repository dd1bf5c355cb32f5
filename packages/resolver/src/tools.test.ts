import { writeFileSync } from 'node:fs';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TOOLS, createBuiltinToolSource } from './builtin-tools.js';
import { canonicalJson, sha256 } from './canonical.js';
import { ResolveError } from './errors.js';
import { createLocalCatalogSource } from './local-catalog.js';
import type { ToolSource } from './tool-definition.js';
import { resolveTool } from './tools.js';

const builtin = [createBuiltinToolSource()];

const codeOf = (p: Promise<unknown>): Promise<ResolveError> => rejectedWith(ResolveError, p);

describe('resolveTool against the built-in catalog', () => {
  it('picks the highest version satisfying ^, ~, ranges and none', async () => {
    expect((await resolveTool({ name: 'web_search', version: '^1.2.0' }, builtin)).tool.version).toBe('1.2.3');
    expect((await resolveTool({ name: 'web_fetch', version: '~1.0.0' }, builtin)).tool.version).toBe('1.0.2');
    expect((await resolveTool({ name: 'web_search', version: '>=1.0.0 <1.2.0' }, builtin)).tool.version).toBe('1.1.0');
    expect((await resolveTool({ name: 'web_search', version: '1.2.0' }, builtin)).tool.version).toBe('1.2.0');
    // No constraint: latest release, never a prerelease.
    const latest = await resolveTool({ name: 'web_search' }, builtin);
    expect(latest.tool).toMatchObject({ version: '1.2.3', constraint: '*', source: 'builtin' });
    expect((await resolveTool({ name: 'artifacts' }, builtin)).tool.version).toBe('2.0.0');
  });

  it('records the integrity as sha256 of the canonical JSON of the definition', async () => {
    const r = await resolveTool({ name: 'sqlite', version: '^1.1.0' }, builtin);
    const def = BUILTIN_TOOLS.find((d) => d.name === 'sqlite' && d.version === '1.2.0')!;
    expect(r.tool.integrity).toBe(sha256(canonicalJson(def)));
    expect(r.tool.integrity).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.definition.outputSchema).toBeDefined();
  });

  it('every built-in tool of the spec exists with several versions and input/output schemas', () => {
    for (const name of ['web_search', 'web_fetch', 'artifacts', 'sqlite', 'storage', 'delegate']) {
      const defs = BUILTIN_TOOLS.filter((d) => d.name === name);
      expect(defs.length).toBeGreaterThanOrEqual(2);
      for (const d of defs) {
        expect(d.inputSchema.type).toBe('object');
        expect(d.outputSchema?.type).toBe('object');
      }
    }
  });

  it('an unsatisfiable constraint lists the versions that exist', async () => {
    const e = await codeOf(resolveTool({ name: 'web_fetch', version: '^3.0.0' }, builtin));
    expect(e.code).toBe('RESOLVE_TOOL_UNSATISFIABLE');
    expect(e.message).toContain('available: 0.9.0, 1.0.0, 1.0.2');
    expect(e.details.available).toEqual(['0.9.0', '1.0.0', '1.0.2']);
  });

  it('carries declared schemas into the plan (the agent contract, for a runtime to enforce) without a warning on every resolve', async () => {
    const def = BUILTIN_TOOLS.find((d) => d.name === 'web_fetch' && d.version === '1.0.2')!;
    const same = await resolveTool(
      { name: 'web_fetch', version: '~1.0.0', inputSchema: structuredClone(def.inputSchema) },
      builtin,
    );
    expect(same.warnings).toEqual([]);
    expect(same.tool.inputSchema).toEqual(def.inputSchema);
    expect(same.decision).toContain('input_schema as in the definition');
    const other = await resolveTool(
      { name: 'web_fetch', version: '~1.0.0', outputSchema: { type: 'string' } },
      builtin,
    );
    expect(other.warnings).toEqual([]);
    expect(other.tool.outputSchema).toEqual({ type: 'string' });
    expect(other.tool).not.toHaveProperty('inputSchema');
    expect(other.decision).toContain('declared output_schema enforced (differs from the definition)');
  });

  it('an unknown tool and an invalid range are typed errors', async () => {
    expect((await codeOf(resolveTool({ name: 'web_serch' }, builtin))).code).toBe('RESOLVE_TOOL_UNKNOWN');
    expect((await codeOf(resolveTool({ name: 'web_search', version: 'banana' }, builtin))).code).toBe(
      'RESOLVE_TOOL_CONSTRAINT',
    );
  });

  it('property: the pick satisfies the range and no offered version above it does', async () => {
    const versions = ['0.1.0', '0.9.9', '1.0.0', '1.0.5', '1.2.0', '1.2.3', '1.10.0', '2.0.0', '2.3.1', '3.0.0-rc.1'];
    const source: ToolSource = {
      id: 'mem',
      listVersions: () => versions,
      getDefinition: (name, version) => ({ name, version, description: 'x', inputSchema: { type: 'object' } }),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('^', '~', '>=', '<', ''),
        fc.constantFrom(...versions.slice(0, 9)),
        async (op, v) => {
          const range = `${op}${v}`;
          const expected = semver.maxSatisfying(versions, range);
          if (expected === null) return;
          const got = (await resolveTool({ name: 't', version: range }, [source])).tool.version;
          expect(semver.satisfies(got, range)).toBe(true);
          expect(versions.filter((x) => semver.satisfies(x, range) && semver.gt(x, got))).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('local catalog directories', () => {
  const def = (name: string, version: string, extra: object = {}) =>
    JSON.stringify({ name, version, description: `${name} ${version}`, inputSchema: { type: 'object' }, ...extra });

  it('adds tools and versions, and wins a tie with the built-in catalog', async () => {
    const dir = writeTree(makeTempDir(), {
      'jira/1.0.0.json': def('jira', '1.0.0'),
      'jira/1.4.2.json': def('jira', '1.4.2'),
      'jira/README.md': 'ignored',
      'web_search/1.2.3.json': def('web_search', '1.2.3', { description: 'local override' }),
      'web_search/1.2.9.json': def('web_search', '1.2.9'),
    });
    const sources = [createLocalCatalogSource(dir), createBuiltinToolSource()];
    const jira = await resolveTool({ name: 'jira', version: '^1.0.0' }, sources);
    expect(jira.tool).toMatchObject({ version: '1.4.2', source: `catalog:${dir}` });
    expect((await resolveTool({ name: 'web_search', version: '^1.2.0' }, sources)).tool).toMatchObject({
      version: '1.2.9',
      source: `catalog:${dir}`,
    });
    const tie = await resolveTool({ name: 'web_search', version: '1.2.3' }, sources);
    expect(tie.definition.description).toBe('local override');
    // Versions from every source are merged when listing what exists.
    const e = await codeOf(resolveTool({ name: 'web_search', version: '^5' }, sources));
    expect(e.details.available).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.2.3', '1.2.9', '2.0.0-beta.1']);
  });

  it('rejects a malformed definition file with the file and the problem', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'jira/1.0.0.json': def('jira', '9.9.9') });
    const e = await codeOf(resolveTool({ name: 'jira' }, [createLocalCatalogSource(dir)]));
    expect(e.code).toBe('RESOLVE_CATALOG_INVALID');
    expect(e.message).toContain('"version" must be "1.0.0"');
    writeFileSync(`${dir}/jira/1.0.0.json`, '{ nope');
    expect((await codeOf(resolveTool({ name: 'jira' }, [createLocalCatalogSource(dir)]))).code).toBe(
      'RESOLVE_CATALOG_INVALID',
    );
  });

  it('a missing catalog directory is an error naming it', () => {
    expect(() => createLocalCatalogSource('/nonexistent/catalog')).toThrowError(
      /\/nonexistent\/catalog cannot be read/,
    );
  });
});
