import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_AGENT, demoAgentDir, makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, LockError, lockAgent, parseLock, readLockFile } from './index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const fromResolver = createRequire(join(repo, 'packages/resolver/package.json'));
const everything = join(dirname(fromResolver.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');

const errorOf = (fn: () => Promise<unknown>): Promise<LockError> => rejectedWith(LockError, fn);

describe('lockAgent (real loader, real resolver)', () => {
  it('locks seed 000\'s demo.agent next to it, byte-identically on every run, and catches an edit when frozen', async () => {
    const dir = demoAgentDir();
    const agent = join(dir, 'demo.agent');
    const first = await lockAgent(agent, { env: { PATH: process.env.PATH } });
    expect(first.lockPath).toBe(join(dir, 'demo.agent.lock'));
    const bytes = readFileSync(first.lockPath);
    const lock = parseLock(bytes);
    expect(lock.manifest).toMatchObject({ path: 'demo.agent', name: 'demo', version: '0.1.0' });
    expect(lock.manifest.hash).toMatch(/^ag1:[0-9a-f]{64}$/);
    expect(lock.resolved).toMatchObject({ runtime: 'test-echo', model: 'test-echo/demo', auth_source: 'local socket', tools: [] });
    expect(Object.keys(lock.files)).toEqual(['manifest']);
    await lockAgent(agent, { env: { PATH: process.env.PATH } });
    expect(readFileSync(first.lockPath).equals(bytes)).toBe(true);

    writeFileSync(agent, DEMO_AGENT.replace('End-to-end', 'Edited'));
    const drift = await errorOf(() => lockAgent(agent, { env: { PATH: process.env.PATH, CI: 'true' }, agentPath: 'demo.agent' }));
    expect(drift.code).toBe('LOCK_DRIFT');
    expect(drift.message).toMatch(
      /^manifest hash ag1:[0-9a-f]{64} does not match lock's recorded hash ag1:[0-9a-f]{64}\n {2}Re-run `agentlang lock demo.agent` if the drift is intentional\.$/,
    );
    expect(drift.message).toContain(lock.manifest.hash);
    const kinds = (drift.details!.drifts as Array<{ kind: string }>).map((d) => d.kind);
    expect(kinds).toEqual(['manifest', 'file']);
    expect(readFileSync(first.lockPath).equals(bytes)).toBe(true);
  });

  it('locks a directory agent (seed 003) into <dir>/agent.lock with every source file, sub-agent, tool and model', async () => {
    const dir = makeTempDir();
    cpSync(join(repo, 'examples/research-assistant'), dir, { recursive: true });
    const result = await lockAgent(dir, { env: { PATH: process.env.PATH } });
    expect(result.lockPath).toBe(join(dir, 'agent.lock'));
    const lock = readLockFile(result.lockPath).lock;
    expect(lock.manifest.path).toBe('agent.yaml');
    expect(lock.resolved.tools.map((t) => t.name)).toEqual(['artifacts', 'sqlite', 'web_fetch', 'web_search']);
    for (const t of lock.resolved.tools) expect(t.integrity).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lock.resolved.tools.find((t) => t.name === 'web_search')).toMatchObject({ constraint: '^1.2.0', source: 'builtin' });
    expect(lock.resolved.agents.map((a) => a.name)).toEqual(['academic-researcher', 'market-analyst']);
    expect(lock.resolved.models['claude-sonnet-4']).toMatchObject({ provider: 'anthropic', known: true });
    expect(Object.keys(lock.files)).toEqual(expect.arrayContaining(['manifest', 'prompt', 'ux', 'skill:test-helper', 'agent:academic-researcher']));
    expect(lock.resolved.system_prompts).toEqual({ markdown: expect.stringMatching(/^sha256:/), xml: expect.stringMatching(/^sha256:/) });
    expect(lock.resolved.system_prompt_sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The compiled prompt never appears in the lock, only its digest.
    expect(readFileSync(result.lockPath, 'utf8')).not.toContain('genuinely trying to discover');

    // Editing a sub-agent or the prompt drifts the lock.
    writeFileSync(join(dir, 'prompt.yaml'), `${readFileSync(join(dir, 'prompt.yaml'), 'utf8')}\n# edited\n`);
    const drift = await errorOf(() => lockAgent(dir, { env: { PATH: process.env.PATH }, frozen: true }));
    expect((drift.details!.drifts as Array<{ kind: string; subject: string }>).some((d) => d.kind === 'file' && d.subject === 'prompt')).toBe(true);
  });

  it('a lock made with --catalog DIR survives moving the project: no absolute path in what is compared', async () => {
    const parent = makeTempDir();
    const project = join(parent, 'project');
    const tool = { name: 'summarize', version: '1.4.0', description: 'summarize text', inputSchema: { type: 'object' } };
    writeTree(project, {
      'agent.yaml': 'name: cat-agent\nversion: 1.0.0\nruntime: test-echo\ntools:\n  - name: summarize\n    version: "^1.0.0"\n',
      'tools/summarize/1.4.0.json': JSON.stringify(tool),
    });
    const env = { PATH: process.env.PATH };
    const first = await lockAgent(project, { env, resolve: { toolCatalogs: [join(project, 'tools')] } });
    const bytes = readFileSync(first.lockPath);
    expect(first.lock.resolved.tools[0]).toMatchObject({ name: 'summarize', version: '1.4.0', source: 'catalog:tools' });
    expect(bytes.toString()).not.toContain(parent);
    const moved = join(parent, 'moved');
    renameSync(project, moved);
    const again = await lockAgent(moved, { env, frozen: true, resolve: { toolCatalogs: [join(moved, 'tools')] } });
    expect(again).toMatchObject({ written: false, drifts: [] });
    expect(readFileSync(join(moved, 'agent.lock')).equals(bytes)).toBe(true);
  });

  it('pins a real MCP server (server-everything over stdio): schema digests in the lock, a changed whitelist drifts', async () => {
    const yaml = (tools: string[]) => `name: mcp-agent
version: 1.0.0
models:
  test-echo/demo: {}
mcp_servers:
  everything:
    command: ${process.execPath}
    args: ["${everything}"]
    env:
      API_TOKEN: "{{.env.API_TOKEN}}"
    tools: [${tools.join(', ')}]
`;
    const dir = writeTree(makeTempDir(), { 'agent.yaml': yaml(['echo', 'get-sum']) });
    const keys = generateSigningKeyPair();
    const secret = 'tok-6c1f0e7d-do-not-record';
    const result = await lockAgent(dir, { env: { PATH: process.env.PATH, API_TOKEN: secret }, signingKeys: [keys] });
    expect(result.signed).toBe(true);
    const { lock } = readLockFile(result.lockPath, { publicKeys: [keys.publicKey] });
    const server = lock.resolved.mcp_servers[0]!;
    expect(server.name).toBe('everything');
    expect(server.server.version).not.toBe('');
    expect(server.tools.map((t) => t.name)).toEqual(['echo', 'get-sum']);
    for (const t of server.tools) expect(t.schema_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The template's variable NAME is pinned; its value never reaches the lock.
    expect(server.env_keys).toEqual(['API_TOKEN']);
    expect(JSON.stringify(lock)).not.toContain(secret);

    writeFileSync(join(dir, 'agent.yaml'), yaml(['echo']));
    const drift = await errorOf(() => lockAgent(dir, { env: { PATH: process.env.PATH, API_TOKEN: secret }, frozen: true }));
    expect(drift.details?.drifts).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'mcp-server', subject: 'everything/get-sum', current: null })]),
    );
  }, 120_000);
});
