/**
 * Every error code the registry server answers with, the HTTP status it is sent with, and its
 * one-line meaning. The wire body is always `{ "error": { "code", "message", "details" } }`.
 */
export const REGISTRY_ERROR_CODES = {
  /** 400: the request is malformed (missing header, bad query, unknown content type). */
  REGISTRY_BAD_REQUEST: { status: 400, doc: 'the request is malformed' },
  /** 400: a tenant, name or version in the path is not in canonical form. */
  REGISTRY_BAD_NAME: { status: 400, doc: 'a tenant, name or version is not in canonical form' },
  /** 400: the uploaded bytes do not hash to the sha256 the client declared; nothing was stored. */
  REGISTRY_DIGEST_MISMATCH: { status: 400, doc: 'uploaded bytes do not match the declared sha256' },
  /** 400: the uploaded artifact is not a valid agent manifest or container. */
  REGISTRY_INVALID_ARTIFACT: { status: 400, doc: 'the upload is not a valid agent manifest or container' },
  /** 400: the upload nests too deep, or parsing it went past the per-request memory or time bound. */
  REGISTRY_TOO_COMPLEX: { status: 400, doc: 'the upload nests too deep or needs too much memory or time to parse' },
  /** 401: no API key, an unknown API key, or a key of another tenant than the one written to. */
  REGISTRY_UNAUTHORIZED: { status: 401, doc: 'missing or unknown API key, or a key of another tenant' },
  /** 403: the artifact's own name or version disagrees with the path it was pushed to. */
  REGISTRY_NAME_MISMATCH: { status: 403, doc: 'the name or version inside the artifact disagrees with the path' },
  /** 403: the tenant is private and the caller is not that tenant. */
  REGISTRY_FORBIDDEN: { status: 403, doc: 'the tenant is private and the caller is not that tenant' },
  /** 403: the tenant accepts only containers signed by its publishers, and this upload is not one. */
  REGISTRY_UNSIGNED: { status: 403, doc: 'the tenant requires containers signed by one of its publisher keys' },
  /** 403: the server has no API keys configured, so every write is refused. */
  REGISTRY_NO_KEYS: { status: 403, doc: 'no API keys are configured; writes are disabled' },
  /** 404: no such route, tenant, agent or version. */
  REGISTRY_NOT_FOUND: { status: 404, doc: 'no such route, tenant, agent or version' },
  /** 405: the route exists but not for this method. */
  REGISTRY_METHOD_NOT_ALLOWED: { status: 405, doc: 'the route does not accept this method' },
  /** 408: the upload stalled longer than the idle timeout or exceeded the total upload time. */
  REGISTRY_TIMEOUT: { status: 408, doc: 'the upload was too slow' },
  /** 409: this version already exists with different bytes (versions are immutable). */
  REGISTRY_VERSION_EXISTS: { status: 409, doc: 'the version exists with different bytes' },
  /** 413: the upload exceeds the size limit (checked while streaming). */
  REGISTRY_TOO_LARGE: { status: 413, doc: 'the upload exceeds the size limit' },
  /** 503: too many uploads are being checked at once; retry after the `Retry-After` seconds. */
  REGISTRY_BUSY: { status: 503, doc: 'too many uploads are being checked; retry later' },
  /** 500: the storage failed (disk full, permissions); the message names the operation. */
  REGISTRY_STORAGE: { status: 500, doc: 'the storage failed' },
  /** Not sent on the wire: the server configuration (keys, bind address, data dir) is invalid. */
  REGISTRY_CONFIG: { status: 500, doc: 'the server configuration is invalid' },
} as const;

/** A registry error code (see {@link REGISTRY_ERROR_CODES}). */
export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

/** The one error class of @agentlang/registry: a string code, the HTTP status and structured details. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: RegistryErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = REGISTRY_ERROR_CODES[code].status;
    this.details = details;
  }

  /** The JSON error body sent on the wire. */
  toBody(): { error: { code: string; message: string; details: Record<string, unknown> | null } } {
    return { error: { code: this.code, message: this.message, details: this.details ?? null } };
  }
}

/** True when `error` is a {@link RegistryError}. */
export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
