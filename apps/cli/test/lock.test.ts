import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, DEMO_AGENT, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

// End-to-end against the bundled CLI: seed 000 steps 4 and 5, command by command.

// CI=true would make `lock` frozen by default; these tests set it only where they mean to.
const ENV = { CI: undefined, AGENTLANG_SIGNING_KEY: undefined };

const keygen = () => cliKeygen({ env: ENV });

describe('agentlang keygen', () => {
  it('prints exactly two env-var lines, fresh each time; --json gives the same fields', () => {
    const r = runCli(['keygen'], { env: ENV });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^AGENTLANG_SIGNING_KEY=[0-9a-f]{64}\nAGENTLANG_PUBKEY=[0-9a-f]{64}\n$/);
    expect(keygen().priv).not.toBe(keygen().priv);
    const j = JSON.parse(runCli(['keygen', '--json'], { env: ENV }).stdout);
    expect(j).toEqual({
      type: 'ed25519',
      AGENTLANG_SIGNING_KEY: expect.stringMatching(/^[0-9a-f]{64}$/),
      AGENTLANG_PUBKEY: expect.stringMatching(/^[0-9a-f]{64}$/),
      keyid: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('agentlang lock / verify-lock (seed 000 steps 4–5)', () => {
  it('runs the walkthrough as shown: lock, drift, sign, verify', () => {
    const dir = demoAgentDir();
    const lock = runCli(['lock', 'demo.agent'], { cwd: dir, env: ENV });
    expect(lock.stdout).toBe('Wrote demo.agent.lock\n');
    expect(lock.status).toBe(0);
    const plain = JSON.parse(readFileSync(join(dir, 'demo.agent.lock'), 'utf8'));
    expect(Object.keys(plain)).toEqual(['schema', 'manifest', 'resolved', 'files']);
    expect(plain.schema).toBe('agentlang.lock/v2');
    expect(plain.manifest).toMatchObject({ hash: expect.stringMatching(/^ag1:[0-9a-f]{64}$/), path: 'demo.agent' });
    expect(Object.keys(plain.resolved).slice(0, 6)).toEqual([
      'runtime',
      'model',
      'auth_source',
      'tools',
      'system_prompt_sha256',
      'host',
    ]);
    expect(plain.resolved).toMatchObject({
      runtime: 'test-echo',
      model: 'test-echo/demo',
      auth_source: 'local socket',
      tools: [],
    });

    // Edit the manifest: frozen lock refuses with seed 000's message, full digests, exit 12.
    writeFileSync(join(dir, 'demo.agent'), DEMO_AGENT.replace('End-to-end', 'Edited'));
    const drift = runCli(['lock', 'demo.agent', '--frozen'], { cwd: dir, env: ENV });
    expect(drift.status).toBe(12);
    expect(drift.stdout).toBe('');
    expect(drift.stderr).toMatch(
      new RegExp(
        `^Error: manifest hash ag1:[0-9a-f]{64} does not match lock's recorded hash ${plain.manifest.hash}\\n` +
          '  Re-run `agentlang lock demo.agent` if the drift is intentional.\\n$',
      ),
    );
    writeFileSync(join(dir, 'demo.agent'), DEMO_AGENT);

    const { priv, pub } = keygen();
    const signed = runCli(['lock', 'demo.agent', '--sign-key-env', 'AGENTLANG_SIGNING_KEY'], {
      cwd: dir,
      env: { ...ENV, AGENTLANG_SIGNING_KEY: priv },
    });
    expect(signed.stdout).toBe('Wrote demo.agent.lock (signed)\n');
    expect(signed.status).toBe(0);
    const envelope = JSON.parse(readFileSync(join(dir, 'demo.agent.lock'), 'utf8'));
    expect(envelope.payloadType).toBe('application/vnd.agentlang.lock.v1+json');
    expect(JSON.parse(Buffer.from(envelope.payload, 'base64').toString())).toEqual(plain);

    const ok = runCli(['verify-lock', 'demo.agent.lock', '--pubkey', pub], { cwd: dir, env: ENV });
    expect(ok.stdout).toBe('VALID: signature verifies for demo@0.1.0\n');
    expect(ok.status).toBe(0);

    // CI=true: frozen by default, and a signed lock with an identical payload is up to date without the key.
    const ci = runCli(['lock', 'demo.agent'], { cwd: dir, env: { ...ENV, CI: 'true' } });
    expect(ci.stdout).toBe('demo.agent.lock is up to date (frozen)\n');
    expect(ci.status).toBe(0);
  });

  it('rejects a tampered lock (resolved.runtime → malicious-cli), the wrong key, and an unsigned lock — exit 12 with the reason', () => {
    const dir = demoAgentDir();
    const { priv, pub } = keygen();
    runCli(['lock', 'demo.agent', '--sign-key-env', 'K'], { cwd: dir, env: { ...ENV, K: priv } });
    const path = join(dir, 'demo.agent.lock');
    const envelope = JSON.parse(readFileSync(path, 'utf8'));
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    payload.resolved.runtime = 'malicious-cli';
    writeFileSync(
      join(dir, 'tampered.lock'),
      JSON.stringify({ ...envelope, payload: Buffer.from(`${JSON.stringify(payload, null, 2)}\n`).toString('base64') }),
    );
    const tampered = runCli(['verify-lock', 'tampered.lock', '--pubkey', pub], { cwd: dir, env: ENV });
    expect(tampered.status).toBe(12);
    expect(tampered.stderr).toMatch(
      /^Error: signature verification failed: 0 of 1 required trusted signature\(s\) verified \(signatures\[0\] \(keyid [0-9a-f]{64}\) does not verify\)/,
    );

    const wrong = runCli(['verify-lock', 'demo.agent.lock', '--pubkey', keygen().pub, '--json'], {
      cwd: dir,
      env: ENV,
    });
    expect(wrong.status).toBe(12);
    expect(JSON.parse(wrong.stdout).error.code).toBe('LOCK_SIGNATURE_INVALID');

    runCli(['lock', 'demo.agent'], { cwd: dir, env: ENV });
    const unsigned = runCli(['verify-lock', 'demo.agent.lock', '--pubkey', pub, '--json'], { cwd: dir, env: ENV });
    expect(unsigned.status).toBe(12);
    expect(JSON.parse(unsigned.stdout).error.code).toBe('LOCK_UNSIGNED');

    const noKey = runCli(['verify-lock', 'demo.agent.lock'], { cwd: dir, env: ENV });
    expect(noKey.status).toBe(2);
    const badKey = runCli(['verify-lock', 'demo.agent.lock', '--pubkey', 'abc', '--json'], { cwd: dir, env: ENV });
    expect(JSON.parse(badKey.stdout).error.code).toBe('LOCK_KEY_INVALID');
  });

  it('reads the signing key only from the named env var and never prints it', () => {
    const dir = demoAgentDir();
    const { priv } = keygen();
    const unset = runCli(['lock', 'demo.agent', '--sign-key-env', 'MISSING_VAR', '--json'], { cwd: dir, env: ENV });
    expect(unset.status).toBe(12);
    expect(JSON.parse(unset.stdout).error.code).toBe('LOCK_KEY_MISSING');
    const keyAsName = runCli(['lock', 'demo.agent', '--sign-key-env', priv], { cwd: dir, env: ENV });
    expect(keyAsName.status).toBe(12);
    expect(keyAsName.stderr + keyAsName.stdout).not.toContain(priv);
    const bad = runCli(['lock', 'demo.agent', '--sign-key-env', 'K'], {
      cwd: dir,
      env: { ...ENV, K: `${priv.slice(0, 40)}xyz` },
    });
    expect(bad.status).toBe(12);
    expect(bad.stderr).toContain('environment variable K does not hold an Ed25519 private key');
    expect(bad.stderr).not.toContain(priv.slice(0, 40));
    const flag = runCli(['lock', 'demo.agent', '--sign-key', priv], { cwd: dir, env: ENV });
    expect(flag.status).toBe(2);
  });

  it('locks a directory agent into <dir>/agent.lock; --json reports what happened', () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'agent'));
    writeTree(join(dir, 'agent'), {
      'agent.yaml':
        'name: dir-agent\nversion: 2.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: web_search\n    version: ^1.2.0\n',
    });
    const r = runCli(['lock', 'agent', '--json'], { cwd: dir, env: ENV });
    expect(r.status).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data).toMatchObject({ lockPath: 'agent/agent.lock', written: true, signed: false, previous: 'none' });
    expect(data.lock.manifest.path).toBe('agent.yaml');
    expect(data.lock.resolved.tools[0]).toMatchObject({ name: 'web_search', constraint: '^1.2.0', source: 'builtin' });
    expect(readFileSync(join(dir, 'agent/agent.lock'), 'utf8')).toContain('"schema": "agentlang.lock/v2"');
    // Byte-identical on a second run.
    const before = readFileSync(join(dir, 'agent/agent.lock'));
    runCli(['lock', 'agent'], { cwd: dir, env: ENV });
    expect(readFileSync(join(dir, 'agent/agent.lock')).equals(before)).toBe(true);
  });

  it('pins the harness version for an agent on the built-in runtime; another recorded version is a note, not a drift', () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'agent/agent.yaml': 'name: on-harness\nversion: 1.0.0\nmodels:\n  claude-sonnet-4:\n    provider: anthropic\n',
    });
    const env = { ...ENV, ANTHROPIC_API_KEY: 'k' };
    const r = runCli(['lock', 'agent', '--json'], { cwd: dir, env });
    expect(r.status).toBe(0);
    const { lock } = JSON.parse(r.stdout);
    expect(lock.resolved.runtime).toBe('harness');
    const version = lock.resolved.runtime_version as string;
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    // The lock on disk says another harness made it: --frozen still passes, and says so.
    const path = join(dir, 'agent/agent.lock');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(`"runtime_version": "${version}"`, '"runtime_version": "0.0.1"'),
    );
    const frozen = runCli(['lock', 'agent', '--frozen'], { cwd: dir, env });
    expect(frozen.status).toBe(0);
    expect(frozen.stderr).toContain(
      `Note: the lock was made with harness 0.0.1; this is harness ${version} — not a drift`,
    );
    expect(readFileSync(path, 'utf8')).toContain('"runtime_version": "0.0.1"');
  });

  it('passes resolver settings through (--catalog): a newer catalog version is drift for --frozen, then re-locked', () => {
    const def = (version: string) =>
      JSON.stringify({ name: 'my_tool', version, description: 'x', inputSchema: { type: 'object' } });
    const dir = writeTree(makeTempDir(), {
      'agent/agent.yaml':
        'name: cat-agent\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: my_tool\n    version: ^1.0.0\n',
      'cat/my_tool/1.0.0.json': def('1.0.0'),
    });
    expect(runCli(['lock', 'agent', '--catalog', 'cat'], { cwd: dir, env: ENV }).status).toBe(0);
    const tool = JSON.parse(readFileSync(join(dir, 'agent/agent.lock'), 'utf8')).resolved.tools[0];
    expect(tool).toMatchObject({
      name: 'my_tool',
      version: '1.0.0',
      constraint: '^1.0.0',
      source: expect.stringMatching(/^catalog:/),
    });
    writeTree(dir, { 'cat/my_tool/1.4.0.json': def('1.4.0') });
    const frozen = runCli(['lock', 'agent', '--catalog', 'cat', '--frozen'], { cwd: dir, env: ENV });
    expect(frozen.status).toBe(12);
    expect(frozen.stderr).toMatch(
      /^Error: tool my_tool is 1\.4\.0, integrity sha256:[0-9a-f]{64} but the lock records 1\.0\.0, integrity sha256:[0-9a-f]{64}/,
    );
    expect(frozen.stderr).toContain('Re-run `agentlang lock agent` if the drift is intentional.');
    expect(runCli(['lock', 'agent', '--catalog', 'cat'], { cwd: dir, env: ENV }).stdout).toBe(
      'Wrote agent/agent.lock\n',
    );
    expect(JSON.parse(readFileSync(join(dir, 'agent/agent.lock'), 'utf8')).resolved.tools[0].version).toBe('1.4.0');
  });
});
