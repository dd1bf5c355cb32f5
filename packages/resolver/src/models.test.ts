import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import type { ResolveError } from './errors.js';
import { loadHostProfile } from './host-profiles.js';
import { BUILTIN_MODELS, inferProvider, loadModelCatalog, lookupModel, resolveModels } from './models.js';

describe('models', () => {
  it('knows the catalog models, wildcards and infers providers', () => {
    expect(lookupModel(BUILTIN_MODELS, 'claude-sonnet-4')).toMatchObject({
      provider: 'anthropic',
      contextWindow: 200_000,
      supportsTools: true,
    });
    expect(lookupModel(BUILTIN_MODELS, 'test-echo/demo')?.provider).toBe('test-echo');
    expect(inferProvider('gpt-9-turbo')).toBe('openai');
    expect(inferProvider('acme/model')).toBe('acme');
  });

  it('marks unknown models as unknown, keeping the declared provider', () => {
    const r = resolveModels(
      [
        { id: 'claude-sonnet-4', provider: 'anthropic' },
        { id: 'acme-7b', provider: 'ollama' },
      ],
      BUILTIN_MODELS,
    );
    expect(r.unknown).toEqual(['acme-7b']);
    expect(r.models['acme-7b']).toEqual({ provider: 'ollama', known: false });
    expect(r.models['claude-sonnet-4']!.known).toBe(true);
  });

  it('reads a user model catalog file (YAML, snake_case like the lockfile) and rejects a bad one', () => {
    const dir = writeTree(makeTempDir(), {
      'models.yaml':
        'schema: agentlang.models/v1\nmodels:\n  acme-7b:\n    provider: ollama\n    context_window: 8192\n    supports_tools: false\n',
      'bad.yaml': 'schema: agentlang.models/v1\nmodels:\n  x:\n    context_window: lots\n',
    });
    const extra = loadModelCatalog(`${dir}/models.yaml`);
    expect(resolveModels([{ id: 'acme-7b' }], { ...BUILTIN_MODELS, ...extra }).models['acme-7b']).toEqual({
      provider: 'ollama',
      contextWindow: 8192,
      supportsTools: false,
      known: true,
    });
    expect(() => loadModelCatalog(`${dir}/bad.yaml`)).toThrowError(/models\.x\.context_window must be a number/);
  });

  it('gives the hosted built-in models list prices (USD per million tokens), local ones none, and a host catalog overrides them', () => {
    expect(lookupModel(BUILTIN_MODELS, 'claude-sonnet-4')?.price).toEqual({ inputPerMTok: 3, outputPerMTok: 15 });
    expect(lookupModel(BUILTIN_MODELS, 'openai/gpt-4o-mini')?.price).toEqual({
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
    });
    for (const [id, entry] of Object.entries(BUILTIN_MODELS)) {
      const hosted = entry.provider === 'anthropic' || entry.provider === 'openai' || entry.provider === 'google';
      expect([id, entry.price !== undefined]).toEqual([id, hosted]);
      if (entry.price)
        expect([id, entry.price.outputPerMTok >= entry.price.inputPerMTok && entry.price.inputPerMTok > 0]).toEqual([
          id,
          true,
        ]);
    }
    const dir = writeTree(makeTempDir(), {
      'ours.yaml':
        'schema: agentlang.models/v1\nmodels:\n  claude-sonnet-4:\n    provider: anthropic\n    context_window: 200000\n    input_usd_per_mtok: 2.5\n    output_usd_per_mtok: 12\n',
      'half.yaml': 'schema: agentlang.models/v1\nmodels:\n  x:\n    input_usd_per_mtok: 1\n',
      'negative.yaml':
        'schema: agentlang.models/v1\nmodels:\n  x:\n    input_usd_per_mtok: -1\n    output_usd_per_mtok: 2\n',
    });
    const ours = resolveModels([{ id: 'claude-sonnet-4' }], {
      ...BUILTIN_MODELS,
      ...loadModelCatalog(`${dir}/ours.yaml`),
    });
    expect(ours.models['claude-sonnet-4']?.price).toEqual({ inputPerMTok: 2.5, outputPerMTok: 12 });
    expect(() => loadModelCatalog(`${dir}/half.yaml`)).toThrowError(
      /models\.x needs both input_usd_per_mtok and output_usd_per_mtok/,
    );
    expect(() => loadModelCatalog(`${dir}/negative.yaml`)).toThrowError(/each a number ≥ 0/);
  });

  it('reads catalog and host profile files with the safe YAML reader, keeping their own error codes', () => {
    const dir = writeTree(makeTempDir(), {
      'dup.yaml': 'schema: agentlang.models/v1\nmodels:\n  x: {provider: a}\n  x: {provider: b}\n',
      'proto.yaml': 'schema: agentlang.models/v1\nmodels:\n  __proto__: {provider: a}\n',
      'host.yaml': 'schema: agentlang.host/v1\nname: kiosk\ncapabilities: !!binary aGk=\n',
    });
    const failure = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error as ResolveError;
      }
      throw new Error('expected a failure');
    };
    expect(failure(() => loadModelCatalog(`${dir}/dup.yaml`))).toMatchObject({
      code: 'RESOLVE_CATALOG_INVALID',
      details: { line: 4, column: 3 },
    });
    expect(failure(() => loadModelCatalog(`${dir}/dup.yaml`)).message).toContain(
      `${dir}/dup.yaml:4:3: duplicate key "x"`,
    );
    expect(failure(() => loadModelCatalog(`${dir}/proto.yaml`))).toMatchObject({
      code: 'RESOLVE_CATALOG_INVALID',
      details: { line: 3 },
    });
    expect(failure(() => loadHostProfile(`${dir}/host.yaml`))).toMatchObject({
      code: 'RESOLVE_HOST_PROFILE',
      details: { line: 3 },
    });
  });
});
