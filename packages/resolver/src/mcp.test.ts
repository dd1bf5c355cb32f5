import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpServerSpec } from '@agentlang/manifest';
import { makeTempDir, rejectedWith } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { digestJson } from './canonical.js';
import { ResolveError } from './errors.js';
import { importMcpSdk, probeMcpServer } from './mcp.js';
import { createHostTestExecutor } from './testing/host-executor.js';

/** Runs servers on the host: these tests are about the protocol handling; the sandbox is tested in @agentlang/runner. */
const executor = createHostTestExecutor();
const agent = { name: 'probe-test' };

const require = createRequire(import.meta.url);
/** The real @modelcontextprotocol/server-everything from npm, run with node (no npx, no network). */
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);
const paged = join(dirname(fileURLToPath(import.meta.url)), 'testing/paged-server.mjs');
const node = process.execPath;

const spec = (over: Partial<McpServerSpec>): McpServerSpec => ({
  name: 'everything',
  command: node,
  args: [everything, 'stdio'],
  env: {},
  ...over,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const fail = (p: Promise<unknown>): Promise<ResolveError> => rejectedWith(ResolveError, p);

describe('probeMcpServer with @modelcontextprotocol/server-everything', () => {
  it('lists and digests the tools, records server info and protocol, and stops the server', async () => {
    let pid = 0;
    const r = await probeMcpServer(spec({}), { executor, agent, env: process.env, onSpawn: (p) => (pid = p) });
    expect(r.server).toEqual({ name: 'mcp-servers/everything', version: expect.any(String) });
    expect(r.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.clientCapabilities).toEqual({});
    const names = r.tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names).toContain('get-sum');
    expect(names).toEqual([...names].sort());
    for (const t of r.tools) expect(t.schemaDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it('keeps only whitelisted tools', async () => {
    const r = await probeMcpServer(spec({ tools: ['get-sum', 'echo'] }), { executor, agent, env: process.env });
    expect(r.tools.map((t) => t.name)).toEqual(['echo', 'get-sum']);
  });

  it('a whitelisted tool the server lacks is an error naming it and listing what it offers', async () => {
    let pid = 0;
    const e = await fail(
      probeMcpServer(spec({ tools: ['echo', 'list_invoices'] }), {
        executor,
        agent,
        env: process.env,
        onSpawn: (p) => (pid = p),
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_WHITELIST');
    expect(e.message).toContain('"list_invoices"');
    expect(e.message).toMatch(/it offers: .*echo.*get-sum/);
    expect(e.details.lacking).toEqual(['list_invoices']);
    expect(alive(pid)).toBe(false);
  });
});

describe('the MCP SDK is an optional peer dependency', () => {
  it('a module that cannot be found is RESOLVE_MCP_SDK_MISSING naming the server and the fix; other failures pass through', async () => {
    // A real failed resolution (the package does not exist), as when the SDK is not installed.
    const absent = '@modelcontextprotocol/not-installed-here/client/index.js';
    const error = await rejectedWith(
      ResolveError,
      importMcpSdk('files', () => import(absent)),
    );
    expect(error.code).toBe('RESOLVE_MCP_SDK_MISSING');
    expect(error.message).toMatch(
      /^MCP server files must be probed, which needs @modelcontextprotocol\/sdk .*npm install @modelcontextprotocol\/sdk.*probeMcp: false/,
    );
    expect(error.details).toEqual({ server: 'files', package: '@modelcontextprotocol/sdk' });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_MODULE_NOT_FOUND');
    const other = new Error('boom');
    await expect(importMcpSdk('files', () => Promise.reject(other))).rejects.toBe(other);
    expect(await importMcpSdk('files', () => import('@modelcontextprotocol/sdk/client/index.js'))).toHaveProperty(
      'Client',
    );
  });
});

describe('probeMcpServer: pagination, env templates, secrets', () => {
  it('follows nextCursor through every page of tools', async () => {
    const r = await probeMcpServer(spec({ name: 'paged', args: [paged, '7'] }), { executor, agent, env: process.env });
    expect(r.server).toEqual({ name: 'paged-fixture', version: '3.1.4' });
    expect(r.tools.map((t) => t.name)).toEqual(['tool_0', 'tool_1', 'tool_2', 'tool_3', 'tool_4', 'tool_5', 'tool_6']);
    expect(r.tools[3]!.schemaDigest).toBe(
      digestJson({
        name: 'tool_3',
        description: 'Tool number 3',
        inputSchema: { type: 'object', properties: { n: { type: 'integer' } } },
      }),
    );
  });

  it('renders {{.env.X}} into the server environment without recording the value', async () => {
    const secret = 'sk-live-TOPSECRET-4242';
    const hash = createHash('sha256').update(secret).digest('hex');
    const s = spec({ name: 'paged', args: [paged, '2', hash], env: { FIXTURE_TOKEN: '{{ .env.MY_TOKEN }}' } });
    // The fixture exits unless FIXTURE_TOKEN hashes to `hash`: success proves the value was passed.
    const r = await probeMcpServer(s, { executor, agent, env: { ...process.env, MY_TOKEN: secret } });
    expect(r.envKeys).toEqual(['FIXTURE_TOKEN']);
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(JSON.stringify(r)).not.toContain('TOPSECRET');
  });

  it('redacts a rendered secret the server prints when it fails', async () => {
    const secret = 'sk-wrong-VALUE-9999';
    const s = spec({ name: 'paged', args: [paged, '2', '0'.repeat(64)], env: { FIXTURE_TOKEN: '{{.env.MY_TOKEN}}' } });
    const e = await fail(probeMcpServer(s, { executor, agent, env: { ...process.env, MY_TOKEN: secret } }));
    expect(e.code).toBe('RESOLVE_MCP_START');
    expect(e.message).toContain('token mismatch: got ***');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(secret);
  });

  it('a missing env variable is an error naming the variable, and nothing is spawned', async () => {
    let spawned = false;
    const env = { ...process.env };
    delete env.STRIPE_SECRET_KEY;
    const e = await fail(
      probeMcpServer(spec({ name: 'Stripe', env: { STRIPE_SECRET_KEY: '{{.env.STRIPE_SECRET_KEY}}' } }), {
        executor,
        agent,
        env,
        onSpawn: () => (spawned = true),
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_ENV');
    expect(e.message).toContain('STRIPE_SECRET_KEY is not set');
    expect(e.message).toContain('MCP server Stripe');
    expect(spawned).toBe(false);
  });
});

describe('probeMcpServer: secrets never on a command line', () => {
  it('refuses {{.env.X}} in args (and command) before anything is spawned', async () => {
    const calls: unknown[] = [];
    const spy = createHostTestExecutor({ calls: calls as never });
    const e = await fail(
      probeMcpServer(spec({ args: [everything, '--token={{.env.MY_TOKEN}}'] }), {
        executor: spy,
        agent,
        env: { ...process.env, MY_TOKEN: 'sk-argv-NEVER' },
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_ARGV_TEMPLATE');
    expect(e.message).toContain('args[1] uses {{.env.MY_TOKEN}}');
    expect(e.message).toContain('env: { MY_TOKEN: "{{.env.MY_TOKEN}}" }');
    expect(e.message).not.toContain('sk-argv-NEVER');
    expect(calls).toEqual([]);
    const c = await fail(
      probeMcpServer(spec({ command: '{{.env.SERVER_BIN}}' }), {
        executor: spy,
        agent,
        env: { ...process.env, SERVER_BIN: '/bin/true' },
      }),
    );
    expect(c.code).toBe('RESOLVE_MCP_ARGV_TEMPLATE');
    expect(calls).toEqual([]);
  });
});

describe('probeMcpServer: failures leave no process behind', () => {
  it('a command that does not exist', async () => {
    const e = await fail(
      probeMcpServer(spec({ command: 'agentlang-no-such-mcp-server' }), { executor, agent, env: process.env }),
    );
    expect(e.code).toBe('RESOLVE_MCP_START');
    expect(e.message).toContain('`agentlang-no-such-mcp-server` was not found');
  });

  it('a server that exits at once: its stderr is in the message', async () => {
    const e = await fail(
      probeMcpServer(spec({ args: ['-e', 'console.error("boom: bad config"); process.exit(4)'] }), {
        executor,
        agent,
        env: process.env,
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_START');
    expect(e.message).toContain('boom: bad config');
  });

  it('a server that never answers times out and is killed', async () => {
    let pid = 0;
    const e = await fail(
      probeMcpServer(spec({ args: ['-e', 'setInterval(() => {}, 1000)'] }), {
        executor,
        agent,
        env: process.env,
        timeoutMs: 400,
        onSpawn: (p) => (pid = p),
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_TIMEOUT');
    expect(e.message).toContain('within 400 ms');
    expect(e.details.pid).toBe(pid);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it('a server that ignores SIGTERM is SIGKILLed', async () => {
    let pid = 0;
    const e = await fail(
      probeMcpServer(
        spec({ args: ['-e', 'process.on("SIGTERM", () => {}); process.stdin.resume(); setInterval(() => {}, 1000)'] }),
        {
          executor,
          agent,
          env: process.env,
          timeoutMs: 400,
          onSpawn: (p) => (pid = p),
        },
      ),
    );
    expect(e.code).toBe('RESOLVE_MCP_TIMEOUT');
    expect(alive(pid)).toBe(false);
  });

  it('a wrapper that started the real server as a child (like npx): the whole tree is stopped', async () => {
    const pidFile = `${makeTempDir()}/grandchild.pid`;
    const grandchild = `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    let pid = 0;
    const e = await fail(
      probeMcpServer(spec({ command: 'sh', args: ['-c', `${JSON.stringify(node)} -e '${grandchild}' & wait`] }), {
        executor,
        agent,
        env: process.env,
        timeoutMs: 800,
        onSpawn: (p) => (pid = p),
      }),
    );
    expect(e.code).toBe('RESOLVE_MCP_TIMEOUT');
    const gpid = Number(readFileSync(pidFile, 'utf8'));
    expect(gpid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    expect(alive(gpid)).toBe(false);
  });
});
