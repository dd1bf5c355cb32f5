/**
 * Every error code the registry client throws, with its meaning. Codes answered by a server keep
 * the server's code (`REGISTRY_VERSION_EXISTS`, `REGISTRY_UNAUTHORIZED`, …, see @agentlang/registry);
 * the ones below are the client's own.
 */
export const REGISTRY_CLIENT_ERROR_CODES = {
  /** The registry answered non-2xx without an `{ error: { code } }` body (a proxy, another server). */
  REGISTRY_HTTP: 'the registry answered non-2xx without a registry error body',
  /** The registry could not be reached (refused, reset, timed out) after the retries. */
  REGISTRY_NETWORK: 'the registry could not be reached',
  /** The registry answered 2xx with something that is not what the API promises. */
  REGISTRY_BAD_RESPONSE: 'the registry answered 2xx with an unexpected body or headers',
  /** Pulled bytes do not match the sha256 or ag1 digest the reference, the server or the signed index promises. */
  REGISTRY_DIGEST_MISMATCH: 'pulled bytes do not match their promised digest',
  /** A reference is not `tenant/name@version` or `oci://host[:port]/repo:tag`. */
  REGISTRY_BAD_REFERENCE: 'a reference is malformed',
  /** The input to push is not a YAML manifest or a container, or cannot be read. */
  REGISTRY_INPUT: 'the input to push is not a YAML manifest or container',
  /** The output path cannot be written (or names a directory). */
  REGISTRY_OUTPUT: 'the output path cannot be written',
  /** No registry URL or API key was given where one is needed. */
  REGISTRY_CONFIG: 'a registry URL or API key is missing',
  /** A pulled artifact declares or streams more bytes than the pull limit (`maxBytes`, CLI `--max-size-mib`); nothing was kept. */
  REGISTRY_TOO_LARGE: 'a pulled artifact exceeds the declared size or the pull limit',
  /** An OCI distribution registry refused a request or sent a malformed manifest. */
  REGISTRY_OCI: 'an OCI registry refused a request or sent a malformed manifest',
} as const;

/** A code the client throws: its own or one relayed from the server (always `REGISTRY_*`). */
export type RegistryClientErrorCode = keyof typeof REGISTRY_CLIENT_ERROR_CODES | `REGISTRY_${string}`;

/** The one error class of @agentlang/registry-client. */
export class RegistryClientError extends Error {
  override readonly name = 'RegistryClientError';
  readonly code: RegistryClientErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: RegistryClientErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a {@link RegistryClientError}. */
export function isRegistryClientError(error: unknown): error is RegistryClientError {
  return error instanceof RegistryClientError;
}
