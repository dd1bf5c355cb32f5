// The runtime's own needs, apart from the agent's grants, for real under bubblewrap: an agent with no
// permissions at all (no network, no shell) whose runtime must reach its provider and start a child
// process (as it starts its MCP servers). HTTP servers on 127.0.0.1 play the provider and a
// forbidden host; AGENTLANG_EGRESS_RESOLVE pins their names to 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RuntimeAdapter, type RuntimeNeeds, describeRunSandbox, runPlan } from '@agentlang/runner';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmPlan, sink } from './plan-fixture.js';

interface Site {
  server: Server;
  port: number;
  hits: number;
}

async function site(body: string): Promise<Site> {
  const s: Site = { server: createServer(), port: 0, hits: 0 };
  s.server.on('request', (_req, res) => {
    s.hits++;
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  s.port = (s.server.address() as AddressInfo).port;
  return s;
}

let provider: Site;
let forbidden: Site;
beforeAll(async () => {
  provider = await site('model says hi');
  forbidden = await site('should never be seen');
});
afterAll(async () => {
  for (const s of [provider, forbidden]) await new Promise((resolve) => s.server.close(resolve));
});

/** A runtime that calls its provider through the proxy variables (curl honours them), starts a child process, and tries a forbidden host. */
function probeRuntime(needs: RuntimeNeeds | undefined, seen: { agentShell?: boolean | undefined }): RuntimeAdapter {
  return {
    name: 'probe-llm',
    binary: 'sh',
    description: 'test runtime',
    secretEnv: [],
    versionArgs: null,
    ...(needs ? { needs: () => needs } : {}),
    buildInvocation(input) {
      seen.agentShell = input.agentShell;
      const script = [
        `echo "provider=$(curl -s --max-time 5 http://api.example.test:${provider.port}/v1/messages || echo unreachable)"`,
        `echo "forbidden=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://forbidden.example.test:${forbidden.port}/)"`,
        `echo "direct=$(curl -s --noproxy '*' --max-time 5 http://127.0.0.1:${forbidden.port}/ || echo failed)"`,
        'node -e "process.stdout.write(\'child=started\\n\')" || echo "child=refused"',
      ].join('\n');
      return { argv: ['/bin/sh', '-c', script], env: {}, secrets: {}, files: [] };
    },
  };
}

const env = {
  PATH: process.env.PATH,
  AGENTLANG_EGRESS_RESOLVE: 'api.example.test=127.0.0.1,forbidden.example.test=127.0.0.1',
};
// An AgentLang agent that declares no permissions: network none, exec none for the agent itself.
const plan = () => {
  const p = llmPlan({ name: 'probe-llm', binary: 'sh' }, 'probe-model');
  return { ...p, runtime: { ...p.runtime, path: '/bin/sh' }, mcpServers: [] };
};

describe("the runtime's needs are met apart from the agent's trust (real bwrap)", () => {
  it('an agent without network and shell: its runtime reaches its provider through the proxy and starts processes; nothing else', async () => {
    const seen: { agentShell?: boolean | undefined } = {};
    const adapter = probeRuntime({ hosts: ['api.example.test'], processes: true, notes: [] }, seen);
    const out = sink();
    const result = await runPlan(plan(), {
      cwd: makeTempDir(),
      env,
      stdout: out,
      stderr: out,
      adapters: [adapter],
      timeoutMs: 30_000,
    });
    expect(out.text().trim().split('\n')).toEqual([
      'provider=model says hi',
      'forbidden=403',
      'direct=failed',
      'child=started',
    ]);
    expect(result.exitCode).toBe(0);
    expect(forbidden.hits).toBe(0);
    // The agent's own lack of shell reaches the runtime's configuration.
    expect(seen.agentShell).toBe(false);
    expect(result.sandbox.allows.summary).toMatchObject({
      network: { mode: 'none', proxy: { runtime: ['api.example.test'], agent: [] } },
      exec: { level: 'sandboxed' },
      execForRuntime: true,
      agentShell: false,
    });
  });

  it("control (the sandbox before the split): without the runtime's needs, the provider is unreachable and no process starts", async () => {
    const seen: { agentShell?: boolean | undefined } = {};
    const out = sink();
    await runPlan(plan(), {
      cwd: makeTempDir(),
      env,
      stdout: out,
      stderr: out,
      adapters: [probeRuntime(undefined, seen)],
      timeoutMs: 30_000,
    });
    // exec: none: the shell cannot even fork for $(…); the probe lines never print their results.
    expect(out.text()).not.toContain('provider=model says hi');
    expect(out.text()).not.toContain('child=started');
  });

  it('warns when an MCP server downloads its package at start-up (npx) and the sandbox has no network for it', () => {
    const p = {
      ...llmPlan({ name: 'claude-code', binary: 'claude' }, 'claude-sonnet-4'),
      runtime: { name: 'claude-code', binary: 'claude', path: '/bin/sh', available: true },
    };
    const { lines } = describeRunSandbox(p, { workdir: makeTempDir(), env });
    expect(lines).toContainEqual([
      'Note',
      expect.stringMatching(/^MCP server Stripe starts with npx, which downloads its package at start-up/),
    ]);
  });

  it('describeRunSandbox says what the sandbox will and will not allow', () => {
    const adapter = probeRuntime({ hosts: ['api.example.test'], processes: true, notes: [] }, {});
    const { lines } = describeRunSandbox(plan(), { workdir: makeTempDir(), env, adapter });
    const text = Object.fromEntries(lines);
    expect(text.Network).toBe(
      'only through the egress proxy, to api.example.test (runtime); every other host refused, no direct connections, no DNS',
    );
    expect(text.Exec).toMatch(
      /^child processes allowed for the runtime \(probe-llm: its MCP servers, helpers and the egress bridge\).*shell tool is turned off$/,
    );
    expect(text.Limits).toBe('wall clock 600 s, memory 2048 MiB per process, 512 tasks');
  });
});
