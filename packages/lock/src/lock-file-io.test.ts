import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@agentlang/signing';
import { makeTempDir, thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createLock, LockError, lockPathFor, readLockFile, serializeLock, signLock, writeLockFile } from './index.js';
import { demoPlan } from './testing/plans.js';

const codeOf = (fn: () => unknown): string => thrownBy(LockError, fn).code;

describe('lockPathFor', () => {
  it("puts a file's lock beside it and a directory's lock inside it", () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'research'));
    expect(lockPathFor(join(dir, 'demo.agent'))).toBe(join(dir, 'demo.agent.lock'));
    expect(lockPathFor('demo.agent')).toBe('demo.agent.lock');
    expect(lockPathFor(join(dir, 'research'))).toBe(join(dir, 'research', 'agent.lock'));
    expect(lockPathFor(`${join(dir, 'research')}/`)).toBe(join(dir, 'research', 'agent.lock'));
  });
});

describe('readLockFile / writeLockFile', () => {
  const keys = generateSigningKeyPair();
  const lock = createLock(demoPlan(), { manifestPath: 'demo.agent' });
  const plain = serializeLock(lock);
  const signed = signLock(lock, [keys]);

  it('writes atomically (no temp file left) and reads plain locks back', () => {
    const dir = makeTempDir();
    const path = join(dir, 'demo.agent.lock');
    writeLockFile(path, plain);
    writeLockFile(path, plain);
    expect(readdirSync(dir)).toEqual(['demo.agent.lock']);
    expect(readFileSync(path)).toEqual(Buffer.from(plain));
    expect(readLockFile(path)).toMatchObject({ lock, signed: false, verified: false, keyids: [] });
  });

  it('reads signed locks: unverified without keys, verified with them', () => {
    const path = join(makeTempDir(), 'demo.agent.lock');
    writeLockFile(path, signed);
    expect(readLockFile(path)).toMatchObject({ lock, signed: true, verified: false });
    expect(readLockFile(path, { publicKeys: [keys.publicKey] })).toMatchObject({ lock, signed: true, verified: true });
  });

  it('fails closed: keys or requireSigned against a plain lock, requireSigned without keys', () => {
    const path = join(makeTempDir(), 'demo.agent.lock');
    writeLockFile(path, plain);
    expect(codeOf(() => readLockFile(path, { publicKeys: [keys.publicKey] }))).toBe('LOCK_UNSIGNED');
    expect(codeOf(() => readLockFile(path, { requireSigned: true }))).toBe('LOCK_KEY_MISSING');
    writeLockFile(path, signed);
    expect(
      codeOf(() => readLockFile(path, { requireSigned: true, publicKeys: [generateSigningKeyPair().publicKey] })),
    ).toBe('LOCK_SIGNATURE_INVALID');
  });

  it('reports a missing file, an unwritable target and a garbage file precisely', () => {
    const dir = makeTempDir();
    expect(codeOf(() => readLockFile(join(dir, 'nope.lock')))).toBe('LOCK_NOT_FOUND');
    expect(codeOf(() => writeLockFile(join(dir, 'missing-dir', 'x.lock'), plain))).toBe('LOCK_IO');
    writeFileSync(join(dir, 'bad.lock'), 'schema: yaml?');
    expect(codeOf(() => readLockFile(join(dir, 'bad.lock')))).toBe('LOCK_MALFORMED');
  });
});
