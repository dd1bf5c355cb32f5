/**
 * Every error code `@agentlang/signing` throws; switch on `error.code`. A caller that signs a
 * particular kind of document (a lock, a container, a record) maps these to its own family, so a
 * failure is reported as a failure of what was signed (see the README).
 */
export const SigningErrorCode = {
  /** Envelope bytes are not what the format requires (bad JSON, missing or extra field, wrong type, non-canonical base64, too many signatures). */
  Malformed: 'SIGNING_MALFORMED',
  /** The envelope's payload type is not the one the caller expects, or is not well-formed Unicode. */
  PayloadType: 'SIGNING_PAYLOAD_TYPE',
  /** Fewer than the required number of trusted keys produced a verifying signature. */
  SignatureInvalid: 'SIGNING_SIGNATURE_INVALID',
  /** A private or public key is not the right number of hex characters, not a valid Ed25519 point, or a NaCl secret key's halves disagree. */
  KeyInvalid: 'SIGNING_KEY_INVALID',
  /** No key was given where one is needed: no private key to sign with, no trusted public key, or an unset key variable. */
  KeyMissing: 'SIGNING_KEY_MISSING',
} as const;

/** One of the string codes in {@link SigningErrorCode}. */
export type SigningErrorCode = (typeof SigningErrorCode)[keyof typeof SigningErrorCode];

/** The one error class of `@agentlang/signing`: switch on `code`, read `details` for structure. */
export class SigningError extends Error {
  override readonly name = 'SigningError';
  readonly code: SigningErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: SigningErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
