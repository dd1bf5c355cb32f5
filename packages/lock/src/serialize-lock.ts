import { looksLikeEnvelope } from '@agentlang/signing';
import { LockError } from './errors.js';
import type { Lockfile } from './lock-schema.js';
import { normalizeLock } from './validate-lock.js';

const encoder = new TextEncoder();

/**
 * The lock file bytes: schema key order, sorted lists and maps, 2-space indent, trailing newline,
 * no timestamp. The same lock (whatever its in-memory key order) always gives the same bytes.
 */
export function serializeLock(lock: Lockfile): Uint8Array {
  return encoder.encode(`${JSON.stringify(normalizeLock(lock), null, 2)}\n`);
}

/**
 * Parses plain (unsigned) lock bytes strictly against `agentlang.lock/v2` (or v1, still read). A signed lock (an
 * envelope) is refused here: read it with readLockFile or verifyLock so the signature is checked first.
 */
export function parseLock(bytes: Uint8Array | string): Lockfile {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new LockError('LOCK_MALFORMED', `lock is not valid UTF-8 JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (looksLikeEnvelope(value)) {
    throw new LockError(
      'LOCK_MALFORMED',
      'this is a signed lock (a DSSE envelope), not a plain lock: verify it with verifyLock (`agentlang verify-lock <lock> --pubkey <hex>`) or read it with readLockFile',
    );
  }
  return normalizeLock(value);
}
