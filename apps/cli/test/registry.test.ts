import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoAgent, makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContainer, type ServeProcess, serve } from './registry-support.js';

// Seed 000 step 7, command by command, against a real `agentlang registry serve` process.

describe('seed 000 step 7: publish to a registry', () => {
  let dir: string;
  let server: ServeProcess;
  const ENV = { AGENTLANG_API_KEY: undefined, AGENTLANG_REGISTRY: undefined };

  beforeAll(async () => {
    dir = makeTempDir('agentlang-cli-registry-');
    writeFileSync(join(dir, 'demo.agent'), demoAgent());
    server = await serve(dir);
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('push prints the seed line and the tenant comes from the key', () => {
    const r = runCli(['push', 'demo.agent', '--registry', server.url, '--api-key', 'alice-key'], {
      cwd: dir,
      env: ENV,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Pushed demo@0.1.0  tenant 'alice'\n");
    expect(r.status).toBe(0);
  });

  it('pull as an anonymous reader prints the seed line and writes the same bytes', () => {
    const r = runCli(['pull', 'alice/demo@0.1.0', '--registry', server.url, '--out', 'pulled.agent'], {
      cwd: dir,
      env: ENV,
    });
    expect(r.stdout).toBe('Fetched demo@0.1.0  pulled.agent\n');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'pulled.agent'), 'utf8')).toBe(demoAgent());
    const v = runCli(['validate', 'pulled.agent'], { cwd: dir });
    expect(v.stdout).toMatch(/^Valid: demo@0\.1\.0 \(ag1:[0-9a-f]{64}\)/);
  });

  it('bob cannot push to alice/…: 401, exit code 17, nothing changed', () => {
    writeFileSync(join(dir, 'bob.agent'), demoAgent({ description: 'bob was here' }));
    const r = runCli(['push', 'bob.agent', '--registry', server.url, '--api-key', 'bob-key', '--tenant', 'alice'], {
      cwd: dir,
      env: ENV,
    });
    expect(r.status).toBe(17);
    expect(r.stderr).toContain('HTTP 401 REGISTRY_UNAUTHORIZED');
    expect(r.stderr).toContain("tenant 'bob' cannot write to tenant 'alice'");
    const j = runCli(
      ['push', 'bob.agent', '--registry', server.url, '--api-key', 'bob-key', '--tenant', 'alice', '--json'],
      { cwd: dir, env: ENV },
    );
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED', details: { status: 401 } });
    runCli(['pull', 'alice/demo@0.1.0', '--registry', server.url, '--out', 'again.agent'], { cwd: dir, env: ENV });
    expect(readFileSync(join(dir, 'again.agent'), 'utf8')).toBe(demoAgent());
  });

  it('bob pushing the same name lands under his own tenant', () => {
    const r = runCli(['push', 'bob.agent', '--registry', server.url], {
      cwd: dir,
      env: { ...ENV, AGENTLANG_API_KEY: 'bob-key' },
    });
    expect(r.stdout).toBe("Pushed demo@0.1.0  tenant 'bob'\n");
  });

  it('versions are immutable: same bytes succeed, different bytes fail with 409 and exit 17', () => {
    const same = runCli(['push', 'demo.agent', '--registry', server.url, '--api-key', 'alice-key'], {
      cwd: dir,
      env: ENV,
    });
    expect(same.status).toBe(0);
    writeFileSync(join(dir, 'changed.agent'), demoAgent({ description: 'changed' }));
    const clash = runCli(['push', 'changed.agent', '--registry', server.url, '--api-key', 'alice-key'], {
      cwd: dir,
      env: ENV,
    });
    expect(clash.status).toBe(17);
    expect(clash.stderr).toMatch(/HTTP 409 REGISTRY_VERSION_EXISTS.*bump the version/);
  });

  it('search finds agents by description, name or tenant', () => {
    const r = runCli(['search', 'walkthrough', '--registry', server.url], { cwd: dir, env: ENV });
    expect(r.stdout).toMatch(/^alice\/demo@0\.1\.0\s+manifest\s+End-to-end pipeline walkthrough$/m);
    const j = JSON.parse(runCli(['search', 'bob', '--registry', server.url, '--json'], { cwd: dir, env: ENV }).stdout);
    expect(j.entries.map((e: { tenant: string }) => e.tenant)).toEqual(['bob']);
  });

  it('pull of a missing version fails with the server reason and writes nothing', () => {
    const r = runCli(['pull', 'alice/demo@9.9.9', '--registry', server.url, '--out', 'missing.agent'], {
      cwd: dir,
      env: ENV,
    });
    expect(r.status).toBe(17);
    expect(r.stderr).toContain('HTTP 404 REGISTRY_NOT_FOUND');
    expect(existsSync(join(dir, 'missing.agent'))).toBe(false);
  });

  it('shows progress on stderr for large transfers, never on stdout', async () => {
    const c = await makeContainer(dir, { name: 'large', version: '1.0.0', contextBytes: 12 << 20 });
    const push = runCli(['push', c.path, '--registry', server.url, '--api-key', 'alice-key'], { cwd: dir, env: ENV });
    expect(push.stdout).toBe("Pushed large@1.0.0  tenant 'alice'\n");
    expect(push.stderr).toMatch(/^pushing alice\/large@1\.0\.0 {2}[\d.]+\/12\.\d MiB \(\d+%\)$/m);
    expect(push.stderr).toContain('(100%)');
    const pull = runCli(['pull', 'alice/large@1.0.0', '--registry', server.url, '--out', 'large.agent'], {
      cwd: dir,
      env: ENV,
    });
    expect(pull.stdout).toBe('Fetched large@1.0.0  large.agent\n');
    expect(pull.stderr).toMatch(/^pulling alice\/large@1\.0\.0 {2}12\.\d\/12\.\d MiB \(100%\)$/m);
    expect(readFileSync(join(dir, 'large.agent')).equals(c.bytes)).toBe(true);
  });

  it('a malformed reference is a usage-level registry error', () => {
    const r = runCli(['pull', '../alice/demo@0.1.0', '--registry', server.url], { cwd: dir, env: ENV });
    expect(r.status).toBe(17);
    expect(r.stderr).toContain('is not a registry reference; expected <tenant>/<name>@<version>');
  });
});

describe('agentlang registry serve without keys', () => {
  it('serves reads but refuses pushes, saying how to configure keys', async () => {
    const dir = makeTempDir('agentlang-cli-registry-');
    writeFileSync(join(dir, 'demo.agent'), demoAgent());
    const server = await serve(dir, [], { AGENTLANG_API_KEYS: '' });
    try {
      expect(server.stderr()).toContain('no API keys configured');
      const r = runCli(
        ['push', 'demo.agent', '--registry', server.url, '--api-key', 'alice-key', '--tenant', 'alice'],
        { cwd: dir },
      );
      expect(r.status).toBe(17);
      expect(r.stderr).toContain('REGISTRY_NO_KEYS');
      expect(r.stderr).toContain('AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key"');
    } finally {
      await server.stop();
    }
  });
});
