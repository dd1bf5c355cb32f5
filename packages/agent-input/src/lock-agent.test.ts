import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_AGENT, demoAgentDir, makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { LockError, parseLock, readLockFile } from '@agentlang/lock';
import type { ProbeExecutor, ProbeRequest } from '@agentlang/resolver';
import { lockAgent } from './index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const fromResolver = createRequire(join(repo, 'packages/resolver/package.json'));
const everything = join(
  dirname(fromResolver.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

const errorOf = (fn: () => Promise<unknown>): Promise<LockError> => rejectedWith(LockError, fn);

describe('lockAgent (real loader, real resolver)', () => {
  it("locks seed 000's demo.agent next to it, byte-identically on every run, and catches an edit when frozen", async () => {
    const dir = demoAgentDir();
    const agent = join(dir, 'demo.agent');
    const first = await lockAgent(agent, { env: { PATH: process.env.PATH } });
    expect(first.lockPath).toBe(join(dir, 'demo.agent.lock'));
    const bytes = readFileSync(first.lockPath);
    const lock = parseLock(bytes);
    expect(lock.manifest).toMatchObject({ path: 'demo.agent', name: 'demo', version: '0.1.0' });
    expect(lock.manifest.hash).toMatch(/^ag1:[0-9a-f]{64}$/);
    expect(lock.resolved).toMatchObject({
      runtime: 'test-echo',
      model: 'test-echo/demo',
      auth_source: 'local socket',
      tools: [],
    });
    expect(Object.keys(lock.files)).toEqual(['manifest']);
    await lockAgent(agent, { env: { PATH: process.env.PATH } });
    expect(readFileSync(first.lockPath).equals(bytes)).toBe(true);

    writeFileSync(agent, DEMO_AGENT.replace('End-to-end', 'Edited'));
    const drift = await errorOf(() =>
      lockAgent(agent, { env: { PATH: process.env.PATH, CI: 'true' }, agentPath: 'demo.agent' }),
    );
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
    expect(lock.resolved.tools.find((t) => t.name === 'web_search')).toMatchObject({
      constraint: '^1.2.0',
      source: 'builtin',
    });
    expect(lock.resolved.agents.map((a) => a.name)).toEqual(['academic-researcher', 'market-analyst']);
    expect(lock.resolved.models['claude-sonnet-4']).toMatchObject({ provider: 'anthropic', known: true });
    expect(Object.keys(lock.files)).toEqual(
      expect.arrayContaining(['manifest', 'prompt', 'ux', 'skill:test-helper', 'agent:academic-researcher']),
    );
    expect(lock.resolved.system_prompts).toEqual({
      markdown: expect.stringMatching(/^sha256:/),
      xml: expect.stringMatching(/^sha256:/),
    });
    expect(lock.resolved.system_prompt_sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The compiled prompt never appears in the lock, only its digest.
    expect(readFileSync(result.lockPath, 'utf8')).not.toContain('genuinely trying to discover');

    // Editing a sub-agent or the prompt drifts the lock.
    writeFileSync(join(dir, 'prompt.yaml'), `${readFileSync(join(dir, 'prompt.yaml'), 'utf8')}\n# edited\n`);
    const drift = await errorOf(() => lockAgent(dir, { env: { PATH: process.env.PATH }, frozen: true }));
    expect(
      (drift.details!.drifts as Array<{ kind: string; subject: string }>).some(
        (d) => d.kind === 'file' && d.subject === 'prompt',
      ),
    ).toBe(true);
  });

  it('a lock made with --catalog DIR survives moving the project: no absolute path in what is compared', async () => {
    const parent = makeTempDir();
    const project = join(parent, 'project');
    const tool = {
      name: 'summarize',
      version: '1.4.0',
      description: 'summarize text',
      inputSchema: { type: 'object' },
    };
    writeTree(project, {
      'agent.yaml':
        'name: cat-agent\nversion: 1.0.0\nruntime: test-echo\ntools:\n  - name: summarize\n    version: "^1.0.0"\n',
      'tools/summarize/1.4.0.json': JSON.stringify(tool),
    });
    const env = { PATH: process.env.PATH };
    const first = await lockAgent(project, { env, resolve: { toolCatalogs: [join(project, 'tools')] } });
    const bytes = readFileSync(first.lockPath);
    expect(first.lock.resolved.tools[0]).toMatchObject({
      name: 'summarize',
      version: '1.4.0',
      source: 'catalog:tools',
    });
    expect(bytes.toString()).not.toContain(parent);
    const moved = join(parent, 'moved');
    renameSync(project, moved);
    const again = await lockAgent(moved, { env, frozen: true, resolve: { toolCatalogs: [join(moved, 'tools')] } });
    expect(again).toMatchObject({ written: false, drifts: [] });
    expect(readFileSync(join(moved, 'agent.lock')).equals(bytes)).toBe(true);
  });

  it('without a probe executor nothing runs: MCP servers are pinned unprobed (the sandboxed real probe is tested in @agentlang/runner)', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': `name: mcp-agent\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\nmcp_servers:\n  everything:\n    command: ${process.execPath}\n    args: ["${everything}"]\n    env:\n      API_TOKEN: "{{.env.API_TOKEN}}"\n`,
    });
    const secret = 'tok-6c1f0e7d-do-not-record';
    const result = await lockAgent(dir, { env: { PATH: process.env.PATH, API_TOKEN: secret } });
    const server = result.lock.resolved.mcp_servers[0]!;
    expect(server).toMatchObject({
      name: 'everything',
      env_keys: ['API_TOKEN'],
      server: { name: '', version: '' },
      tools: [],
    });
    expect(result.plan.warnings).toContain(
      'MCP server everything not probed (no probe executor: resolving runs nothing); its tools are not checked',
    );
    expect(JSON.stringify(result.lock)).not.toContain(secret);
  });

  it('frozen: a missing or drifted lock is refused before the executor starts any dependency check or MCP server (issue 9 item 2)', async () => {
    const calls: ProbeRequest[] = [];
    // Records every request; a frozen lock that does not hold must never reach it.
    const spy: ProbeExecutor = {
      name: 'spy',
      async start(request) {
        calls.push(request);
        throw new Error(`spawned ${request.label}`);
      },
    };
    const yaml = (model: string) =>
      `name: gated\nversion: 1.0.0\nmodels:\n  ${model}: {}\ndependencies:\n  - name: marker\n    check: touch /tmp/never\nmcp_servers:\n  everything:\n    command: ${process.execPath}\n    args: ["${everything}"]\n`;
    const dir = writeTree(makeTempDir(), { 'agent.yaml': yaml('test-echo/demo') });
    const missing = await errorOf(() =>
      lockAgent(dir, { env: { PATH: process.env.PATH }, frozen: true, resolve: { probeExecutor: spy } }),
    );
    expect(missing.code).toBe('LOCK_NOT_FOUND');
    expect(calls).toEqual([]);
    await lockAgent(dir, { env: { PATH: process.env.PATH } });
    writeFileSync(join(dir, 'agent.yaml'), yaml('test-echo/other'));
    const drift = await errorOf(() =>
      lockAgent(dir, { env: { PATH: process.env.PATH, CI: 'true' }, resolve: { probeExecutor: spy } }),
    );
    expect(drift.code).toBe('LOCK_DRIFT');
    expect(calls).toEqual([]);
  });
});
