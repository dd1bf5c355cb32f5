import { copyFileSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, cliKeygenX25519, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

// Seed 003: "same agent spec, different runtimes, different hosts". A lock pins the portable part;
// the host part (runtime, model, auth source, host) is resolved again wherever the agent runs.

const ENV = {
  CI: undefined,
  AGENTLANG_SIGNING_KEY: undefined,
  AGENTLANG_PUBKEY: undefined,
  AGENTLANG_IDENTITY: undefined,
  AGENTLANG_RECIPIENT: undefined,
};

const AGENT = {
  'writer/agent.yaml': 'name: writer\nversion: 1.0.0\nmodels:\n  claude-sonnet-4:\n    provider: anthropic\n',
  'writer/prompt.yaml':
    'version: 2\nsections:\n  - name: who_you_are\n    content: |\n      You write short, careful notes.\n',
};

function records(cwd: string): Array<Record<string, unknown>> {
  const dir = join(cwd, '.agentlang', 'records');
  return readdirSync(dir)
    .filter((f) => /^[0-9A-Z]{26}\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

describe('a container built for claude-code runs under another runtime', () => {
  it('build --runtime claude-code, then run --runtime test-echo: no drift; the record holds both host parts; lock <container> pins this host', () => {
    const cwd = makeTempDir();
    writeTree(cwd, AGENT);
    const signer = cliKeygen({ cwd, env: ENV });
    const x = cliKeygenX25519({ cwd, env: ENV });
    const env = { ...ENV, K: signer.priv, AGENTLANG_IDENTITY: x.identity };
    const built = runCli(
      ['build', 'writer', '--runtime', 'claude-code', '--sign-key-env', 'K', '--recipient', x.recipient, '--json'],
      { cwd, env },
    );
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const lock = JSON.parse(readFileSync(join(cwd, 'writer', 'agent.lock'), 'utf8'));
    expect(lock.schema).toBe('agentlang.lock/v2');
    expect(lock.resolved.runtime).toBe('claude-code');
    expect(Object.keys(lock.resolved.system_prompts)).toEqual(['markdown', 'xml']);

    const run = runCli(['run', 'writer@1.0.0.agent', '--runtime', 'test-echo', '--pubkey', signer.pub], { cwd, env });
    expect(run.stderr).not.toContain('LOCK_DRIFT');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('[test-echo] writer@1.0.0');
    const [record] = records(cwd);
    expect(record).toMatchObject({
      runtime: 'test-echo',
      auth_source: 'local socket',
      lock: {
        host: { runtime: 'claude-code', model: 'claude-sonnet-4' },
        portable_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    });

    // `lock <container>`: verified, its own lock checked here, this host's lock written beside it.
    // (signed: with --pubkey, `run --lock` requires a lock signed by that key)
    const locked = runCli(
      ['lock', 'writer@1.0.0.agent', '--runtime', 'test-echo', '--pubkey', signer.pub, '--sign-key-env', 'K', '--json'],
      { cwd, env },
    );
    expect(locked.stderr).toBe('');
    expect(locked.status).toBe(0);
    const hostLock = JSON.parse(locked.stdout).lock;
    expect(hostLock.resolved.runtime).toBe('test-echo');
    expect(hostLock.manifest.path).toBe('writer@1.0.0.agent');
    expect(hostLock.resolved.system_prompts).toEqual(lock.resolved.system_prompts);
    expect(hostLock.files).toEqual(lock.files);
    const again = runCli(
      [
        'run',
        'writer@1.0.0.agent',
        '--runtime',
        'test-echo',
        '--pubkey',
        signer.pub,
        '--lock',
        'writer@1.0.0.agent.lock',
      ],
      { cwd, env },
    );
    expect(again.status).toBe(0);
    // A container without --pubkey is refused for lock, as for run; so is one whose prompt cannot be decrypted (it could not be checked).
    const unverified = runCli(['lock', 'writer@1.0.0.agent'], { cwd, env: { ...env, AGENTLANG_PUBKEY: undefined } });
    expect(unverified.status).toBe(16);
    expect(unverified.stderr).toContain('pass --pubkey HEX');
    const blind = runCli(['lock', 'writer@1.0.0.agent', '--pubkey', signer.pub, '--out', 'blind.lock'], {
      cwd,
      env: { ...env, AGENTLANG_IDENTITY: undefined },
    });
    expect(blind.status).toBe(16);
    expect(blind.stderr).toContain('no identity or passphrase was given');
  });
});

describe('a lock names files by role', () => {
  it('a pulled copy of the manifest under another name runs against the lock made for the original', () => {
    const cwd = demoAgentDir();
    expect(runCli(['lock', 'demo.agent'], { cwd, env: ENV }).status).toBe(0);
    copyFileSync(join(cwd, 'demo.agent'), join(cwd, 'demo@0.1.0.agent'));
    const run = runCli(['run', 'demo@0.1.0.agent', '--lock', 'demo.agent.lock'], { cwd, env: ENV });
    expect(run.stderr).not.toContain('no longer part of the agent');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('[test-echo] demo@0.1.0');
  });
});

describe('build takes the resolver flags, and a --catalog lock survives moving the project', () => {
  it('build --catalog DIR, move the project, build again frozen (CI=true): the lock holds byte for byte', () => {
    const parent = makeTempDir();
    const def = JSON.stringify({
      name: 'my_tool',
      version: '1.0.0',
      description: 'x',
      inputSchema: { type: 'object' },
    });
    writeTree(join(parent, 'project'), {
      'agent/agent.yaml':
        'name: cat-agent\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: my_tool\n    version: ^1.0.0\n',
      'cat/my_tool/1.0.0.json': def,
    });
    const project = join(parent, 'project');
    const built = runCli(['build', 'agent', '--catalog', 'cat', '--runtime', 'test-echo', '--out', 'cat-agent.agent'], {
      cwd: project,
      env: ENV,
    });
    expect(built.status).toBe(0);
    const lock = readFileSync(join(project, 'agent', 'agent.lock'));
    expect(JSON.parse(lock.toString()).resolved.tools[0]).toMatchObject({ name: 'my_tool', source: 'catalog:../cat' });
    expect(lock.toString()).not.toContain(parent);
    renameSync(project, join(parent, 'moved'));
    const moved = join(parent, 'moved');
    const frozen = runCli(['build', 'agent', '--catalog', 'cat', '--out', 'again.agent'], {
      cwd: moved,
      env: { ...ENV, CI: 'true' },
    });
    expect(frozen.stderr).not.toContain('Error');
    expect(frozen.status).toBe(0);
    expect(readFileSync(join(moved, 'agent', 'agent.lock')).equals(lock)).toBe(true);
    const locked = runCli(['lock', 'agent', '--catalog', 'cat', '--frozen'], { cwd: moved, env: ENV });
    expect(locked.status).toBe(0);
    expect(locked.stdout).toContain('is up to date (frozen)');
  });
});
