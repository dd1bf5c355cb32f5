import { describe, expect, it } from 'vitest';
import * as lock from './index.js';

describe('@agentlang/lock exports', () => {
  it('pins the public surface (adding or removing an export is a deliberate act)', () => {
    expect(Object.keys(lock).sort()).toEqual([
      'LOCK_PAYLOAD_TYPE',
      'LOCK_SCHEMA',
      'LOCK_SCHEMA_V1',
      'LockError',
      'LockErrorCode',
      'MAX_LOCK_BYTES',
      'assertLockMatches',
      'checkLock',
      'checkLockBeforeProbes',
      'checkLockFileBeforeProbes',
      'createLock',
      'driftError',
      'enforceLockFile',
      'isEnvelopeBytes',
      'lockHostPart',
      'lockPathFor',
      'lockPlan',
      'lockPortablePart',
      'normalizeLock',
      'parseLock',
      'parseLockFile',
      'portableLockDigest',
      'readLockFile',
      'runtimeVersionChange',
      'serializeLock',
      'signLock',
      'signingKeyFromEnv',
      'toLockError',
      'verifyLock',
      'writeLockFile',
    ]);
  });

  it('every error code is LOCK_-prefixed (the CLI maps the prefix to exit 12) and documented in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of Object.values(lock.LockErrorCode)) {
      expect(code).toMatch(/^LOCK_[A-Z_]+$/);
      expect(readme).toContain(`| \`${code}\` |`);
    }
  });
});
