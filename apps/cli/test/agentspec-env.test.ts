import { rmSync } from 'node:fs';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';

// Issue 14 §2: AGENTSPEC_* variables are honoured as fallbacks for their AGENTLANG_* names.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('AGENTSPEC_* environment fallbacks', () => {
  it('AGENTSPEC_MODELS stands in for AGENTLANG_MODELS, with one notice line on stderr; AGENTLANG_* wins', () => {
    const cwd = makeTempDir('agentlang-agentspec-env-');
    dirs.push(cwd);
    writeTree(cwd, {
      'a.agent':
        'apiVersion: agent/v1\nname: envy\nversion: 0.1.0\nruntime: test-echo\nmodel:\n  preferred:\n    - acme-omni-9\n',
      'models.yaml':
        'schema: agentlang.models/v1\nmodels:\n  acme-omni-9:\n    provider: test-echo\n    context_window: 1000\n',
      'other.yaml': 'schema: agentlang.models/v1\nmodels: {}\n',
    });
    const spec = runCli(['resolve', 'a.agent', '--json', '--no-mcp'], {
      cwd,
      env: { AGENTSPEC_MODELS: 'models.yaml' },
    });
    expect(spec.status).toBe(0);
    expect(JSON.parse(spec.stdout).models['acme-omni-9']).toMatchObject({ known: true, contextWindow: 1000 });
    expect(spec.stderr.trim().split('\n')).toEqual([
      "notice: using AGENTSPEC_MODELS as AGENTLANG_MODELS (AgentSpec's names); set the AGENTLANG_* names to silence this",
    ]);
    const both = runCli(['resolve', 'a.agent', '--json', '--no-mcp'], {
      cwd,
      env: { AGENTSPEC_MODELS: 'models.yaml', AGENTLANG_MODELS: 'other.yaml' },
    });
    expect(JSON.parse(both.stdout).models['acme-omni-9'].known).toBe(false);
    expect(both.stderr).not.toContain('notice:');
  });
});
