/** Every error code `@agentlang/container` throws; switch on `error.code`. */
export const ContainerErrorCode = {
  /** The file is not a container (no ustar magic, or not our layout). */
  NotAContainer: 'CONTAINER_NOT_A_CONTAINER',
  /** The archive ends before an entry or the end-of-archive marker is complete. */
  Truncated: 'CONTAINER_TRUNCATED',
  /** Bytes follow the end-of-archive marker. */
  TrailingData: 'CONTAINER_TRAILING_DATA',
  /** A tar header is malformed, has a bad checksum, or differs from the canonical form the builder writes. */
  TarHeader: 'CONTAINER_TAR_HEADER',
  /** Padding after an entry's content is not all zero. */
  TarPadding: 'CONTAINER_TAR_PADDING',
  /** An entry is a symbolic or hard link. */
  EntryLink: 'CONTAINER_ENTRY_LINK',
  /** An entry is not a regular file (device, fifo, directory, tar extension header). */
  EntryType: 'CONTAINER_ENTRY_TYPE',
  /** An entry name is unsafe: absolute, `..`, empty segment, backslash, control character, too long. */
  EntryName: 'CONTAINER_ENTRY_NAME',
  /** Two entries have the same name, or names equal under Unicode normalisation or case folding. */
  EntryDuplicate: 'CONTAINER_ENTRY_DUPLICATE',
  /** An entry is larger than the limit for its kind. */
  EntryTooLarge: 'CONTAINER_ENTRY_TOO_LARGE',
  /** An entry's name, order or size differs from the signed index. */
  EntryMismatch: 'CONTAINER_ENTRY_MISMATCH',
  /** An entry is in the archive but not in the signed index. */
  EntryUnlisted: 'CONTAINER_ENTRY_UNLISTED',
  /** An entry's sha256 differs from the signed index. */
  DigestMismatch: 'CONTAINER_DIGEST_MISMATCH',
  /** `manifest.json` is not a valid `agentlang.container/v1` index. */
  IndexInvalid: 'CONTAINER_INDEX_INVALID',
  /** The container carries no signature but one was required. */
  Unsigned: 'CONTAINER_UNSIGNED',
  /** A container must be verified (to run it) but no trusted public key was given. */
  KeyMissing: 'CONTAINER_KEY_MISSING',
  /** `signature.sig` is not a DSSE envelope over `manifest.json` with the container payload type. */
  SignatureMalformed: 'CONTAINER_SIGNATURE_MALFORMED',
  /** No signature verifies under any trusted public key. */
  SignatureInvalid: 'CONTAINER_SIGNATURE_INVALID',
  /** A key (signing key, public key, X25519 identity or recipient) is malformed. */
  KeyInvalid: 'CONTAINER_KEY_INVALID',
  /** The prompt cannot be decrypted: no recipient matches the identity, or the passphrase is wrong. */
  DecryptNoMatch: 'CONTAINER_DECRYPT_NO_MATCH',
  /** The encrypted prompt is malformed or a chunk failed authentication. */
  DecryptFailed: 'CONTAINER_DECRYPT_FAILED',
  /** Building needs something the agent does not provide, or a source file is unusable. */
  SourceInvalid: 'CONTAINER_SOURCE_INVALID',
  /** A file or directory on the way into a container (context dir, a file in it, prompt, skill, sub-agent, manifest) is a symbolic link. */
  SourceLink: 'CONTAINER_SOURCE_LINK',
  /** `--frozen` was given but the lock is missing or would change. */
  Frozen: 'CONTAINER_FROZEN',
  /** Unpacking would overwrite something: the target directory is not empty. */
  UnpackTarget: 'CONTAINER_UNPACK_TARGET',
  /** Building was asked for something inconsistent (e.g. a passphrase env var that is unset). */
  OptionsInvalid: 'CONTAINER_OPTIONS_INVALID',
  /** The LLM prompt reviewer could not be reached or answered badly. */
  ReviewFailed: 'CONTAINER_REVIEW_FAILED',
} as const;

/** One of the string codes in {@link ContainerErrorCode}. */
export type ContainerErrorCode = (typeof ContainerErrorCode)[keyof typeof ContainerErrorCode];

/** The one error class of `@agentlang/container`: a string `code`, a message to act on, structured `details`. */
export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  readonly code: ContainerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ContainerErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
