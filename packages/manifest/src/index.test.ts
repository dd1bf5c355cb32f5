import { expect, test } from 'vitest';
import * as api from './index.js';

test('the export map is deliberate: adding or removing a runtime export updates this list', () => {
  expect(Object.keys(api).sort()).toEqual([
    'AGENTSPEC_MCP_SERVERS',
    'AGENTSPEC_SKILLS',
    'AGENTSPEC_TRAITS',
    'CAPABILITIES',
    'CAPABILITY_CATEGORIES',
    'DIGEST_PREFIX',
    'ManifestError',
    'ManifestErrorCode',
    'SCAFFOLD_DIALECTS',
    'SCHEMA_KINDS',
    'agentSpecPromptDocument',
    'canonicalJson',
    'computeDigest',
    'formatDiagnostic',
    'formatPosition',
    'getSchema',
    'isManifestError',
    'isPublishableName',
    'loadAgent',
    'loadAgentFromFiles',
    'loadSubAgent',
    'safeLoadAgent',
    'scaffoldAgent',
    'sha256Hex',
    'sha256Tagged',
    'sniffBytes',
    'sniffInput',
    'traitSentence',
  ]);
});

test('every capability has a category and a risk level from the spec table', () => {
  expect(api.CAPABILITY_CATEGORIES.camera).toEqual({ category: 'sensors', risk: 'high' });
  expect(api.CAPABILITY_CATEGORIES.oauth).toEqual({ category: 'identity', risk: 'critical' });
  expect(api.CAPABILITY_CATEGORIES.network).toEqual({ category: 'network', risk: 'low' });
  expect(api.CAPABILITY_CATEGORIES.keychain).toEqual({ category: 'storage', risk: 'medium' });
  expect(api.CAPABILITIES).toHaveLength(17);
});

test('formatDiagnostic prints file:line:column, severity, code, message, path, expected and found', () => {
  expect(
    api.formatDiagnostic({
      severity: 'error',
      code: 'MANIFEST_SCHEMA',
      message: 'expected a string',
      file: 'agent.yaml',
      line: 12,
      column: 5,
      path: '/tools/0/name',
      expected: 'a string',
      found: '42',
    }),
  ).toBe('agent.yaml:12:5: error MANIFEST_SCHEMA expected a string at /tools/0/name (expected a string, found 42)');
});

test('computeDigest is ag1 over canonical JSON of manifest and referenced file digests', () => {
  const manifest = {
    dialect: 'agentlang',
    name: 'x',
    models: [],
    tools: [],
    mcpServers: [],
    httpTools: [],
    bashTools: [],
    dependencies: [],
    uiComponents: [],
    skills: [],
  } as const;
  const files = [{ path: 'prompt.yaml', sha256: `sha256:${'0'.repeat(64)}` }];
  const expected = `ag1:${api.sha256Hex(api.canonicalJson({ format: 'ag1', manifest, files: { 'prompt.yaml': files[0]!.sha256 } }))}`;
  expect(
    api.computeDigest(
      {
        ...manifest,
        models: [],
        tools: [],
        mcpServers: [],
        httpTools: [],
        bashTools: [],
        dependencies: [],
        uiComponents: [],
        skills: [],
      },
      files,
    ),
  ).toBe(expected);
});
