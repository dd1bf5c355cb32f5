import { SigningError, type SigningErrorCode, signingKeyFromEnv as readSigningKey } from '@agentlang/signing';
import { LockError, type LockErrorCode } from './errors.js';

// A signature failure on a lock is a lock failure (exit 12 in the CLI), whatever package found it.
const LOCK_CODE_FOR: Record<SigningErrorCode, LockErrorCode> = {
  SIGNING_MALFORMED: 'LOCK_MALFORMED',
  SIGNING_PAYLOAD_TYPE: 'LOCK_PAYLOAD_TYPE',
  SIGNING_SIGNATURE_INVALID: 'LOCK_SIGNATURE_INVALID',
  SIGNING_KEY_INVALID: 'LOCK_KEY_INVALID',
  SIGNING_KEY_MISSING: 'LOCK_KEY_MISSING',
};

/**
 * Reports a `@agentlang/signing` failure as the {@link LockError} of the same meaning (same message
 * and details, the original as `cause`); any other value is returned unchanged.
 */
export function toLockError(error: unknown): unknown {
  if (!(error instanceof SigningError)) return error;
  return new LockError(LOCK_CODE_FOR[error.code], error.message, { details: error.details, cause: error });
}

/** Runs `fn`, turning a signing failure into a LockError (see {@link toLockError}). */
export function asLockError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toLockError(error);
  }
}

/**
 * Reads a hex Ed25519 private key from the environment variable `name` (never from a flag: `ps`
 * would show it), as `@agentlang/signing` does, failing with LOCK_KEY_MISSING / LOCK_KEY_INVALID.
 */
export function signingKeyFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): { privateKey: string; publicKey: string } {
  return asLockError(() => readSigningKey(name, env));
}
