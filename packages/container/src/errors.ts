/** Every error code `@agentlang/container` throws; switch on `error.code`. */
export const ContainerErrorCode = {
  /** The file is not a container (no ustar magic, or not our layout). */
  NOT_A_CONTAINER: 'CONTAINER_NOT_A_CONTAINER',
  /** The archive ends before an entry or the end-of-archive marker is complete. */
  TRUNCATED: 'CONTAINER_TRUNCATED',
  /** Bytes follow the end-of-archive marker. */
  TRAILING_DATA: 'CONTAINER_TRAILING_DATA',
  /** A tar header is malformed, has a bad checksum, or differs from the canonical form the builder writes. */
  TAR_HEADER: 'CONTAINER_TAR_HEADER',
  /** Padding after an entry's content is not all zero. */
  TAR_PADDING: 'CONTAINER_TAR_PADDING',
  /** An entry is a symbolic or hard link. */
  ENTRY_LINK: 'CONTAINER_ENTRY_LINK',
  /** An entry is not a regular file (device, fifo, directory, tar extension header). */
  ENTRY_TYPE: 'CONTAINER_ENTRY_TYPE',
  /** An entry name is unsafe: absolute, `..`, empty segment, backslash, control character, too long. */
  ENTRY_NAME: 'CONTAINER_ENTRY_NAME',
  /** Two entries have the same name, or names equal under Unicode normalisation or case folding. */
  ENTRY_DUPLICATE: 'CONTAINER_ENTRY_DUPLICATE',
  /** An entry is larger than the limit for its kind. */
  ENTRY_TOO_LARGE: 'CONTAINER_ENTRY_TOO_LARGE',
  /** An entry's name, order or size differs from the signed index. */
  ENTRY_MISMATCH: 'CONTAINER_ENTRY_MISMATCH',
  /** An entry is in the archive but not in the signed index. */
  ENTRY_UNLISTED: 'CONTAINER_ENTRY_UNLISTED',
  /** An entry's sha256 differs from the signed index. */
  DIGEST_MISMATCH: 'CONTAINER_DIGEST_MISMATCH',
  /** `manifest.json` is not a valid `agentlang.container/v1` index. */
  INDEX_INVALID: 'CONTAINER_INDEX_INVALID',
  /** The container carries no signature but one was required. */
  UNSIGNED: 'CONTAINER_UNSIGNED',
  /** A container must be verified (to run it) but no trusted public key was given. */
  KEY_MISSING: 'CONTAINER_KEY_MISSING',
  /** `signature.sig` is not a DSSE envelope over `manifest.json` with the container payload type. */
  SIGNATURE_MALFORMED: 'CONTAINER_SIGNATURE_MALFORMED',
  /** No signature verifies under any trusted public key. */
  SIGNATURE_INVALID: 'CONTAINER_SIGNATURE_INVALID',
  /** A key (signing key, public key, X25519 identity or recipient) is malformed. */
  KEY_INVALID: 'CONTAINER_KEY_INVALID',
  /** The prompt cannot be decrypted: no recipient matches the identity, or the passphrase is wrong. */
  DECRYPT_NO_MATCH: 'CONTAINER_DECRYPT_NO_MATCH',
  /** The encrypted prompt is malformed or a chunk failed authentication. */
  DECRYPT_FAILED: 'CONTAINER_DECRYPT_FAILED',
  /** Building needs something the agent does not provide, or a source file is unusable. */
  SOURCE_INVALID: 'CONTAINER_SOURCE_INVALID',
  /** A file or directory on the way into a container (context dir, a file in it, prompt, skill, sub-agent, manifest) is a symbolic link. */
  SOURCE_LINK: 'CONTAINER_SOURCE_LINK',
  /** `--frozen` was given but the lock is missing or would change. */
  FROZEN: 'CONTAINER_FROZEN',
  /** Unpacking would overwrite something: the target directory is not empty. */
  UNPACK_TARGET: 'CONTAINER_UNPACK_TARGET',
  /** Building was asked for something inconsistent (e.g. a passphrase env var that is unset). */
  OPTIONS_INVALID: 'CONTAINER_OPTIONS_INVALID',
  /** The LLM prompt reviewer could not be reached or answered badly. */
  REVIEW_FAILED: 'CONTAINER_REVIEW_FAILED',
} as const;

/** One of the string codes in {@link ContainerErrorCode}. */
export type ContainerErrorCodeValue = (typeof ContainerErrorCode)[keyof typeof ContainerErrorCode];

/** The one error class of `@agentlang/container`: a string `code`, a message to act on, structured `details`. */
export class ContainerError extends Error {
  readonly code: ContainerErrorCodeValue;
  readonly details: Record<string, unknown>;

  constructor(
    code: ContainerErrorCodeValue,
    message: string,
    details: Record<string, unknown> = {},
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContainerError';
    this.code = code;
    this.details = details;
  }
}
