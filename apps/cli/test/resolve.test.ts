import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packContainer } from '@agentlang/container';
import { createLock, serializeLock } from '@agentlang/lock';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { DEMO_AGENT, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../../../packages/resolver/package.json'));
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

describe('agentlang resolve', () => {
  it('prints the plan exactly as seed 000 shows', () => {
    const dir = demoAgentDir();
    const r = runCli(['resolve', 'demo.agent'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      '  Runtime:  test-echo\n  Model:    test-echo/demo\n  Auth:     local socket\n  Tools:    none\n',
    );
    expect(r.status).toBe(0);
  });

  it('--json prints the whole plan; --verbose explains decisions', () => {
    const dir = demoAgentDir();
    const r = runCli(['resolve', 'demo.agent', '--json'], { cwd: dir });
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      schema: 'agentlang.plan/v1',
      agent: { name: 'demo', version: '0.1.0' },
      runtime: { name: 'test-echo', binary: 'echo' },
    });
    expect(plan.agent.digest).toMatch(/^ag1:[0-9a-f]{64}$/);
    expect(plan.systemPromptSha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.files.map((f: { path: string }) => f.path)).toContain('demo.agent');
    const v = runCli(['resolve', 'demo.agent', '--verbose'], { cwd: dir });
    // Decisions explain; they go to stderr, as --help says.
    expect(v.stderr).toContain('  Decision: runtime test-echo: binary `echo` found at');
    expect(v.stderr).toContain('  Decision: runtime test-echo: declared by the manifest\'s "runtime"');
    expect(v.stdout).not.toContain('Decision:');
  });

  it('a missing runtime binary is reported at resolve with exit 11', () => {
    const dir = demoAgentDir();
    const r = runCli(['resolve', 'demo.agent'], { cwd: dir, env: { PATH: '/nonexistent' } });
    expect(r.stdout).toContain('  Missing:  runtime binary `echo` (test-echo) not found on PATH');
    expect(r.status).toBe(11);
  });

  it('resolves tools from --catalog, MCP servers, host profiles; never prints a secret', () => {
    const secret = 'sk-ant-api03-CLI-SECRET-0000';
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: researcher',
        'version: 1.0.0',
        'models:',
        '  claude-sonnet-4:',
        '    provider: anthropic',
        'tools:',
        '  - name: web_search',
        '    version: ^1.2.0',
        '  - name: citations',
        'mcp_servers:',
        '  everything:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(everything)}, stdio]`,
        '    env:',
        '      API_TOKEN: "{{.env.ANTHROPIC_API_KEY}}"',
        '    tools: [echo]',
        'permissions:',
        '  required: [network]',
        '  optional: [camera]',
        '',
      ].join('\n'),
      'catalog/citations/0.2.0.json': JSON.stringify({
        name: 'citations',
        version: '0.2.0',
        description: 'c',
        inputSchema: { type: 'object' },
      }),
    });
    const bin = makeTempDir();
    writeTree(bin, { claude: '#!/bin/sh\nexit 0\n' });
    chmodSync(join(bin, 'claude'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}`, ANTHROPIC_API_KEY: secret };
    const r = runCli(['resolve', '.', '--catalog', 'catalog', '--host', 'docker', '--verbose'], { cwd: dir, env });
    // agent.yaml names no runtime: the built-in harness, though `claude` is installed; the host configuration can choose it.
    expect(r.stdout).toContain(
      '  Runtime:  harness (built in)\n  Model:    claude-sonnet-4\n  Auth:     env:ANTHROPIC_API_KEY\n  Tools:    web_search@1.2.3, citations@0.2.0\n',
    );
    const host = runCli(['resolve', '.', '--catalog', 'catalog', '--host', 'docker'], {
      cwd: dir,
      env: { ...env, AGENTLANG_RUNTIME: 'claude-code' },
    });
    expect(host.stdout).toContain('  Runtime:  claude-code\n  Model:    claude-sonnet-4\n');
    expect(r.stdout).toContain('  MCP:      everything (1 tool)');
    expect(r.stdout).toContain('  Degraded: camera');
    expect(r.status).toBe(0);
    const j = runCli(['resolve', '.', '--catalog', 'catalog', '--json'], { cwd: dir, env });
    for (const out of [r.stdout, r.stderr, j.stdout, j.stderr]) expect(out).not.toContain(secret);
    expect(JSON.parse(j.stdout).mcpServers[0].envKeys).toEqual(['API_TOKEN']);
  });

  it('errors carry RESOLVE_ codes and exit 11', () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': 'name: x\nversion: 1.0.0\ntools:\n  - name: web_fetch\n    version: ^7.0.0\n',
    });
    const r = runCli(['resolve', '.'], { cwd: dir });
    expect(r.status).toBe(11);
    expect(r.stderr).toContain(
      'Error: agent.yaml:5:14: tool web_fetch: no version satisfies "^7.0.0"; available: 0.9.0, 1.0.0, 1.0.2',
    );
    const j = runCli(['resolve', '.', '--json', '--host', 'mobile'], { cwd: dir });
    expect(JSON.parse(j.stdout).error.code).toBe('RESOLVE_TOOL_UNSATISFIABLE');
    const h = runCli(['resolve', '.', '--host', 'nowhere'], { cwd: dir });
    expect(h.status).toBe(11);
    expect(h.stderr).toContain('unknown host profile "nowhere"');
  });

  it('--runtime overrides, --strict fails on unknown models, --host takes a custom profile file', () => {
    const dir = writeTree(makeTempDir(), {
      'demo.agent': DEMO_AGENT.replace('test-echo/demo', 'acme-omni-9'),
      'kiosk.yaml': 'schema: agentlang.host/v1\nname: kiosk\ncapabilities: [network]\n',
      'needs-camera.yaml': 'name: cam\nversion: 1.0.0\nruntime: test-echo\npermissions:\n  required: [camera]\n',
    });
    const warn = runCli(['resolve', 'demo.agent'], { cwd: dir });
    expect(warn.status).toBe(0);
    expect(warn.stdout).toContain('  Warning:  model acme-omni-9 is in no model catalog; its capabilities are unknown');
    const strict = runCli(['resolve', 'demo.agent', '--strict', '--json'], { cwd: dir });
    expect(strict.status).toBe(11);
    expect(JSON.parse(strict.stdout).error.code).toBe('RESOLVE_MODEL_UNKNOWN');
    const over = runCli(['resolve', 'demo.agent', '--runtime', 'ollama', '--json'], {
      cwd: dir,
      env: { PATH: `/nonexistent:${process.env.PATH}` },
    });
    expect(JSON.parse(over.stdout).runtime.name).toBe('ollama');
    const unknown = runCli(['resolve', 'demo.agent', '--runtime', 'langgraph'], { cwd: dir });
    expect(unknown.status).toBe(11);
    expect(unknown.stderr).toContain('unknown runtime "langgraph" (from --runtime)');
    const kiosk = runCli(['resolve', 'needs-camera.yaml', '--host', 'kiosk.yaml'], { cwd: dir });
    expect(kiosk.status).toBe(11);
    expect(kiosk.stderr).toContain('kiosk does not offer camera');
    expect(runCli(['resolve', 'needs-camera.yaml', '--host', 'rush-desktop'], { cwd: dir }).status).toBe(0);
  });

  it('resolves a packed .agent container by content, not extension', async () => {
    const dir = writeTree(makeTempDir(), { 'src/demo.agent': DEMO_AGENT });
    const agent = await loadAgent(join(dir, 'src/demo.agent'));
    const lock = serializeLock(createLock(await resolvePlan(agent), { manifestPath: 'demo.agent' }));
    await packContainer({
      agent: { name: 'demo', version: '0.1.0', digest: agent.digest, dialect: 'agentspec' },
      entry: 'demo.agent',
      sources: [{ path: 'demo.agent', bytes: new TextEncoder().encode(DEMO_AGENT) }],
      lock,
      out: join(dir, 'demo@0.1.0.agent'),
    });
    const r = runCli(['resolve', 'demo@0.1.0.agent', '--json'], { cwd: dir });
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout);
    expect(plan.agent).toMatchObject({ name: 'demo', digest: agent.digest });
    expect(plan.runtime.name).toBe('test-echo');
  });
});
