/**
 * Every error code `@agentlang/lock` throws; switch on `error.code`. Codes all start with `LOCK_` so
 * the CLI maps them to exit status 12 (the LOCK family), including signature failures: a CI script
 * tells "the lock is wrong or untrusted" (12) apart from everything else without parsing messages.
 */
export const LockErrorCode = {
  /** The lock no longer matches the agent: manifest digest, a source file, the prompt, a tool or an MCP schema changed. */
  Drift: 'LOCK_DRIFT',
  /** Lock or envelope bytes are not what the format requires (bad JSON, missing or extra field, wrong type, bad base64). */
  Malformed: 'LOCK_MALFORMED',
  /** The lock's `schema` is neither `agentlang.lock/v2` nor `agentlang.lock/v1`. */
  SchemaUnsupported: 'LOCK_SCHEMA_UNSUPPORTED',
  /** No signature in the envelope verifies against any of the trusted public keys. */
  SignatureInvalid: 'LOCK_SIGNATURE_INVALID',
  /** A signed lock was required (a public key was given) but the lock file holds a plain lock. */
  Unsigned: 'LOCK_UNSIGNED',
  /** The envelope's payload type is not the one the caller expects (e.g. a container signature presented as a lock). */
  PayloadType: 'LOCK_PAYLOAD_TYPE',
  /** A private or public key is not 64 hex characters (32 bytes), or a NaCl secret key's halves disagree. */
  KeyInvalid: 'LOCK_KEY_INVALID',
  /** The environment variable named for the signing key is unset or empty. */
  KeyMissing: 'LOCK_KEY_MISSING',
  /** The lock file does not exist (run `agentlang lock <agent>` first). */
  NotFound: 'LOCK_NOT_FOUND',
  /** Reading or writing the lock file failed for another reason (permissions, disk full). */
  Io: 'LOCK_IO',
} as const;

/** One of the string codes in {@link LockErrorCode}. */
export type LockErrorCode = (typeof LockErrorCode)[keyof typeof LockErrorCode];

/** The one error class of `@agentlang/lock`: switch on `code`, read `details` for structure. */
export class LockError extends Error {
  override readonly name = 'LockError';
  readonly code: LockErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: LockErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
