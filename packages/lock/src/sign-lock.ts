import {
  envelopeFromJson,
  keyIdFor,
  looksLikeEnvelope,
  serializeEnvelope,
  signEnvelope,
  verifyEnvelopeDetailed,
} from '@agentlang/signing';
import { LockError } from './errors.js';
import { LOCK_PAYLOAD_TYPE, type Lockfile } from './lock-schema.js';
import { parseLock, serializeLock } from './serialize-lock.js';
import { asLockError } from './signing.js';

/**
 * Signs a lock: the result is the signed lock file, a JSON DSSE envelope whose payload is the
 * exact unsigned lock bytes and whose payload type is `application/vnd.agentlang.lock.v1+json`.
 * Given bytes, they are validated first and signed exactly as given.
 */
export function signLock(lock: Lockfile | Uint8Array, keys: Array<{ privateKey: string }>): Uint8Array {
  const bytes = lock instanceof Uint8Array ? lock : serializeLock(lock);
  if (lock instanceof Uint8Array) parseLock(bytes);
  return asLockError(() => serializeEnvelope(signEnvelope(LOCK_PAYLOAD_TYPE, bytes, keys)));
}

/** A lock whose signature verified. */
export interface VerifiedLock {
  lock: Lockfile;
  /** The exact lock bytes the signature covers. */
  payload: Uint8Array;
  /** Key ids of the trusted keys that signed it. */
  keyids: string[];
}

/**
 * Verifies signed lock bytes against trusted public keys, then parses the verified payload.
 * A plain lock fails with LOCK_UNSIGNED; a signature for another payload type with LOCK_PAYLOAD_TYPE.
 */
export function verifyLock(bytes: Uint8Array, options: { publicKeys: string[]; threshold?: number }): VerifiedLock {
  // A bad key is the caller's mistake whatever the file holds: report it first.
  asLockError(() => {
    for (const key of options.publicKeys) keyIdFor(key);
  });
  const value = parseJson(bytes);
  if (!looksLikeEnvelope(value)) {
    throw new LockError(
      'LOCK_UNSIGNED',
      'lock is not signed, but a signed lock is required; sign it with `agentlang lock <agent> --sign-key-env AGENTLANG_SIGNING_KEY`',
    );
  }
  const verified = asLockError(() =>
    verifyEnvelopeDetailed(envelopeFromJson(value), {
      publicKeys: options.publicKeys,
      payloadType: LOCK_PAYLOAD_TYPE,
      ...(options.threshold !== undefined && { threshold: options.threshold }),
    }),
  );
  return { lock: parseLock(verified.payload), payload: verified.payload, keyids: verified.keyids };
}

/** True when lock file bytes hold a JSON object with envelope keys (cheap sniff, no verification). */
export function isEnvelopeBytes(bytes: Uint8Array): boolean {
  try {
    return looksLikeEnvelope(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch {
    return false;
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new LockError('LOCK_MALFORMED', `lock file is not valid UTF-8 JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
