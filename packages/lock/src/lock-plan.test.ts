import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@agentlang/signing';
import { makeTempDir, rejectedWith } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import {
  checkLockFileBeforeProbes,
  createLock,
  enforceLockFile,
  LOCK_SCHEMA_V1,
  serializeLock,
  LockError,
  lockPlan,
  parseLock,
  signingKeyFromEnv,
  verifyLock,
} from './index.js';
import { demoPlan } from './testing/plans.js';

const errorOf = (fn: () => unknown): Promise<LockError> => rejectedWith(LockError, fn);

const edited = () => demoPlan({ agent: { ...demoPlan().agent, digest: `ag1:${'f'.repeat(64)}` } });

describe('lockPlan', () => {
  const noCi = { env: {} };

  it('writes the lock, rewrites it identically, and signs it on request', () => {
    const dir = makeTempDir();
    const lockPath = join(dir, 'demo.agent.lock');
    const first = lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', ...noCi });
    expect(first).toMatchObject({ written: true, changed: true, previous: 'none', signed: false, frozen: false });
    const bytes = readFileSync(lockPath);
    expect(parseLock(bytes).manifest).toEqual({
      hash: `ag1:${'a'.repeat(64)}`,
      path: 'demo.agent',
      name: 'demo',
      version: '0.1.0',
    });
    const again = lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', ...noCi });
    expect(again).toMatchObject({ changed: false, previous: 'plain', drifts: [] });
    expect(readFileSync(lockPath)).toEqual(bytes);
    const keys = generateSigningKeyPair();
    const signed = lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', signingKeys: [keys], ...noCi });
    expect(signed).toMatchObject({ signed: true, changed: true, previous: 'plain' });
    expect(verifyLock(readFileSync(lockPath), { publicKeys: [keys.publicKey] }).lock.manifest.name).toBe('demo');
  });

  it('frozen: accepts an identical lock, refuses a missing or drifted one without touching the file', async () => {
    const dir = makeTempDir();
    const lockPath = join(dir, 'demo.agent.lock');
    const missing = await errorOf(() => lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true }));
    expect(missing.code).toBe('LOCK_NOT_FOUND');
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', ...noCi });
    const before = readFileSync(lockPath);
    expect(lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true })).toMatchObject({
      written: false,
      changed: false,
    });
    const drift = await errorOf(() => lockPlan(edited(), { lockPath, manifestPath: 'demo.agent', frozen: true }));
    expect(drift.code).toBe('LOCK_DRIFT');
    expect(drift.message).toBe(
      `manifest hash ag1:${'f'.repeat(64)} does not match lock's recorded hash ag1:${'a'.repeat(64)}\n` +
        '  Re-run `agentlang lock demo.agent` if the drift is intentional.',
    );
    // Same plan but a signature requested: still a change frozen mode refuses.
    const keys = generateSigningKeyPair();
    const sign = await errorOf(() =>
      lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true, signingKeys: [keys] }),
    );
    expect(sign.code).toBe('LOCK_DRIFT');
    expect(sign.message).toMatch(/not signed, and signing was requested/);
    expect(readFileSync(lockPath)).toEqual(before);
    // A signed lock with the same payload is up to date for a frozen check without the key (CI),
    // and for one with the same key; another key would rewrite it, so frozen refuses.
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {}, signingKeys: [keys] });
    expect(lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true })).toMatchObject({
      written: false,
      previous: 'signed',
    });
    expect(
      lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true, signingKeys: [keys] }).written,
    ).toBe(false);
    const other = await errorOf(() =>
      lockPlan(demoPlan(), {
        lockPath,
        manifestPath: 'demo.agent',
        frozen: true,
        signingKeys: [generateSigningKeyPair()],
      }),
    );
    expect(other.message).toMatch(/signed with other keys/);
    // Hand-reformatted but equivalent: frozen reports it rather than silently accepting other bytes.
    writeFileSync(lockPath, JSON.stringify(JSON.parse(before.toString())));
    expect(
      (await errorOf(() => lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true }))).message,
    ).toMatch(/canonical serialisation/);
  });

  it('frozen: a lock made on another host, for another runtime, holds; a v1 lock would change and says so', async () => {
    const dir = makeTempDir();
    const lockPath = join(dir, 'demo.agent.lock');
    // Made where claude-code ran the agent (xml prompt digest, another auth source and host).
    const there = demoPlan({
      runtime: { name: 'claude-code', binary: 'claude', available: true },
      promptTarget: 'xml',
      systemPromptSha256: demoPlan().systemPromptDigests!.xml!,
      model: null,
      authSource: 'subscription:claude',
      host: { os: 'darwin', arch: 'arm64' },
    });
    lockPlan(there, { lockPath, manifestPath: 'demo.agent', ...noCi });
    const bytes = readFileSync(lockPath);
    const here = lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true });
    expect(here).toMatchObject({ written: false, changed: false, drifts: [] });
    expect(here.lock.resolved.runtime).toBe('claude-code');
    expect(readFileSync(lockPath)).toEqual(bytes);
    // An agentlang.lock/v1 file is still read and checked, but frozen cannot upgrade it.
    writeFileSync(
      lockPath,
      serializeLock(createLock(demoPlan(), { manifestPath: 'demo.agent', schema: LOCK_SCHEMA_V1 })),
    );
    const v1 = await errorOf(() => lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true }));
    expect(v1.code).toBe('LOCK_DRIFT');
    expect(v1.message).toContain('it is agentlang.lock/v1; this agentlang writes agentlang.lock/v2');
    expect(lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', ...noCi }).lock.schema).toBe(
      'agentlang.lock/v2',
    );
  });

  it('keepMatching (build): keeps the lock byte for byte while its portable part holds; a signed one that must change needs a key', async () => {
    const dir = makeTempDir();
    const lockPath = join(dir, 'demo.agent.lock');
    const keys = generateSigningKeyPair();
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', signingKeys: [keys], ...noCi });
    const signed = readFileSync(lockPath);
    const other = demoPlan({
      runtime: { name: 'codex', binary: 'codex', available: false },
      authSource: 'env:OPENAI_API_KEY',
    });
    const kept = lockPlan(other, { lockPath, manifestPath: 'demo.agent', keepMatching: true, ...noCi });
    expect(kept).toMatchObject({ written: false, changed: false, signed: true });
    expect(readFileSync(lockPath)).toEqual(signed);
    const refused = await errorOf(() =>
      lockPlan(edited(), { lockPath, manifestPath: 'demo.agent', keepMatching: true, ...noCi }),
    );
    expect(refused.code).toBe('LOCK_KEY_MISSING');
    expect(readFileSync(lockPath)).toEqual(signed);
    const deferred = lockPlan(edited(), {
      lockPath,
      manifestPath: 'demo.agent',
      keepMatching: true,
      signingKeys: [keys],
      write: false,
      ...noCi,
    });
    expect(deferred).toMatchObject({ written: false, changed: true, signed: true });
    expect(readFileSync(lockPath)).toEqual(signed);
    expect(verifyLock(deferred.bytes, { publicKeys: [keys.publicKey] }).lock.manifest.hash).toBe(
      `ag1:${'f'.repeat(64)}`,
    );
  });

  it('is frozen by default when CI=true', async () => {
    const lockPath = join(makeTempDir(), 'demo.agent.lock');
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {} });
    const error = await errorOf(() =>
      lockPlan(edited(), { lockPath, manifestPath: 'demo.agent', env: { CI: 'true' } }),
    );
    expect(error.code).toBe('LOCK_DRIFT');
    expect(
      lockPlan(edited(), { lockPath, manifestPath: 'demo.agent', env: { CI: 'true' }, frozen: false }).written,
    ).toBe(true);
  });

  it('replaces an unreadable old lock unless frozen', async () => {
    const lockPath = join(makeTempDir(), 'demo.agent.lock');
    writeFileSync(lockPath, 'version: "1"\n');
    expect(
      (await errorOf(() => lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', frozen: true }))).code,
    ).toBe('LOCK_MALFORMED');
    expect(lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {} }).written).toBe(true);
  });
});

describe('checkLockFileBeforeProbes', () => {
  it('refuses a missing lock and drift with LOCK_NOT_FOUND / LOCK_DRIFT naming the agent, and passes a lock that holds', async () => {
    const lockPath = join(makeTempDir(), 'demo.agent.lock');
    const missing = await errorOf(() => checkLockFileBeforeProbes(demoPlan(), { lockPath, agentPath: 'demo.agent' }));
    expect(missing.code).toBe('LOCK_NOT_FOUND');
    expect(missing.message).toContain('`agentlang lock demo.agent`');
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {} });
    expect(checkLockFileBeforeProbes(demoPlan(), { lockPath, agentPath: 'demo.agent' })).toBeUndefined();
    const drift = await errorOf(() => checkLockFileBeforeProbes(edited(), { lockPath, agentPath: 'demo.agent' }));
    expect(drift.code).toBe('LOCK_DRIFT');
    expect(drift.message).toContain('Re-run `agentlang lock demo.agent`');
  });
});

describe('enforceLockFile', () => {
  it('passes a matching lock, catches drift, and fails closed on unsigned or wrongly signed locks', async () => {
    const lockPath = join(makeTempDir(), 'demo.agent.lock');
    const keys = generateSigningKeyPair();
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {} });
    expect(enforceLockFile(demoPlan(), { lockPath }).signed).toBe(false);
    expect((await errorOf(() => enforceLockFile(edited(), { lockPath }))).code).toBe('LOCK_DRIFT');
    expect((await errorOf(() => enforceLockFile(demoPlan(), { lockPath, requireSigned: true }))).code).toBe(
      'LOCK_KEY_MISSING',
    );
    expect(
      (
        await errorOf(() =>
          enforceLockFile(demoPlan(), { lockPath, requireSigned: true, publicKeys: [keys.publicKey] }),
        )
      ).code,
    ).toBe('LOCK_UNSIGNED');
    lockPlan(demoPlan(), { lockPath, manifestPath: 'demo.agent', env: {}, signingKeys: [keys] });
    expect(enforceLockFile(demoPlan(), { lockPath, requireSigned: true, publicKeys: [keys.publicKey] }).verified).toBe(
      true,
    );
    const stranger = generateSigningKeyPair();
    expect(
      (await errorOf(() => enforceLockFile(demoPlan(), { lockPath, publicKeys: [stranger.publicKey] }))).code,
    ).toBe('LOCK_SIGNATURE_INVALID');
  });
});

describe('signingKeyFromEnv', () => {
  const keys = generateSigningKeyPair();

  it('reads the key from the named variable', () => {
    expect(signingKeyFromEnv('AGENTLANG_SIGNING_KEY', { AGENTLANG_SIGNING_KEY: keys.privateKey })).toEqual(keys);
    expect(signingKeyFromEnv('K', { K: ` ${keys.privateKey}\n` }).publicKey).toBe(keys.publicKey);
  });

  it('never echoes a key: unset, malformed, or a key passed where a name belongs', async () => {
    const unset = await errorOf(() => signingKeyFromEnv('NOPE', {}));
    expect(unset.code).toBe('LOCK_KEY_MISSING');
    expect(unset.message).toContain('NOPE');
    const bad = await errorOf(() => signingKeyFromEnv('K', { K: `${keys.privateKey.slice(0, 60)}zz!!` }));
    expect(bad.code).toBe('LOCK_KEY_INVALID');
    expect(bad.message).not.toContain(keys.privateKey.slice(0, 60));
    const asName = await errorOf(() => signingKeyFromEnv(keys.privateKey, {}));
    expect(asName.code).toBe('LOCK_KEY_MISSING');
    expect(asName.message).not.toContain(keys.privateKey);
  });
});
