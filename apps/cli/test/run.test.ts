import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cliKeygen, DEMO_AGENT, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

const PLAN = [
  '  Runtime:  test-echo',
  '  Model:    test-echo/demo',
  '  Auth:     local socket',
  '  Tools:    none',
].join('\n');

function records(cwd: string): string[] {
  const dir = join(cwd, '.agentlang', 'records');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

describe('agentlang run (seed 000 step 3, for real under bwrap)', () => {
  it('prints the plan, Launching test-echo..., then the agent output, and writes a record', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${PLAN}\n\nLaunching test-echo...\n[test-echo] demo@0.1.0\n`);
    const files = records(cwd);
    expect(files).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(cwd, '.agentlang', 'records', files[0]!), 'utf8'));
    expect(record).toMatchObject({
      schema: 'agentlang.record/v1',
      runtime: 'test-echo',
      outcome: 'success',
      exit_code: 0,
      isolation: { backend: 'bwrap' },
    });
    expect(files[0]).toBe(`${record.run_id}.json`);
  });

  it('--json prints exactly one JSON document; the agent output goes to stderr', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent', '--json'], { cwd });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      outcome: 'success',
      exitCode: 0,
      record: { agent: { name: 'demo', version: '0.1.0' } },
      sandbox: { backend: 'bwrap' },
    });
    expect(r.stderr).toContain('[test-echo] demo@0.1.0');
  });

  it('runs against its lock, and records the lock digest', () => {
    const cwd = demoAgentDir();
    expect(runCli(['lock', 'demo.agent'], { cwd }).stdout).toContain('Wrote demo.agent.lock');
    const r = runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock', '--json'], { cwd });
    expect(r.status).toBe(0);
    const { record } = JSON.parse(r.stdout);
    expect(record.lock).toEqual({
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      signed: false,
      verified: false,
      signature: null,
      key_ids: [],
      portable_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      host: {
        runtime: 'test-echo',
        model: 'test-echo/demo',
        auth_source: 'local socket',
        os: 'linux',
        arch: expect.any(String),
      },
    });
    const bytes = readFileSync(join(cwd, 'demo.agent.lock'));
    expect(record.lock.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it("refuses a drifted manifest with seed 000's message before anything spawns (exit 12, no record)", () => {
    const cwd = demoAgentDir();
    runCli(['lock', 'demo.agent'], { cwd });
    writeFileSync(join(cwd, 'demo.agent'), DEMO_AGENT.replace('End-to-end pipeline walkthrough', 'edited'));
    const r = runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock'], { cwd });
    expect(r.status).toBe(12);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^Error: manifest hash ag1:[0-9a-f]{64} does not match lock's recorded hash ag1:[0-9a-f]{64}\n {2}Re-run `agentlang lock demo\.agent` if the drift is intentional\.\n$/,
    );
    expect(records(cwd)).toEqual([]);
  });

  it('--require-signed runs a signed lock, and fails closed when resolved.runtime was changed to malicious-cli', () => {
    const cwd = demoAgentDir();
    const { priv: key, pub } = cliKeygen({ cwd });
    expect(
      runCli(['lock', 'demo.agent', '--sign-key-env', 'AGENTLANG_SIGNING_KEY'], {
        cwd,
        env: { AGENTLANG_SIGNING_KEY: key },
      }).stdout,
    ).toContain('(signed)');
    const ok = runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock', '--require-signed', '--pubkey', pub], { cwd });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('[test-echo] demo@0.1.0');
    expect(records(cwd)).toHaveLength(1);
    const first = JSON.parse(readFileSync(join(cwd, '.agentlang', 'records', records(cwd)[0]!), 'utf8'));
    expect(first.lock).toMatchObject({ signed: true, verified: true });

    // Mutate resolved.runtime inside the signed payload, keeping the manifest hash intact.
    const envelope = JSON.parse(readFileSync(join(cwd, 'demo.agent.lock'), 'utf8'));
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    payload.resolved.runtime = 'malicious-cli';
    envelope.payload = Buffer.from(`${JSON.stringify(payload, null, 2)}\n`).toString('base64');
    writeFileSync(join(cwd, 'tampered.lock'), JSON.stringify(envelope, null, 2));
    const bad = runCli(['run', 'demo.agent', '--lock', 'tampered.lock', '--require-signed', '--pubkey', pub], { cwd });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).not.toContain('[test-echo]');
    expect(bad.stderr).toMatch(/signature verification failed/);
    // Without a key, --require-signed refuses too; a wrong key is refused.
    const nokey = runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock', '--require-signed'], { cwd });
    expect(nokey.status).not.toBe(0);
    expect(nokey.stderr).toMatch(/--pubkey/);
    const other = cliKeygen({ cwd }).pub;
    expect(
      runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock', '--require-signed', '--pubkey', other], { cwd }).status,
    ).not.toBe(0);
    // An unsigned lock under --require-signed is refused.
    expect(runCli(['lock', 'demo.agent'], { cwd }).stdout).toBe('Wrote demo.agent.lock\n');
    const unsigned = runCli(['run', 'demo.agent', '--lock', 'demo.agent.lock', '--require-signed', '--pubkey', pub], {
      cwd,
    });
    expect(unsigned.status).toBe(12);
    expect(unsigned.stderr).toMatch(/not signed/);
    // Nothing but the first, legitimate run ever spawned.
    expect(records(cwd)).toHaveLength(1);
  });

  it('--dry-run prints the plan and the exact sandbox argv with secrets redacted, and starts nothing', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent', '--dry-run', '--runtime', 'claude-code', '--prompt', 'hello'], {
      cwd,
      env: { ANTHROPIC_API_KEY: 'sk-ant-DRYRUN-SECRET-42' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  Runtime:  claude-code');
    expect(r.stdout).toContain('Dry run: nothing was started.\n');
    // What the sandbox allows: claude-code's endpoint through the egress proxy, although the agent has no network.
    expect(r.stdout).toContain(
      '  Network:  only through the egress proxy, to api.anthropic.com (runtime); every other host refused, no direct connections, no DNS\n',
    );
    expect(r.stdout).toContain('\nSandbox (bwrap):\n  /usr/bin/bwrap --unshare-all');
    expect(r.stdout).toContain(
      'claude -p --output-format text --model test-echo/demo --append-system-prompt-file /tmp/agentlang-runtime/claude/system-prompt.md',
    );
    expect(r.stdout).not.toContain('hello'); // the user prompt goes to the runtime's stdin, never on argv
    expect(r.stdout).not.toContain('You are a demo agent'); // the system prompt travels in a file, not on argv
    expect(r.stdout).toContain('--file 5 /run/agentlang/secrets/ANTHROPIC_API_KEY');
    expect(r.stdout + r.stderr).not.toContain('DRYRUN-SECRET');
    expect(records(cwd)).toEqual([]);
  });

  it('--unsafe-no-isolation runs without a sandbox, says so, and records backend none', () => {
    const cwd = demoAgentDir();
    const r = runCli(['run', 'demo.agent', '--unsafe-no-isolation', '--json'], { cwd });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).record.isolation).toEqual({ backend: 'none' });
    expect(r.stderr).toContain('WITHOUT a sandbox');
  });

  it('keeps the prompt and secrets out of the record, and signs it when asked', () => {
    const cwd = demoAgentDir();
    const { priv: key, pub } = cliKeygen({ cwd });
    const r = runCli(
      ['run', 'demo.agent', '--prompt', 'PROMPT-MUST-NOT-LEAK', '--sign-key-env', 'AGENTLANG_RECORD_KEY', '--json'],
      {
        cwd,
        env: {
          AGENTLANG_RECORD_KEY: key,
          ANTHROPIC_API_KEY: 'sk-ant-MUST-NOT-LEAK',
          OPENAI_API_KEY: 'sk-oai-MUST-NOT-LEAK',
        },
      },
    );
    expect(r.status).toBe(0);
    const id = JSON.parse(r.stdout).record.run_id;
    const dir = join(cwd, '.agentlang', 'records');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      const payload = file.endsWith('.dsse.json')
        ? Buffer.from(JSON.parse(text).payload, 'base64').toString('utf8')
        : '';
      expect(text + payload).not.toMatch(/MUST-NOT-LEAK|\[test-echo\]/);
      expect(text).not.toContain(key);
    }
    const shown = runCli(['records', 'show', id, '--pubkey', pub], { cwd });
    expect(shown.status).toBe(0);
    expect(shown.stderr).toContain(`signature verifies for record ${id}`);
    writeFileSync(
      join(dir, `${id}.json`),
      readFileSync(join(dir, `${id}.json`), 'utf8').replace('"exit_code": 0', '"exit_code": 1'),
    );
    const forged = runCli(['records', 'show', id, '--pubkey', pub], { cwd });
    expect(forged.status).toBe(15);
    expect(forged.stderr).toContain('modified after signing');
  });

  it('takes the resolver settings of `lock` (--catalog …), so a lock made with them matches the run', () => {
    const cwd = writeTree(makeTempDir(), {
      'agent.yaml': 'name: researcher\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: citations\n',
      'catalog/citations/0.2.0.json': JSON.stringify({
        name: 'citations',
        version: '0.2.0',
        description: 'c',
        inputSchema: { type: 'object' },
      }),
    });
    expect(runCli(['lock', '.', '--catalog', 'catalog', '--runtime', 'test-echo'], { cwd }).stdout).toBe(
      'Wrote agent.lock\n',
    );
    const ok = runCli(['run', '.', '--lock', 'agent.lock', '--catalog', 'catalog', '--runtime', 'test-echo'], { cwd });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(
      '  Tools:    citations@0.2.0\n\nLaunching test-echo...\n[test-echo] researcher@1.0.0\n',
    );
    const without = runCli(['run', '.', '--lock', 'agent.lock', '--runtime', 'test-echo'], { cwd });
    expect(without.status).not.toBe(0);
    expect(without.stdout).not.toContain('[test-echo]');
    expect(records(cwd)).toHaveLength(1);
  });

  it("probes an agent's MCP servers (real server over stdio) before running; the credential reaches no argv, file or record", () => {
    const cwd = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: mcp-demo',
        'version: 1.0.0',
        'models:',
        '  test-echo/demo: {}',
        'mcp_servers:',
        '  everything:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(everything)}, stdio]`,
        '    env:',
        '      API_TOKEN: "{{.env.MY_TOKEN}}"',
        '    tools: [echo]',
        '',
      ].join('\n'),
    });
    const env = { MY_TOKEN: 'tok-MCP-SECRET-77' };
    const r = runCli(['run', '.', '--runtime', 'test-echo'], { cwd, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '  MCP:      everything (1 tool)\n  Env:      MY_TOKEN (mcp_servers.everything.env.API_TOKEN)\n\nLaunching test-echo...\n[test-echo] mcp-demo@1.0.0\n',
    );
    const dry = runCli(['run', '.', '--runtime', 'claude-code', '--prompt', 'hi', '--dry-run'], { cwd, env });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('--mcp-config /tmp/agentlang-runtime/claude/mcp.json --strict-mcp-config');
    expect(dry.stdout).toContain('/run/agentlang/secrets/API_TOKEN');
    const dir = join(cwd, '.agentlang', 'records');
    const written = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    expect(dry.stdout + dry.stderr + r.stdout + r.stderr + written).not.toContain('MCP-SECRET');
  });

  it('usage errors exit 2 and name the fix', () => {
    const cwd = demoAgentDir();
    expect(runCli(['run'], { cwd }).status).toBe(2);
    const both = runCli(['run', 'demo.agent', '--prompt', 'a', '--input', 'f'], { cwd });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('either --prompt or --input');
    expect(runCli(['run', 'demo.agent', '--timeout', 'soon'], { cwd }).status).toBe(2);
    const unknown = runCli(['run', 'demo.agent', '--runtime', 'malicious-cli'], { cwd });
    expect(unknown.status).not.toBe(0);
    expect(records(cwd)).toEqual([]);
  });
});
