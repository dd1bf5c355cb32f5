import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, demoAgent, makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve } from './registry-support.js';

// Seed 003: `agentlang publish ./my-agent` builds the signed container and pushes it.

describe('agentlang publish', () => {
  let dir: string;
  let server: ServeProcess;
  const ENV = {
    CI: undefined,
    AGENTLANG_SIGNING_KEY: undefined,
    AGENTLANG_API_KEY: undefined,
    AGENTLANG_REGISTRY: undefined,
  };

  beforeAll(async () => {
    dir = makeTempDir('agentlang-cli-publish-');
    writeFileSync(
      join(dir, 'agent.yaml'),
      demoAgent({ name: 'my-agent', version: '1.0.0', description: 'publish me' }),
    );
    server = await serve(dir);
  });
  afterAll(() => server.stop());

  it('refuses to publish an unsigned container unless asked', () => {
    const r = runCli(['publish', '.', '--registry', server.url, '--api-key', 'alice-key'], { cwd: dir, env: ENV });
    expect(r.status).toBe(17);
    expect(r.stderr).toContain('--sign-key-env');
  });

  it('builds the signed container, pushes it, and a pull verifies the signature', () => {
    const key = cliKeygen();
    const env = { ...ENV, AGENTLANG_SIGNING_KEY: key.priv };
    const r = runCli(
      ['publish', '.', '--registry', server.url, '--api-key', 'alice-key', '--out', 'my-agent@1.0.0.agent'],
      { cwd: dir, env },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Built my-agent@1.0.0.agent (signed)\nPublished my-agent@1.0.0  tenant 'alice'\n");
    const pull = runCli(
      ['pull', 'alice/my-agent@1.0.0', '--registry', server.url, '--out', 'pulled.agent', '--pubkey', key.pub],
      { cwd: dir, env: ENV },
    );
    expect(pull.stdout).toBe('Fetched my-agent@1.0.0  pulled.agent\n');
    expect(readFileSync(join(dir, 'pulled.agent')).equals(readFileSync(join(dir, 'my-agent@1.0.0.agent')))).toBe(true);
    const wrongKey = runCli(
      ['pull', 'alice/my-agent@1.0.0', '--registry', server.url, '--out', 'other.agent', '--pubkey', cliKeygen().pub],
      { cwd: dir, env: ENV },
    );
    expect(wrongKey.status).toBe(17);
    expect(wrongKey.stderr).toContain('failed verification');
    const search = runCli(['search', 'my-agent', '--registry', server.url], { cwd: dir, env: ENV });
    expect(search.stdout).toMatch(/^alice\/my-agent@1\.0\.0\s+container/m);
  });
});

describe('agentlang registry serve --signer', () => {
  it('a tenant with a publisher key accepts only containers signed by it', async () => {
    const dir = makeTempDir('agentlang-cli-signer-');
    writeFileSync(join(dir, 'agent.yaml'), demoAgent({ name: 'guarded', version: '1.0.0' }));
    const publisher = cliKeygen();
    const server = await serve(dir, ['--signer', `alice:${publisher.pub}`]);
    const ENV = {
      CI: undefined,
      AGENTLANG_SIGNING_KEY: undefined,
      AGENTLANG_API_KEY: undefined,
      AGENTLANG_REGISTRY: undefined,
    };
    try {
      expect(server.stderr()).toContain('alice (signed containers only)');
      const yaml = runCli(['push', 'agent.yaml', '--registry', server.url, '--api-key', 'alice-key'], {
        cwd: dir,
        env: ENV,
      });
      expect(yaml.status).toBe(17);
      expect(yaml.stderr).toContain('HTTP 403 REGISTRY_UNSIGNED');
      const other = runCli(
        ['publish', '.', '--registry', server.url, '--api-key', 'alice-key', '--out', 'other.agent'],
        { cwd: dir, env: { ...ENV, AGENTLANG_SIGNING_KEY: cliKeygen().priv } },
      );
      expect(other.status).toBe(17);
      expect(other.stderr).toContain('REGISTRY_UNSIGNED');
      const good = runCli(['publish', '.', '--registry', server.url, '--api-key', 'alice-key', '--out', 'good.agent'], {
        cwd: dir,
        env: { ...ENV, AGENTLANG_SIGNING_KEY: publisher.priv },
      });
      expect(good.stdout).toContain("Published guarded@1.0.0  tenant 'alice'");
    } finally {
      await server.stop();
    }
  });
});
