import { describe, expect, it } from 'vitest';
import { ManifestError } from './errors.js';
import { loadAgentFromFiles } from './load.js';

// AgentLang extension: `approval:` on entries of tools, http_tools and bash_tools (seed 003 marks
// only delegations, `delegate.permissions`, with the same three values).
const files = (yaml: string) => ({ 'agent.yaml': new TextEncoder().encode(yaml) });
const AGENT = `name: marked
version: 1.0.0
tools:
  - name: storage
    approval: session
  - name: web_fetch
http_tools:
  delete_post:
    endpoint: /posts/{id}
    method: DELETE
    approval: always
  create_post:
    endpoint: /posts
    method: POST
    approval: always_ask
bash_tools:
  git:
    command: git
    approval: always_ask
`;

describe('tool approval marks', () => {
  it('are read on tools, http_tools and bash_tools entries; absent stays absent and is not an http flag', async () => {
    const { manifest } = await loadAgentFromFiles(files(AGENT));
    expect(manifest.tools.map((t) => [t.name, t.approval])).toEqual([
      ['storage', 'session'],
      ['web_fetch', undefined],
    ]);
    expect(manifest.httpTools.map((t) => [t.name, t.approval, t.flags])).toEqual([
      ['delete_post', 'always', {}],
      ['create_post', 'always_ask', {}],
    ]);
    expect(manifest.bashTools.map((t) => [t.name, t.approval])).toEqual([['git', 'always_ask']]);
  });

  it.each([
    ['tools', 'tools:\n  - name: storage\n    approval: never\n', ['tools', 0, 'approval']],
    [
      'http_tools',
      'http_tools:\n  t:\n    endpoint: /x\n    method: GET\n    approval: ask\n',
      ['http_tools', 't', 'approval'],
    ],
    ['bash_tools', 'bash_tools:\n  g:\n    command: git\n    approval: true\n', ['bash_tools', 'g', 'approval']],
  ])('a bad value on %s is a schema error that names the field and the allowed values', async (_kind, body, path) => {
    const error = await loadAgentFromFiles(files(`name: bad\nversion: 1.0.0\n${body}`)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifestError);
    const diagnostics = (error as ManifestError).details.diagnostics as Array<{
      code: string;
      path: string;
      expected: string;
    }>;
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'MANIFEST_SCHEMA',
        path: `/${path.join('/')}`,
        expected: 'one of "always", "session", "always_ask"',
      }),
    ]);
    expect((error as ManifestError).message).toContain(`at /${path.join('/')}`);
  });
});
