import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { BUILTIN_MODELS, inferProvider, loadModelCatalog, lookupModel, resolveModels } from './models.js';

describe('models', () => {
  it('knows the catalog models, wildcards and infers providers', () => {
    expect(lookupModel(BUILTIN_MODELS, 'claude-sonnet-4')).toMatchObject({ provider: 'anthropic', contextWindow: 200_000, supportsTools: true });
    expect(lookupModel(BUILTIN_MODELS, 'test-echo/demo')?.provider).toBe('test-echo');
    expect(inferProvider('gpt-9-turbo')).toBe('openai');
    expect(inferProvider('acme/model')).toBe('acme');
  });

  it('marks unknown models as unknown, keeping the declared provider', () => {
    const r = resolveModels([{ id: 'claude-sonnet-4', provider: 'anthropic' }, { id: 'acme-7b', provider: 'ollama' }], BUILTIN_MODELS);
    expect(r.unknown).toEqual(['acme-7b']);
    expect(r.models['acme-7b']).toEqual({ provider: 'ollama', known: false });
    expect(r.models['claude-sonnet-4']!.known).toBe(true);
  });

  it('reads a user model catalog file (YAML, snake_case like the lockfile) and rejects a bad one', () => {
    const dir = writeTree(makeTempDir(), {
      'models.yaml': 'schema: agentlang.models/v1\nmodels:\n  acme-7b:\n    provider: ollama\n    context_window: 8192\n    supports_tools: false\n',
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
});
