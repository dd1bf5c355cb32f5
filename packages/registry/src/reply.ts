import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './errors.js';
import type { EntryRecord } from './storage.js';

/** Sends a JSON answer; an early answer to an upload still in flight drains it briefly first. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': bytes.length,
  };
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.complete) {
    // An early answer (413, 409, 401…) to an upload still in flight: a lingering close. Keep reading
    // and discarding for a short grace period so the client sees this answer instead of a reset
    // (closing with unread data sends RST), then cut the connection if the upload goes on.
    res.once('finish', () => {
      req.resume();
      const timer = setTimeout(() => req.socket.destroy(), 2000);
      timer.unref();
      req.once('end', () => clearTimeout(timer));
    });
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="agentlang-registry"';
  if (status === 503) headers['retry-after'] = 2;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** Sends a RegistryError as its JSON body, or cuts the connection when the headers are already out. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: RegistryError): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  sendJson(req, res, error.status, error.toBody());
}

/** The fields of an entry that clients see. */
export function publicRecord(record: EntryRecord) {
  const { tenant, name, version, kind, mediaType, sha256, size, digest, description, pushedAt } = record;
  return {
    tenant,
    name,
    version,
    kind,
    mediaType,
    sha256,
    size,
    digest,
    ...(description ? { description } : {}),
    pushedAt,
  };
}

/** REGISTRY_STORAGE for a blob whose bytes no longer match its entry. */
export function corruptBlob(sha256: string, recorded: number, found: number): RegistryError {
  return new RegistryError(
    'REGISTRY_STORAGE',
    `blob sha256:${sha256} no longer matches its entry (recorded ${recorded} bytes, found ${found}); it was changed on disk — restore it from a backup or push the version again to a fresh data directory`,
    { details: { sha256 } },
  );
}

/** REGISTRY_NOT_FOUND for a path or coordinate. */
export function notFound(what: string): RegistryError {
  return new RegistryError('REGISTRY_NOT_FOUND', `not found: ${what.slice(0, 200)}`, {
    details: { path: what.slice(0, 200) },
  });
}

/** REGISTRY_BAD_NAME for one non-canonical path segment. */
export function badName(kind: string, value: string): RegistryError {
  return new RegistryError(
    'REGISTRY_BAD_NAME',
    `${kind} '${value.slice(0, 80)}' is not canonical (lower-case, no dots or slashes in names, semver versions)`,
    { [kind]: value.slice(0, 80) },
  );
}

/** REGISTRY_METHOD_NOT_ALLOWED, naming the methods the path takes. */
export function methodNotAllowed(method: string, path: string, allowed: string): RegistryError {
  return new RegistryError(
    'REGISTRY_METHOD_NOT_ALLOWED',
    `${method} is not allowed on ${path.slice(0, 200)}; allowed: ${allowed}`,
    { details: { method, allowed } },
  );
}
