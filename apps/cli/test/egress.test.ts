// `network: scoped` end to end through `agentlang run`, and what `resolve` says about the sandbox.
// HTTP servers on 127.0.0.1 play the provider, a docs host the agent may reach and a forbidden host;
// AGENTLANG_EGRESS_RESOLVE pins their names to 127.0.0.1 (no /etc/hosts change). The `claude` on
// PATH is a stand-in for the runtime binary (the real one needs a paid API): a shell script whose
// HTTP client is the real curl, which follows the proxy variables the sandbox sets.
import { chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
let docs: Site;
let forbidden: Site;
beforeAll(async () => {
  provider = await site('model says hi');
  docs = await site('the docs');
  forbidden = await site('should never be seen');
});
afterAll(async () => {
  for (const s of [provider, docs, forbidden]) await new Promise((resolve) => s.server.close(resolve));
});

const AGENT = `apiVersion: agent/v1
name: scoped
version: 0.1.0
runtime: claude-code
model:
  preferred:
    - anthropic/claude-sonnet-4
trust:
  filesystem: none
  network: scoped
  hosts:
    - docs.example.test
  exec: sandboxed
`;

function setup(): { cwd: string; bin: string; env: Record<string, string> } {
  const cwd = writeTree(makeTempDir(), { 'scoped.agent': AGENT });
  const bin = makeTempDir('agentlang-egress-bin-');
  writeTree(bin, {
    claude: [
      '#!/bin/sh',
      // The runner asks the runtime's version on the host; the stand-in answers without touching the network.
      'if [ "$1" = --version ]; then echo "2.0.0 (stand-in)"; exit 0; fi',
      `echo "provider=$(curl -s --max-time 5 "$ANTHROPIC_BASE_URL/v1/messages" || echo unreachable)"`,
      `echo "docs=$(curl -s --max-time 5 http://docs.example.test:${docs.port}/ || echo unreachable)"`,
      `echo "forbidden=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://forbidden.example.test:${forbidden.port}/)"`,
      `echo "direct=$(curl -s --noproxy '*' --max-time 5 http://127.0.0.1:${forbidden.port}/ || echo failed)"`,
      '',
    ].join('\n'),
  });
  chmodSync(join(bin, 'claude'), 0o755);
  return {
    cwd,
    bin,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
      ANTHROPIC_BASE_URL: `http://api.example.test:${provider.port}`,
      AGENTLANG_EGRESS_RESOLVE:
        'api.example.test=127.0.0.1,docs.example.test=127.0.0.1,forbidden.example.test=127.0.0.1',
    },
  };
}

/** runCli is synchronous and would block this process's event loop, so the servers above could not answer: run the CLI and wait asynchronously. */
async function runCliAsync(args: string[], options: { cwd: string; env: Record<string, string> }) {
  const { spawn } = await import('node:child_process');
  const { cliPath, hermeticEnv } = await import('@agentlang/test-helpers');
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...hermeticEnv(), NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

describe('network: scoped through agentlang run', () => {
  it('the agent reaches its hosts and the runtime its provider through the egress proxy; other hosts are refused, direct connections fail', async () => {
    const { cwd, env } = setup();
    const r = await runCliAsync(['run', 'scoped.agent', '--prompt', 'hi'], { cwd, env });
    expect(r.stderr).not.toMatch(/SANDBOX_UNSUPPORTED/);
    expect(r.stdout).toContain('Launching claude-code...\n');
    expect(
      r.stdout
        .slice(r.stdout.indexOf('Launching claude-code...\n') + 25)
        .trim()
        .split('\n'),
    ).toEqual(['provider=model says hi', 'docs=the docs', 'forbidden=403', 'direct=failed']);
    expect(r.status).toBe(0);
    expect(forbidden.hits).toBe(0);
    expect(r.stderr).toContain(
      `egress: refused forbidden.example.test:${forbidden.port}: forbidden.example.test is not in this sandbox's egress allowlist`,
    );
  });

  it('resolve --sandbox says which hosts go through the proxy, for whom, and what else the sandbox allows; --json carries it', () => {
    const { cwd, bin, env } = setup();
    const r = runCli(['resolve', 'scoped.agent', '--sandbox'], { cwd, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '  Network:  only through the egress proxy, to api.example.test (runtime), docs.example.test (agent); every other host refused, no direct connections, no DNS\n',
    );
    // The runtime's own directory (outside /usr) is bound read-only.
    expect(r.stdout).toContain(
      `  Files:    read-write ${cwd}; read-only ${bin}; system directories read-only, private /tmp; nothing else of the host\n`,
    );
    expect(r.stdout).toContain('  Exec:     child processes allowed, each confined to this sandbox\n');
    expect(r.stdout).toContain('  Limits:   wall clock 600 s, memory 2048 MiB per process, 512 tasks');
    const json = JSON.parse(runCli(['resolve', 'scoped.agent', '--json'], { cwd, env }).stdout);
    expect(json.sandbox).toMatchObject({
      network: {
        mode: 'scoped',
        direct: 'loopback',
        proxy: { runtime: ['api.example.test'], agent: ['docs.example.test'] },
      },
      filesystem: { mode: 'none', readWrite: [cwd] },
      exec: { level: 'sandboxed', childProcesses: true },
      limits: { timeoutMs: 600000 },
    });
  });

  it('resolve refuses, before any run, network: scoped with exec: none (the bridge is a process)', () => {
    const cwd = writeTree(makeTempDir(), {
      'scoped.agent': AGENT.replace('runtime: claude-code', 'runtime: test-echo')
        .replace('exec: sandboxed', 'exec: none')
        .replace('anthropic/claude-sonnet-4', 'test-echo/demo'),
    });
    const r = runCli(['resolve', 'scoped.agent'], { cwd });
    expect(r.stdout).toContain(
      '  Sandbox:  refused: the egress proxy needs a bridge process inside the sandbox, which exec: none forbids; declare exec: sandboxed',
    );
  });
});

describe('--verbose', () => {
  it('resolve --verbose writes its decisions to stderr, leaving stdout the plan as seed 000 shows it', () => {
    const cwd = demoAgentDir();
    const r = runCli(['resolve', 'demo.agent', '--verbose'], { cwd });
    expect(r.stdout).toBe(
      '  Runtime:  test-echo\n  Model:    test-echo/demo\n  Auth:     local socket\n  Tools:    none\n',
    );
    expect(r.stderr).toContain('  Decision: runtime test-echo: binary `echo` found at');
  });

  it('run --verbose reports the noether fallback without AGENTLANG_DEBUG', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent', '--verbose'], {
      cwd,
      env: { AGENTLANG_ISOLATION_BACKEND: 'noether', PATH: '/usr/bin:/bin' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('isolation: noether-sandbox not found on PATH; falling back to the bwrap backend');
    expect(r.stdout).not.toContain('Decision:');
    const quiet = runCli(['run', 'demo.agent'], {
      cwd,
      env: { AGENTLANG_ISOLATION_BACKEND: 'noether', PATH: '/usr/bin:/bin' },
    });
    expect(quiet.stderr).not.toContain('falling back');
  });
});
