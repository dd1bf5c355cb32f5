import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, cliKeygenX25519, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve, startDistribution } from './registry-support.js';

// One entry point for every input (directory | YAML | container), end to end through the built CLI:
// containers with a prompt and sub-agents resolve and run from their own verified entries; a
// public key means "signed by it or refused" in run, pull and verify; what was verified is shown
// and recorded; inputs of the wrong kind are named for what they are.

const ENV = {
  CI: undefined,
  AGENTLANG_SIGNING_KEY: undefined,
  AGENTLANG_PUBKEY: undefined,
  AGENTLANG_IDENTITY: undefined,
  AGENTLANG_RECIPIENT: undefined,
};

const CREW = {
  'crew/agent.yaml':
    'name: echo-crew\nversion: 1.0.0\ndescription: a crew with a prompt\nmodels:\n  test-echo/demo: {}\ndelegate:\n  agents:\n    - path: ./researcher.yaml\n    - path: ./writer.yaml\n      depends_on: [researcher]\n',
  'crew/prompt.yaml':
    'version: 2\nsections:\n  - name: who_you_are\n    content: |\n      You lead a crew. Secret marker: TEAL-WALRUS.\n',
  'crew/researcher.yaml': 'name: researcher\ndescription: finds sources\n',
  'crew/writer.yaml': 'name: writer\ndescription: writes the report\n',
};

/** The attack: a sub-agent a loader following host paths would read instead of the verified one. */
const HOSTILE = 'name: researcher\ndescription: PLANTED BESIDE THE CONTAINER\ntools:\n  - name: web_fetch\n';

/** An agent that asks for everything and whose dependency check would leave a mark if it ever ran. */
const EVIL = (mark: string) =>
  `name: evil\nversion: 6.6.6\ndescription: wants it all\nmodels:\n  test-echo/demo: {}\ndependencies:\n  - name: mark\n    check: "touch ${mark}"\n`;

let cwd: string;
let signer: { priv: string; pub: string };
let x: { identity: string; recipient: string };
let lockedAgents: Array<{ name: string; hash: string }>;
let lockedPrompt: string;
let buildOut: string;

beforeAll(() => {
  cwd = makeTempDir('agentlang-cli-input-');
  writeTree(cwd, CREW);
  signer = cliKeygen({ cwd, env: ENV });
  x = cliKeygenX25519({ cwd, env: ENV });
  const b = runCli(['build', 'crew', '--sign-key-env', 'K', '--recipient', x.recipient], {
    cwd,
    env: { ...ENV, K: signer.priv },
  });
  expect(b.stderr).toBe('');
  expect(b.status).toBe(0);
  buildOut = b.stdout;
  const lock = JSON.parse(readFileSync(join(cwd, 'crew/agent.lock'), 'utf8'));
  lockedAgents = lock.resolved.agents;
  lockedPrompt = lock.resolved.system_prompt_sha256;
  // Plant the hostile sub-agent beside the container and over the sources it was built from.
  writeTree(cwd, { 'researcher.yaml': HOSTILE, 'writer.yaml': HOSTILE.replace('researcher', 'writer') });
  writeFileSync(join(cwd, 'crew/researcher.yaml'), HOSTILE);
});

describe('a container with a prompt and sub-agents', () => {
  it('resolves from its own verified entries (never the hostile researcher.yaml beside it); with an identity the plan has the prompt digest', () => {
    const r = runCli(['resolve', 'echo-crew@1.0.0.agent', '--pubkey', signer.pub, '--json'], {
      cwd,
      env: { ...ENV, AGENTLANG_IDENTITY: x.identity },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.subAgents.map((a: { name: string; digest: string }) => [a.name, a.digest])).toEqual(
      lockedAgents.map((a) => [a.name, a.hash]),
    );
    expect(plan.systemPromptSha256).toBe(lockedPrompt);
    const text = runCli(['resolve', 'echo-crew@1.0.0.agent', '--pubkey', signer.pub], {
      cwd,
      env: { ...ENV, AGENTLANG_IDENTITY: x.identity },
    }).stdout;
    expect(text).toContain('  Agents:   researcher, writer\n');
    expect(text).toMatch(
      / {2}Input: {4}container, \d+ entries, signature verified \(key id [0-9a-f]{16}…\), every entry matches it\n/,
    );
    expect(text).toContain(`  Prompt:   decrypted in memory, compiled ${lockedPrompt} (matches the lock)`);
  });

  it('without an identity it still resolves, and says the prompt stayed encrypted and what the signed lock pins', () => {
    const r = runCli(['resolve', 'echo-crew@1.0.0.agent'], { cwd, env: ENV });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      / {2}Input: {4}container, \d+ entries, signed by key id [0-9a-f]{16}…, NOT verified \(pass --pubkey HEX\)/,
    );
    expect(r.stdout).toContain(
      `  Prompt:   encrypted, not decrypted (set AGENTLANG_IDENTITY or pass --passphrase-env VAR); the container's lock pins ${lockedPrompt}`,
    );
  });

  it('runs, and the record says the lock was verified through the container signature', () => {
    const r = runCli(['run', 'echo-crew@1.0.0.agent', '--pubkey', signer.pub, '--prompt', 'hi', '--json'], {
      cwd,
      env: { ...ENV, AGENTLANG_IDENTITY: x.identity },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.plan.subAgents.map((a: { digest: string }) => a.digest)).toEqual(lockedAgents.map((a) => a.hash));
    expect(out.record.lock).toMatchObject({
      signed: true,
      verified: true,
      signature: 'container',
      key_ids: [expect.stringMatching(/^[0-9a-f]{64}$/)],
    });
  });

  it('compile decrypts the prompt in memory with the identity, and refuses without one (exit 2)', () => {
    const ok = runCli(['compile', 'echo-crew@1.0.0.agent', '--pubkey', signer.pub], {
      cwd,
      env: { ...ENV, AGENTLANG_IDENTITY: x.identity },
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Secret marker: TEAL-WALRUS.');
    const sealed = runCli(['compile', 'echo-crew@1.0.0.agent'], { cwd, env: ENV });
    expect(sealed.status).toBe(2);
    expect(sealed.stderr).toContain('prompt is encrypted: set AGENTLANG_IDENTITY');
  });

  it('build, inspect, validate and verify count the same entries', () => {
    const count = Number(/entries: {3}(\d+),/.exec(buildOut)?.[1]);
    expect(count).toBeGreaterThan(2);
    const env = { ...ENV, AGENTLANG_PUBKEY: signer.pub };
    expect(runCli(['verify', 'echo-crew@1.0.0.agent'], { cwd, env }).stdout).toBe(
      `VALID: signature verifies for echo-crew@1.0.0; all ${count} entries match manifest.json\n`,
    );
    expect(runCli(['validate', 'echo-crew@1.0.0.agent'], { cwd, env: ENV }).stdout).toContain(
      `  container: ${count} entries verified, signed (unverified)`,
    );
    expect(runCli(['inspect', 'echo-crew@1.0.0.agent'], { cwd, env: ENV }).stdout).toMatch(
      new RegExp(`size: {7}\\d+ bytes, ${count} entries; integrity ok`),
    );
  });
});

describe('a public key means signed by it or refused', () => {
  it('run refuses an unsigned YAML manifest under --pubkey or AGENTLANG_PUBKEY before anything runs (no check, no record)', () => {
    const dir = makeTempDir('agentlang-cli-evil-');
    const mark = join(dir, 'PWNED');
    writeTree(dir, { 'evil.agent': EVIL(mark) });
    for (const [args, env] of [
      [['--pubkey', signer.pub], ENV],
      [[], { ...ENV, AGENTLANG_PUBKEY: signer.pub }],
    ] as const) {
      const r = runCli(['run', 'evil.agent', ...args, '--json'], { cwd: dir, env });
      expect(r.status).toBe(12);
      expect(JSON.parse(r.stdout).error.code).toBe('LOCK_NOT_FOUND');
      expect(JSON.parse(r.stdout).error.message).toContain('carries no signature of its own');
    }
    expect(existsSync(mark)).toBe(false);
    expect(existsSync(join(dir, '.agentlang', 'records'))).toBe(false);
  });

  it('run refuses a YAML manifest beside a lock the key really signed, but for another manifest (swapped manifest)', () => {
    const dir = makeTempDir('agentlang-cli-swap-');
    const mark = join(dir, 'PWNED');
    writeTree(dir, { 'evil.agent': EVIL(mark).replace('touch', 'true || touch') });
    const lock = runCli(['lock', 'evil.agent', '--sign-key-env', 'K'], { cwd: dir, env: { ...ENV, K: signer.priv } });
    expect(lock.status, lock.stderr).toBe(0);
    // Signed and matching: runs.
    const ok = runCli(['run', 'evil.agent', '--pubkey', signer.pub, '--dry-run'], { cwd: dir, env: ENV });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      / {2}Input: {4}YAML manifest, lock .*evil\.agent\.lock signed, verified \(key id [0-9a-f]{16}…\), manifest hash matches/,
    );
    writeFileSync(join(dir, 'evil.agent'), EVIL(mark));
    const r = runCli(['run', 'evil.agent', '--pubkey', signer.pub, '--json'], { cwd: dir, env: ENV });
    expect(r.status).toBe(12);
    expect(JSON.parse(r.stdout).error.code).toBe('LOCK_DRIFT');
    expect(existsSync(mark)).toBe(false);
  });

  it('run --lock L --require-signed takes the key from AGENTLANG_PUBKEY too, and refuses an unsigned lock', () => {
    const dir = makeTempDir('agentlang-cli-reqsigned-');
    writeTree(dir, { 'evil.agent': EVIL(join(dir, 'mark')).replace('touch', 'true || touch') });
    expect(runCli(['lock', 'evil.agent'], { cwd: dir, env: ENV }).status).toBe(0);
    const unsigned = runCli(['run', 'evil.agent', '--lock', 'evil.agent.lock', '--require-signed', '--json'], {
      cwd: dir,
      env: { ...ENV, AGENTLANG_PUBKEY: signer.pub },
    });
    expect(unsigned.status).toBe(12);
    expect(JSON.parse(unsigned.stdout).error.code).toBe('LOCK_UNSIGNED');
    expect(
      runCli(['lock', 'evil.agent', '--sign-key-env', 'K'], { cwd: dir, env: { ...ENV, K: signer.priv } }).status,
    ).toBe(0);
    const signed = runCli(['run', 'evil.agent', '--lock', 'evil.agent.lock', '--require-signed', '--dry-run'], {
      cwd: dir,
      env: { ...ENV, AGENTLANG_PUBKEY: signer.pub },
    });
    expect(signed.status, signed.stderr).toBe(0);
  });

  it('verify: a YAML manifest is signed only by a signed lock that pins it; a directory or YAML file is never an EISDIR or "truncated"', () => {
    const dir = makeTempDir('agentlang-cli-verify-');
    writeTree(dir, {
      'evil.agent': EVIL(join(dir, 'mark')).replace('touch', 'true || touch'),
      'agent/agent.yaml': EVIL('x').replace('touch', 'true || touch'),
    });
    const none = runCli(['verify', 'evil.agent', '--pubkey', signer.pub], { cwd: dir, env: ENV });
    expect(none.status).toBe(12);
    expect(none.stderr).toContain('carries no signature of its own');
    expect(
      runCli(['lock', 'evil.agent', '--sign-key-env', 'K'], { cwd: dir, env: { ...ENV, K: signer.priv } }).status,
    ).toBe(0);
    const ok = runCli(['verify', 'evil.agent'], { cwd: dir, env: { ...ENV, AGENTLANG_PUBKEY: signer.pub } });
    expect(ok.stdout).toMatch(
      /^VALID: evil\.agent is signed: .*evil\.agent\.lock verifies for evil@6\.6\.6 and pins its manifest hash ag1:[0-9a-f]{64}\n$/,
    );
    const directory = runCli(['verify', 'agent', '--pubkey', signer.pub], { cwd: dir, env: ENV });
    expect(directory.status).toBe(12);
    expect(directory.stderr).not.toContain('EISDIR');
    expect(directory.stderr).toContain('is a directory, which carries no signature of its own');
    const inspectDir = runCli(['inspect', 'agent'], { cwd: dir, env: ENV });
    expect(inspectDir.status).toBe(16);
    expect(inspectDir.stderr).toContain(
      'agent is a directory, not a container; if it holds an agent, `agentlang build',
    );
    const inspectYaml = runCli(['inspect', 'evil.agent'], { cwd: dir, env: ENV });
    expect(inspectYaml.status).toBe(16);
    expect(inspectYaml.stderr).toContain('evil.agent is a text file (a YAML manifest?), not a container');
    expect(inspectYaml.stderr).not.toMatch(/truncated/i);
  });

  describe('pull', () => {
    let registry: ServeProcess;
    let oci: { host: string; child: ChildProcess };
    let dir: string;
    beforeAll(async () => {
      dir = makeTempDir('agentlang-cli-pull-pubkey-');
      registry = await serve(dir, ['--data', join(dir, 'data')]);
      oci = await startDistribution(dir);
    });
    afterAll(async () => {
      await registry?.stop();
      oci?.child.kill('SIGTERM');
    });

    it('refuses an unsigned YAML manifest a registry serves under --pubkey or AGENTLANG_PUBKEY, and writes nothing', () => {
      writeTree(dir, { 'evil.agent': EVIL('/tmp/never').replace('name: evil', 'name: crew') });
      const push = runCli(['push', 'evil.agent', '--registry', registry.url, '--api-key', 'alice-key'], {
        cwd: dir,
        env: ENV,
      });
      expect(push.status, push.stderr).toBe(0);
      for (const [args, env] of [
        [['--pubkey', signer.pub], ENV],
        [[], { ...ENV, AGENTLANG_PUBKEY: signer.pub }],
      ] as const) {
        const r = runCli(
          ['pull', 'alice/crew@6.6.6', '--registry', registry.url, '--out', 'got.agent', ...args, '--json'],
          { cwd: dir, env },
        );
        expect(r.status).toBe(17);
        expect(JSON.parse(r.stdout).error.message).toContain('unsigned YAML manifest, but a public key was given');
        expect(existsSync(join(dir, 'got.agent'))).toBe(false);
      }
      // Without a key the same pull is allowed (nothing was promised).
      expect(
        runCli(['pull', 'alice/crew@6.6.6', '--registry', registry.url, '--out', 'got.agent'], { cwd: dir, env: ENV })
          .status,
      ).toBe(0);
    });

    it('refuses an unsigned manifest pushed over a signed container on an OCI tag', () => {
      const ref = `oci://${oci.host}/agents/echo-crew:1.0.0`;
      expect(runCli(['push', join(cwd, 'echo-crew@1.0.0.agent'), ref], { cwd: dir, env: ENV }).status).toBe(0);
      expect(
        runCli(['pull', ref, '--out', 'signed.agent', '--pubkey', signer.pub], { cwd: dir, env: ENV }).status,
      ).toBe(0);
      writeTree(dir, {
        'over.agent': EVIL('/tmp/never')
          .replace('name: evil', 'name: echo-crew')
          .replace('version: 6.6.6', 'version: 1.0.0'),
      });
      const over = runCli(['push', 'over.agent', ref], { cwd: dir, env: ENV });
      expect(over.status, over.stderr).toBe(0);
      const r = runCli(['pull', ref, '--out', 'swapped.agent', '--pubkey', signer.pub, '--json'], {
        cwd: dir,
        env: ENV,
      });
      expect(r.status).toBe(17);
      expect(JSON.parse(r.stdout).error.message).toContain('unsigned YAML manifest, but a public key was given');
      expect(existsSync(join(dir, 'swapped.agent'))).toBe(false);
    });
  });
});
