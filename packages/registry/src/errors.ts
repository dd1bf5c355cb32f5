/**
 * Every error code `@agentlang/registry` answers with; switch on `error.code`. The wire body is always
 * `{ "error": { "code", "message", "details" } }`, sent with the status in {@link REGISTRY_ERROR_STATUS}.
 */
export const RegistryErrorCode = {
  /** 400: the request is malformed (missing header, bad query, unknown content type). */
  BadRequest: 'REGISTRY_BAD_REQUEST',
  /** 400: a tenant, name or version in the path is not in canonical form. */
  BadName: 'REGISTRY_BAD_NAME',
  /** 400: the uploaded bytes do not hash to the sha256 the client declared; nothing was stored. */
  DigestMismatch: 'REGISTRY_DIGEST_MISMATCH',
  /** 400: the uploaded artifact is not a valid agent manifest or container. */
  InvalidArtifact: 'REGISTRY_INVALID_ARTIFACT',
  /** 400: the upload nests too deep, or parsing it went past the per-request memory or time bound. */
  TooComplex: 'REGISTRY_TOO_COMPLEX',
  /** 401: no API key, an unknown API key, or a key of another tenant than the one written to. */
  Unauthorized: 'REGISTRY_UNAUTHORIZED',
  /** 403: the artifact's own name or version disagrees with the path it was pushed to. */
  NameMismatch: 'REGISTRY_NAME_MISMATCH',
  /** 403: the tenant is private and the caller is not that tenant. */
  Forbidden: 'REGISTRY_FORBIDDEN',
  /** 403: the tenant accepts only containers signed by its publishers, and this upload is not one. */
  Unsigned: 'REGISTRY_UNSIGNED',
  /** 403: the server has no API keys configured, so every write is refused. */
  NoKeys: 'REGISTRY_NO_KEYS',
  /** 404: no such route, tenant, agent or version. */
  NotFound: 'REGISTRY_NOT_FOUND',
  /** 405: the route exists but not for this method. */
  MethodNotAllowed: 'REGISTRY_METHOD_NOT_ALLOWED',
  /** 408: the upload stalled longer than the idle timeout or exceeded the total upload time. */
  Timeout: 'REGISTRY_TIMEOUT',
  /** 409: this version already exists with different bytes (versions are immutable). */
  VersionExists: 'REGISTRY_VERSION_EXISTS',
  /** 413: the upload exceeds the size limit (checked while streaming). */
  TooLarge: 'REGISTRY_TOO_LARGE',
  /** 503: too many uploads are being checked at once; retry after the `Retry-After` seconds. */
  Busy: 'REGISTRY_BUSY',
  /** 500: the storage failed (disk full, permissions); the message names the operation. */
  Storage: 'REGISTRY_STORAGE',
  /** Not sent on the wire: the server configuration (keys, bind address, data dir) is invalid. */
  Config: 'REGISTRY_CONFIG',
} as const;

/** One of the string codes in {@link RegistryErrorCode}. */
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

/** The HTTP status each {@link RegistryErrorCode} is sent with. */
export const REGISTRY_ERROR_STATUS: Readonly<Record<RegistryErrorCode, number>> = {
  [RegistryErrorCode.BadRequest]: 400,
  [RegistryErrorCode.BadName]: 400,
  [RegistryErrorCode.DigestMismatch]: 400,
  [RegistryErrorCode.InvalidArtifact]: 400,
  [RegistryErrorCode.TooComplex]: 400,
  [RegistryErrorCode.Unauthorized]: 401,
  [RegistryErrorCode.NameMismatch]: 403,
  [RegistryErrorCode.Forbidden]: 403,
  [RegistryErrorCode.Unsigned]: 403,
  [RegistryErrorCode.NoKeys]: 403,
  [RegistryErrorCode.NotFound]: 404,
  [RegistryErrorCode.MethodNotAllowed]: 405,
  [RegistryErrorCode.Timeout]: 408,
  [RegistryErrorCode.VersionExists]: 409,
  [RegistryErrorCode.TooLarge]: 413,
  [RegistryErrorCode.Busy]: 503,
  [RegistryErrorCode.Storage]: 500,
  [RegistryErrorCode.Config]: 500,
};

/** The one error class of @agentlang/registry: a string code, the HTTP status and structured details. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(
    code: RegistryErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = REGISTRY_ERROR_STATUS[code];
    this.details = options.details ?? {};
  }

  /** The JSON error body sent on the wire (`details` is null when there are none). */
  toBody(): { error: { code: string; message: string; details: Record<string, unknown> | null } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        details: Object.keys(this.details).length > 0 ? this.details : null,
      },
    };
  }
}

/** True when `error` is a {@link RegistryError}. */
export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
