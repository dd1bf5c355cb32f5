import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, cliKeygenX25519, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { beforeAll, describe, expect, it } from 'vitest';

// End-to-end against the bundled CLI: keygen --x25519, build, inspect, verify, and run of a container.

const ENV = {
  CI: undefined,
  AGENTLANG_SIGNING_KEY: undefined,
  AGENTLANG_PUBKEY: undefined,
  AGENTLANG_IDENTITY: undefined,
  AGENTLANG_RECIPIENT: undefined,
  AGENTLANG_REVIEW_URL: undefined,
};

const AGENT = {
  'echo/agent.yaml': 'name: echo-agent\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: web_search\n',
  'echo/prompt.yaml':
    'version: 2\nsections:\n  - name: who_you_are\n    content: |\n      You echo, and use web_search. Secret marker: PURPLE-OCTOPUS.\n',
  'echo/context/templates/report.md': '# Report\n',
};

let cwd: string;
let signer: { key: string; pub: string };
let x: { identity: string; recipient: string };

beforeAll(() => {
  cwd = makeTempDir();
  writeTree(cwd, AGENT);
  const k = cliKeygen({ cwd, env: ENV });
  signer = { key: k.priv, pub: k.pub };
  x = cliKeygenX25519({ cwd, env: ENV });
  const b = runCli(['build', 'echo', '--sign-key-env', 'MY_KEY', '--recipient', x.recipient], {
    cwd,
    env: { ...ENV, MY_KEY: signer.key },
  });
  expect(b.stderr).toBe('');
  expect(b.status).toBe(0);
});

describe('agentlang keygen --x25519', () => {
  it('prints an identity and a recipient with clear prefixes', () => {
    expect(x.identity).toMatch(/^AGENTLANG-X25519-SECRET-[0-9a-f]{64}$/);
    expect(x.recipient).toMatch(/^agentlang-x25519-[0-9a-f]{64}$/);
    const json = JSON.parse(runCli(['keygen', '--x25519', '--json'], { cwd, env: ENV }).stdout);
    expect(json).toMatchObject({ type: 'x25519', keyid: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe('agentlang build', () => {
  it('writes name@version.agent with the lock, and never the prompt in plaintext', () => {
    const bytes = readFileSync(join(cwd, 'echo-agent@1.0.0.agent'));
    expect(bytes.subarray(257, 262).toString()).toBe('ustar');
    expect(bytes.includes(Buffer.from('PURPLE-OCTOPUS'))).toBe(false);
    expect(readFileSync(join(cwd, 'echo/agent.lock'), 'utf8')).toContain('agentlang.lock/v2');
  });

  it('refuses to store a prompt with no recipient (exit 16) and --frozen refuses a lock change', () => {
    const r = runCli(['build', 'echo', '--out', 'x.agent'], { cwd, env: ENV });
    expect(r.status).toBe(16);
    expect(r.stderr).toContain('--recipient');
    writeFileSync(join(cwd, 'echo/agent.yaml'), `${AGENT['echo/agent.yaml']}description: changed\n`);
    const f = runCli(['build', 'echo', '--frozen', '--recipient', x.recipient, '--out', 'y.agent', '--json'], {
      cwd,
      env: ENV,
    });
    expect(f.status).toBe(16);
    expect(JSON.parse(f.stdout).error.code).toBe('CONTAINER_FROZEN');
    writeFileSync(join(cwd, 'echo/agent.yaml'), AGENT['echo/agent.yaml']);
  });

  it('reports progress on stderr for a large context, and keeps stdout for the result', () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'big/agent.yaml': 'name: big\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\n',
      'big/context/data.bin': Buffer.alloc(20 * 1024 * 1024, 7),
    });
    const r = runCli(['build', 'big'], { cwd: dir, env: ENV });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('packing context  20.0/20.0 MiB (100%)');
    expect(r.stderr).toContain('warning: the container is NOT signed');
    expect(r.stdout).toContain('Built ');
    expect(r.stdout).not.toContain('packing context');
  });

  it('--quality reports offline findings on stderr and fails on errors', () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'q/agent.yaml': 'name: q\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\ntools:\n  - name: sqlite\n',
      'q/prompt.yaml':
        'version: 2\nsections:\n  - name: intro\n    content: TODO\n  - name: tools\n    content: |\n      Call fetch_page(url) for {{user_profile}}.\n',
    });
    const r = runCli(['build', 'q', '--quality', '--recipient', x.recipient], { cwd: dir, env: ENV });
    expect(r.status).toBe(16);
    expect(r.stderr).toContain('quality error: [offline] intro: section "intro" is empty');
    expect(r.stderr).toContain('{{user_profile}}');
    expect(r.stderr).toContain('"fetch_page"');
    expect(r.stderr).toContain('tool "sqlite" is declared but the prompt never mentions it');
  });
});

describe('agentlang inspect and verify', () => {
  it('inspect lists entries, signature key id and recipients without decrypting', () => {
    const r = runCli(['inspect', 'echo-agent@1.0.0.agent'], { cwd, env: ENV });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('echo-agent@1.0.0  (agentlang.container/v1)');
    expect(r.stdout).toMatch(/signed by key id [0-9a-f]{64} \(not verified/);
    expect(r.stdout).toContain('context/templates/report.md');
    const info = JSON.parse(runCli(['inspect', 'echo-agent@1.0.0.agent', '--json'], { cwd, env: ENV }).stdout);
    expect(info.encryption.recipients).toEqual([{ type: 'x25519', keyId: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(info.entries.map((e: { path: string }) => e.path)).toEqual([
      'agent.yaml',
      'prompt.yaml.enc',
      'agent.lock',
      'context/templates/report.md',
    ]);
    expect(JSON.stringify(info)).not.toContain('PURPLE');
  });

  it('verify accepts the signer, refuses another key and a flipped byte (exit 16)', () => {
    const ok = runCli(['verify', 'echo-agent@1.0.0.agent', '--pubkey', signer.pub], { cwd, env: ENV });
    expect(ok.stdout).toBe('VALID: signature verifies for echo-agent@1.0.0; all 6 entries match manifest.json\n');
    const other = cliKeygen({ cwd, env: ENV }).pub;
    const bad = runCli(['verify', 'echo-agent@1.0.0.agent', '--pubkey', other, '--json'], { cwd, env: ENV });
    expect(bad.status).toBe(16);
    expect(JSON.parse(bad.stdout).error.code).toBe('CONTAINER_SIGNATURE_INVALID');
    const bytes = readFileSync(join(cwd, 'echo-agent@1.0.0.agent'));
    bytes[bytes.length - 1024 - 600] = bytes[bytes.length - 1024 - 600]! ^ 0x20;
    writeFileSync(join(cwd, 'tampered.agent'), bytes);
    const t = runCli(['verify', 'tampered.agent', '--pubkey', signer.pub], { cwd, env: ENV });
    expect(t.status).toBe(16);
    expect(t.stderr).toMatch(/^Error: /);
    expect(runCli(['verify', 'echo-agent@1.0.0.agent'], { cwd, env: ENV }).status).toBe(2);
  });
});

describe('agentlang run <container>', () => {
  it('verifies, decrypts and runs it under the sandbox, enforcing its lock', () => {
    const r = runCli(['run', 'echo-agent@1.0.0.agent', '--pubkey', signer.pub, '--prompt', 'hi', '--json'], {
      cwd,
      env: { ...ENV, AGENTLANG_IDENTITY: x.identity },
    });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const info = JSON.parse(runCli(['inspect', 'echo-agent@1.0.0.agent', '--json'], { cwd, env: ENV }).stdout);
    expect(doc).toMatchObject({ outcome: 'success', record: { agent: { name: 'echo-agent', version: '1.0.0' } } });
    expect(JSON.stringify(doc.record)).toContain(info.agent.digest);
    // The container's signature (verified under --pubkey) covers its agent.lock: the record says so.
    expect(doc.record.lock).toEqual({
      digest: expect.stringMatching(/^sha256:/),
      signed: true,
      verified: true,
      signature: 'container',
      key_ids: [expect.stringMatching(/^[0-9a-f]{64}$/)],
      portable_digest: expect.stringMatching(/^sha256:/),
      host: expect.objectContaining({ runtime: 'test-echo' }),
    });
    expect(r.stderr).toContain('[test-echo] echo-agent@1.0.0');
  });

  it('takes the identity from --identity-env', () => {
    const r = runCli(
      ['run', 'echo-agent@1.0.0.agent', '--pubkey', signer.pub, '--identity-env', 'MINE', '--prompt', 'hi'],
      { cwd, env: { ...ENV, MINE: x.identity } },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[test-echo] echo-agent@1.0.0');
  });

  it('refuses before anything spawns: no --pubkey, untrusted key, no or wrong identity (all 16)', () => {
    const other = cliKeygenX25519({ cwd, env: ENV });
    const cases: Array<[string[], Record<string, string | undefined>, number, string]> = [
      [[], { AGENTLANG_IDENTITY: x.identity }, 16, '--pubkey'],
      [['--pubkey', cliKeygen({ cwd, env: ENV }).pub], { AGENTLANG_IDENTITY: x.identity }, 16, 'do not trust'],
      [['--pubkey', signer.pub], {}, 16, 'no identity or passphrase'],
      [['--pubkey', signer.pub], { AGENTLANG_IDENTITY: other.identity }, 16, 'wrong identity'],
    ];
    for (const [args, extra, status, message] of cases) {
      const r = runCli(['run', 'echo-agent@1.0.0.agent', ...args, '--prompt', 'hi'], {
        cwd,
        env: { ...ENV, ...extra },
      });
      expect(r.status, message).toBe(status);
      expect(r.stderr).toContain(message);
      expect(r.stdout).not.toContain('Launching');
    }
  });
});
