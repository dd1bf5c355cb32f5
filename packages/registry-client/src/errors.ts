/**
 * Every error code `@agentlang/registry-client` throws of its own; switch on `error.code`. Codes a server
 * answered with are relayed unchanged (`REGISTRY_VERSION_EXISTS`, `REGISTRY_UNAUTHORIZED`, …, see @agentlang/registry).
 */
export const RegistryClientErrorCode = {
  /** The registry answered non-2xx without an `{ error: { code } }` body (a proxy, another server). */
  Http: 'REGISTRY_HTTP',
  /** The registry could not be reached (refused, reset, timed out) after the retries. */
  Network: 'REGISTRY_NETWORK',
  /** The registry answered 2xx with something that is not what the API promises. */
  BadResponse: 'REGISTRY_BAD_RESPONSE',
  /** Pulled bytes do not match the sha256 or ag1 digest the reference, the server or the signed index promises. */
  DigestMismatch: 'REGISTRY_DIGEST_MISMATCH',
  /** A reference is not `tenant/name@version` or `oci://host[:port]/repo:tag`. */
  BadReference: 'REGISTRY_BAD_REFERENCE',
  /** The input to push is not a YAML manifest or a container, or cannot be read. */
  Input: 'REGISTRY_INPUT',
  /** The output path cannot be written (or names a directory). */
  Output: 'REGISTRY_OUTPUT',
  /** No registry URL or API key was given where one is needed. */
  Config: 'REGISTRY_CONFIG',
  /** A pulled artifact declares or streams more bytes than the pull limit (`maxBytes`, CLI `--max-size-mib`); nothing was kept. */
  TooLarge: 'REGISTRY_TOO_LARGE',
  /** An OCI distribution registry refused a request or sent a malformed manifest. */
  Oci: 'REGISTRY_OCI',
} as const;

/** A code the client throws: one of its own in {@link RegistryClientErrorCode}, or one relayed from the server (always `REGISTRY_*`). */
export type RegistryClientErrorCode =
  | (typeof RegistryClientErrorCode)[keyof typeof RegistryClientErrorCode]
  | `REGISTRY_${string}`;

/** The one error class of @agentlang/registry-client. */
export class RegistryClientError extends Error {
  override readonly name = 'RegistryClientError';
  readonly code: RegistryClientErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: RegistryClientErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `error` is a {@link RegistryClientError}. */
export function isRegistryClientError(error: unknown): error is RegistryClientError {
  return error instanceof RegistryClientError;
}
