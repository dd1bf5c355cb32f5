import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HARNESS_VERSION } from '@agentlang/harness/version';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { sha256 } from './canonical.js';
import { ResolveError } from './errors.js';
import { formatPlanText } from './format.js';
import { resolvePlan } from './resolve.js';
import { compileSystemPrompt } from './system-prompt.js';
import { createHostTestExecutor } from './testing/host-executor.js';
import { demoAgent, makeAgent } from './testing/make-agent.js';
import type { ProbeRequest } from './probe-executor.js';

/** Protocol tests run the server on the host (the sandboxed executor is @agentlang/runner's, tested there). */
const probeExecutor = createHostTestExecutor();

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

function binDir(...names: string[]): string {
  const dir = makeTempDir();
  for (const n of names) {
    writeTree(dir, { [n]: '#!/bin/sh\nexit 0\n' });
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

const fail = (p: Promise<unknown>): Promise<ResolveError> => rejectedWith(ResolveError, p);

describe('resolvePlan: the seed 000 demo', () => {
  it('prints exactly the seed lines', async () => {
    const plan = await resolvePlan(demoAgent());
    expect(formatPlanText(plan)).toBe(
      ['  Runtime:  test-echo', '  Model:    test-echo/demo', '  Auth:     local socket', '  Tools:    none'].join(
        '\n',
      ),
    );
    expect(plan).toMatchObject({
      schema: 'agentlang.plan/v1',
      agent: { name: 'demo', version: '0.1.0', dialect: 'agentspec' },
      runtime: { name: 'test-echo', binary: 'echo', available: true },
      model: 'test-echo/demo',
      authSource: 'local socket',
      tools: [],
      missing: [],
      warnings: [],
      promptTarget: 'markdown',
      trust: { filesystem: 'none', network: 'none', exec: 'full' },
    });
    expect(plan.host.os).toBe(process.platform);
    expect(plan.runtime.path).toMatch(/\/echo$/);
  });

  it('holds the sha256 of the compiled prompt from behavior.persona, never the text', async () => {
    const agent = demoAgent();
    const plan = await resolvePlan(agent);
    expect(compileSystemPrompt(agent)).toBe('## persona\nYou are a demo agent.\n');
    expect(plan.systemPromptSha256).toBe(sha256('## persona\nYou are a demo agent.\n'));
    expect(JSON.stringify(plan)).not.toContain('## persona');
  });

  it('reports a missing echo binary at resolve time (and fails under strict)', async () => {
    const env = { PATH: '/nonexistent' };
    const plan = await resolvePlan(demoAgent(), { env });
    expect(plan.runtime.available).toBe(false);
    expect(plan.missing).toEqual([
      'runtime binary `echo` (test-echo) not found on PATH; install it or choose another runtime with --runtime',
    ]);
    expect(formatPlanText(plan)).toContain('\n  Missing:  runtime binary `echo`');
    expect((await fail(resolvePlan(demoAgent(), { env, strict: true }))).code).toBe('RESOLVE_MISSING');
  });

  it('explains every decision under verbose', async () => {
    const text = formatPlanText(await resolvePlan(demoAgent()), { verbose: true });
    expect(text).toContain('  Decision: runtime test-echo: declared by the manifest\'s "runtime"');
    expect(text).toContain('  Decision: auth: test-echo needs no credentials');
    expect(text).toContain('  Decision: system prompt: compiled to markdown, sha256:');
  });
});

describe('resolvePlan: a research assistant', () => {
  const secretKey = 'sk-ant-api03-NEVER-PRINT-ME';
  const stripeKey = 'rk_live_ALSO-NEVER-PRINTED';

  function research() {
    const dir = makeTempDir();
    writeTree(dir, {
      'catalog/citations/0.3.0.json': JSON.stringify({
        name: 'citations',
        version: '0.3.0',
        description: 'Format citations',
        inputSchema: { type: 'object' },
      }),
    });
    return {
      dir,
      agent: makeAgent(
        {
          name: 'research-assistant',
          version: '1.0.0',
          models: [{ id: 'claude-sonnet-4', provider: 'anthropic', options: { temperature: 0.7 } }],
          tools: [
            { name: 'web_search', version: '^1.2.0' },
            { name: 'web_fetch', version: '~1.0.0' },
            { name: 'artifacts' },
            { name: 'citations' },
          ],
          mcpServers: [
            {
              name: 'Everything',
              command: process.execPath,
              args: [everything, 'stdio'],
              env: { STRIPE_SECRET_KEY: '{{.env.STRIPE_SECRET_KEY}}' },
              tools: ['echo', 'get-sum'],
            },
          ],
          dependencies: [
            {
              name: 'trivy',
              check: 'agentlang-no-such-trivy --version',
              install: { linux: 'apt-get install -y trivy', darwin: 'brew install trivy' },
            },
          ],
          permissions: { required: ['network', 'storage'], optional: ['microphone'], settings: {} },
        },
        {
          source: { kind: 'directory', root: dir, entry: 'agent.yaml' },
          prompt: {
            path: 'prompt.yaml',
            document: { version: 2, sections: [{ name: 'mindset', content: 'PROPRIETARY persona text' }] },
          },
        },
      ),
    };
  }

  it('resolves tools, model, runtime, auth by name, MCP, dependencies, permissions; no secret anywhere', async () => {
    const { agent } = research();
    const logs: string[] = [];
    const env = {
      PATH: `${binDir('claude')}:${process.env.PATH}`,
      ANTHROPIC_API_KEY: secretKey,
      STRIPE_SECRET_KEY: stripeKey,
    };
    const plan = await resolvePlan(agent, { env, toolCatalogs: ['catalog'], hostProfile: 'docker', probeExecutor });
    logs.push(formatPlanText(plan, { verbose: true }));
    // An AgentLang agent that names no runtime runs on the built-in harness, even with `claude` installed.
    expect(plan.runtime).toEqual({ name: 'harness', binary: '', available: true, version: HARNESS_VERSION });
    expect(plan.model).toBe('claude-sonnet-4');
    expect(plan.authSource).toBe('env:ANTHROPIC_API_KEY');
    expect(plan.promptTarget).toBe('markdown');
    expect(compileSystemPrompt(agent, 'xml')).toBe('<mindset>\nPROPRIETARY persona text\n</mindset>\n');
    expect(plan.systemPromptSha256).toBe(sha256(compileSystemPrompt(agent, 'markdown')));
    expect(plan.systemPromptDigests?.xml).toBe(sha256(compileSystemPrompt(agent, 'xml')));
    expect(plan.tools.map((t) => `${t.name}@${t.version} ${t.source === 'builtin' ? 'builtin' : 'catalog'}`)).toEqual([
      'web_search@1.2.3 builtin',
      'web_fetch@1.0.2 builtin',
      'artifacts@2.0.0 builtin',
      'citations@0.3.0 catalog',
    ]);
    expect(plan.models['claude-sonnet-4']).toMatchObject({ contextWindow: 200_000, supportsTools: true, known: true });
    expect(plan.mcpServers[0]).toMatchObject({
      name: 'Everything',
      envKeys: ['STRIPE_SECRET_KEY'],
      server: { name: 'mcp-servers/everything' },
    });
    expect(plan.mcpServers[0]!.tools.map((t) => t.name)).toEqual(['echo', 'get-sum']);
    expect(plan.dependencies).toEqual([
      {
        name: 'trivy',
        present: false,
        checked: true,
        install: process.platform === 'darwin' ? 'brew install trivy' : 'apt-get install -y trivy',
      },
    ]);
    expect(
      plan.missing.some((m) =>
        m.startsWith('dependency trivy: `agentlang-no-such-trivy --version` failed; install with:'),
      ),
    ).toBe(true);
    expect(plan.permissions).toMatchObject({
      host: 'docker',
      granted: ['network', 'storage'],
      degraded: ['microphone'],
    });
    const text = formatPlanText(plan);
    expect(text).toContain('  Runtime:  harness (built in)\n');
    expect(text).toContain('  Tools:    web_search@1.2.3, web_fetch@1.0.2, artifacts@2.0.0, citations@0.3.0');
    expect(text).toContain('  MCP:      Everything (2 tools)');
    expect(plan.environment).toEqual([
      { name: 'ANTHROPIC_API_KEY', uses: ['runtime harness credential'], template: false },
      { name: 'STRIPE_SECRET_KEY', uses: ['mcp_servers.Everything.env.STRIPE_SECRET_KEY'], template: true },
    ]);
    expect(text).toContain(
      '  Env:      ANTHROPIC_API_KEY (runtime harness credential), STRIPE_SECRET_KEY (mcp_servers.Everything.env.STRIPE_SECRET_KEY)',
    );
    expect(text).toContain('  Warning:  optional capability microphone unavailable');
    for (const out of [JSON.stringify(plan), ...logs]) {
      expect(out).not.toContain(secretKey);
      expect(out).not.toContain(stripeKey);
      expect(out).not.toContain('PROPRIETARY');
    }
  });

  it('unknown model: a warning, or RESOLVE_MODEL_UNKNOWN under strict', async () => {
    const agent = makeAgent({ name: 'x', version: '1.0.0', runtime: 'test-echo', models: [{ id: 'acme-omni-9' }] });
    const plan = await resolvePlan(agent);
    expect(plan.warnings).toEqual(['model acme-omni-9 is in no model catalog; its capabilities are unknown']);
    expect(formatPlanText(plan)).toContain('  Warning:  model acme-omni-9 is in no model catalog');
    expect((await fail(resolvePlan(agent, { strict: true }))).code).toBe('RESOLVE_MODEL_UNKNOWN');
    const extended = await resolvePlan(agent, {
      strict: true,
      modelCatalog: { 'acme-omni-9': { provider: 'acme', contextWindow: 1000 } },
    });
    expect(extended.models['acme-omni-9']).toEqual({ provider: 'acme', contextWindow: 1000, known: true });
    const file = writeTree(makeTempDir(), {
      'models.json': JSON.stringify({
        schema: 'agentlang.models/v1',
        models: { 'acme-omni-9': { context_window: 5 } },
      }),
    });
    const fromEnv = await resolvePlan(agent, {
      strict: true,
      env: { ...process.env, AGENTLANG_MODELS: `${file}/models.json` },
    });
    expect(fromEnv.models['acme-omni-9']).toMatchObject({ contextWindow: 5, known: true });
  });

  it('a required capability the host lacks stops resolve', async () => {
    const agent = makeAgent({
      name: 'x',
      version: '1.0.0',
      runtime: 'test-echo',
      permissions: { required: ['camera'], optional: [], settings: {} },
    });
    expect((await fail(resolvePlan(agent, { hostProfile: 'claude-desktop' }))).code).toBe('RESOLVE_PERMISSION_DENIED');
  });

  it('a failure elsewhere does not return before the MCP server is stopped', async () => {
    const { descendants } = await import('./testing/process-tree.js');
    const { agent } = research();
    agent.manifest.tools.push({ name: 'no_such_tool' });
    const e = await fail(
      resolvePlan(agent, {
        toolCatalogs: ['catalog'],
        probeExecutor,
        env: { PATH: process.env.PATH, STRIPE_SECRET_KEY: stripeKey },
      }),
    );
    expect(e.code).toBe('RESOLVE_TOOL_UNKNOWN');
    // Had resolvePlan returned early, the server would be starting up right now.
    await new Promise((r) => setTimeout(r, 150));
    const { readFileSync } = await import('node:fs');
    const servers = descendants(process.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('server-everything');
      } catch {
        return false;
      }
    });
    expect(servers).toEqual([]);
  });

  it('source precedence: local catalogs, then toolSources (a registry), then built-ins', async () => {
    const registry = {
      id: 'registry:https://tools.example',
      listVersions: (name: string) =>
        name === 'web_search' ? ['1.2.3', '1.2.4'] : name === 'citations' ? ['0.3.0'] : [],
      getDefinition: (name: string, version: string) => ({
        name,
        version,
        description: `registry ${name}`,
        inputSchema: { type: 'object' },
      }),
    };
    const { agent } = research();
    agent.manifest.mcpServers = [];
    agent.manifest.dependencies = [];
    const plan = await resolvePlan(agent, {
      toolCatalogs: ['catalog'],
      toolSources: [registry],
      env: { PATH: process.env.PATH },
    });
    const by = Object.fromEntries(plan.tools.map((t) => [t.name, `${t.version} ${t.source.split(':')[0]}`]));
    expect(by).toEqual({
      web_search: '1.2.4 registry',
      web_fetch: '1.0.2 builtin',
      artifacts: '2.0.0 builtin',
      citations: '0.3.0 catalog',
    });
    agent.manifest.tools[0]!.version = '1.2.3';
    const tie = await resolvePlan(agent, {
      toolCatalogs: ['catalog'],
      toolSources: [registry],
      env: { PATH: process.env.PATH },
    });
    expect(tie.tools[0]!.source).toBe('registry:https://tools.example');
  });

  it('probeMcp: false records servers unprobed with a warning', async () => {
    const { agent } = research();
    const plan = await resolvePlan(agent, {
      probeMcp: false,
      probeExecutor,
      toolCatalogs: ['catalog'],
      env: { PATH: process.env.PATH },
    });
    expect(plan.mcpServers[0]!.tools).toEqual([]);
    expect(plan.warnings).toContain('MCP server Everything not probed (probing disabled); its tools are not checked');
  });
});

describe('resolvePlan: resolving is inspection (issue 9 item 2)', () => {
  it('without a probe executor nothing is spawned: checks are "not run", MCP servers unprobed', async () => {
    const dir = makeTempDir();
    const marker = join(dir, 'host-marker');
    const agent = makeAgent(
      {
        name: 'inspect',
        version: '1.0.0',
        runtime: 'test-echo',
        dependencies: [{ name: 'evil', check: `touch ${marker}`, install: {} }],
        mcpServers: [{ name: 'evil', command: '/bin/sh', args: ['-c', `touch ${marker}`], env: {} }],
      },
      { source: { kind: 'directory', root: dir, entry: 'agent.yaml' } },
    );
    const plan = await resolvePlan(agent);
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
    expect(plan.dependencies).toEqual([{ name: 'evil', present: false, checked: false }]);
    expect(plan.missing).toEqual([]);
    expect(plan.warnings).toContain(
      `dependency evil: \`touch ${marker}\` not run (no probe executor: resolving runs nothing)`,
    );
    expect(plan.warnings).toContain(
      'MCP server evil not probed (no probe executor: resolving runs nothing); its tools are not checked',
    );
  });

  it('hands every check and server to the executor with the agent (for its policy) and no caller environment', async () => {
    const calls: ProbeRequest[] = [];
    const agent = makeAgent(
      {
        name: 'handed',
        version: '1.0.0',
        runtime: 'test-echo',
        permissions: { required: ['shell'], optional: [], settings: {} },
        dependencies: [{ name: 'sh', check: 'exit 0', install: {} }],
        mcpServers: [
          {
            name: 'Everything',
            command: process.execPath,
            args: [everything, 'stdio'],
            env: { TOKEN: '{{.env.MY_TOKEN}}', MODE: 'plain' },
          },
        ],
      },
      { source: { kind: 'directory', root: makeTempDir(), entry: 'agent.yaml' } },
    );
    const plan = await resolvePlan(agent, {
      probeExecutor: createHostTestExecutor({ calls }),
      env: { PATH: process.env.PATH, MY_TOKEN: 'sk-handed-SECRET', OTHER_SECRET: 'nope' },
    });
    expect(plan.dependencies).toEqual([{ name: 'sh', present: true, checked: true }]);
    const check = calls.find((c) => c.kind === 'dependency-check')!;
    expect(check).toMatchObject({
      argv: ['/bin/sh', '-c', 'exit 0'],
      env: {},
      secrets: {},
      stdio: 'ignore',
      agent: { name: 'handed', permissions: { required: ['shell'], optional: [] } },
    });
    const server = calls.find((c) => c.kind === 'mcp-server')!;
    expect(server).toMatchObject({
      argv: [process.execPath, everything, 'stdio'],
      env: { MODE: 'plain' },
      secrets: { TOKEN: 'sk-handed-SECRET' },
      stdio: 'pipe',
    });
    expect(JSON.stringify(calls)).not.toContain('OTHER_SECRET');
  });

  it('beforeProbe sees the plan before anything spawns, and throwing there spawns nothing', async () => {
    const calls: ProbeRequest[] = [];
    const agent = makeAgent({
      name: 'gate',
      version: '1.0.0',
      runtime: 'test-echo',
      dependencies: [{ name: 'x', check: 'exit 0', install: {} }],
    });
    const e = await rejectedWith(
      Error,
      resolvePlan(agent, {
        probeExecutor: createHostTestExecutor({ calls }),
        beforeProbe: (p) => {
          expect(p.dependencies).toEqual([{ name: 'x', present: false, checked: false }]);
          throw new Error('drifted');
        },
      }),
    );
    expect(e.message).toBe('drifted');
    expect(calls).toEqual([]);
  });
});

describe('resolvePlan: environment templates (issue 9 item 7)', () => {
  const withServer = (kind: 'directory' | 'memory', args: string[] = [everything, 'stdio']) =>
    makeAgent(
      {
        name: 'envy',
        version: '1.0.0',
        runtime: 'test-echo',
        mcpServers: [{ name: 'Everything', command: process.execPath, args, env: { TOKEN: '{{.env.HOST_SECRET}}' } }],
      },
      kind === 'directory' ? { source: { kind: 'directory', root: makeTempDir(), entry: 'agent.yaml' } } : {},
    );
  const env = { PATH: process.env.PATH, HOST_SECRET: 'sk-consent-VALUE' };

  it('a packed (not working-tree) agent needs --allow-env consent before a template variable is passed; nothing spawns without it', async () => {
    const calls: ProbeRequest[] = [];
    const e = await fail(resolvePlan(withServer('memory'), { env, probeExecutor: createHostTestExecutor({ calls }) }));
    expect(e.code).toBe('RESOLVE_ENV_CONSENT');
    expect(e.message).toContain('HOST_SECRET (mcp_servers.Everything.env.TOKEN)');
    expect(e.message).toContain('--allow-env HOST_SECRET');
    expect(e.message).not.toContain('sk-consent-VALUE');
    expect(calls).toEqual([]);
    const ok = await resolvePlan(withServer('memory'), {
      env,
      probeExecutor: createHostTestExecutor({ calls }),
      allowEnv: ['HOST_SECRET'],
    });
    expect(ok.mcpServers[0]!.tools.length).toBeGreaterThan(0);
    expect(calls[0]!.secrets).toEqual({ TOKEN: 'sk-consent-VALUE' });
    // Without probing nothing is passed, so nothing needs consent: the names are still shown.
    const inspected = await resolvePlan(withServer('memory'), { env });
    expect(inspected.environment).toEqual([
      { name: 'HOST_SECRET', uses: ['mcp_servers.Everything.env.TOKEN'], template: true },
    ]);
  });

  it('lists HTTP tool templates too (read by the runtime), without asking consent to probe MCP servers for them', async () => {
    const agent = withServer('memory');
    agent.manifest.httpTools = [
      { name: 'crm', endpoint: 'https://crm.example/{{.env.CRM_TENANT}}/api', method: 'GET', flags: {}, params: {} },
    ];
    const plan = await resolvePlan(agent, { env, probeExecutor, allowEnv: ['HOST_SECRET'] });
    expect(plan.environment).toEqual([
      { name: 'CRM_TENANT', uses: ['http_tools.crm.endpoint'], template: true },
      { name: 'HOST_SECRET', uses: ['mcp_servers.Everything.env.TOKEN'], template: true },
    ]);
  });

  it('a working-tree agent needs no consent', async () => {
    const plan = await resolvePlan(withServer('directory'), { env, probeExecutor });
    expect(plan.environment!.map((e) => e.name)).toEqual(['HOST_SECRET']);
  });

  it('{{.env.X}} in MCP args is refused for every server, probed or not', async () => {
    const e = await fail(resolvePlan(withServer('directory', [everything, '--key={{.env.HOST_SECRET}}']), { env }));
    expect(e.code).toBe('RESOLVE_MCP_ARGV_TEMPLATE');
  });
});
