import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from './errors.js';
import { createHash } from 'node:crypto';
import { type ArtifactIdentity, type IdentifyArtifact, identifyTool, MAX_TOOL_BYTES } from './identify.js';
import { createIdentifyPool, findIdentifyWorker, type IdentifyPool, type ParseLimits } from './identify-pool.js';
import { authenticate, type KeyStore } from './keys.js';
import { assertCoordinates, compareVersions, isAgentName, isTenant, isToolName, isVersion } from './names.js';
import { ARTIFACT_MEDIA_TYPES, type EntryNamespace, type EntryRecord, type RegistryStorage } from './storage.js';
import { receiveUpload } from './upload.js';

/** Options of {@link createRegistryServer}. */
export interface RegistryServerOptions {
  storage: RegistryStorage;
  keys: KeyStore;
  /** Largest upload in bytes (default 512 MiB). */
  maxUploadBytes?: number;
  /** Longest silence between upload chunks in ms (default 30 s). */
  uploadIdleTimeoutMs?: number;
  /** Longest whole upload in ms (default 10 min). */
  uploadTimeoutMs?: number;
  /**
   * Parses uploads in-process instead of the default: {@link identifyArtifact} in a bounded worker
   * thread (see `parse`). A custom identifier runs on the event loop, under the same concurrency bound.
   */
  identify?: IdentifyArtifact;
  /** Bounds on parsing uploads: concurrency, queue, worker heap and deadline. */
  parse?: ParseLimits;
  /** Receives a line when an upload's check starts, one per push and one per server error (with the full reason, which clients never see). */
  log?: (line: string) => void;
}

/** A running registry: the `node:http` server and its address. */
export interface RegistryServer {
  server: Server;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:8765`). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

const SMALL_BLOB_BYTES = 1 << 20;
const CACHE_BUDGET_BYTES = 64 << 20;

/** The API version string sent in `/healthz`. */
export const REGISTRY_API_VERSION = 'agentlang.registry/v1';

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length };
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

function sendError(req: IncomingMessage, res: ServerResponse, error: RegistryError): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  sendJson(req, res, error.status, error.toBody());
}

function publicRecord(record: EntryRecord) {
  const { tenant, name, version, kind, mediaType, sha256, size, digest, description, pushedAt } = record;
  return { tenant, name, version, kind, mediaType, sha256, size, digest, ...(description ? { description } : {}), pushedAt };
}

/** Creates the registry HTTP server (see the package README for the API). */
export function createRegistryServer(options: RegistryServerOptions): RegistryServer {
  const { storage, keys } = options;
  const pool = createPool(options);
  const limits = {
    maxBytes: options.maxUploadBytes ?? 512 << 20,
    idleTimeoutMs: options.uploadIdleTimeoutMs ?? 30_000,
    totalTimeoutMs: options.uploadTimeoutMs ?? 600_000,
  };
  const log = options.log ?? (() => {});
  const cache = new Map<string, Buffer>();
  let cacheBytes = 0;

  async function smallBlob(sha256: string, size: number): Promise<Buffer | undefined> {
    const hit = cache.get(sha256);
    if (hit) return hit;
    if (size > SMALL_BLOB_BYTES) return undefined;
    const bytes = await storage.readBlob(sha256);
    if (!bytes) return undefined;
    // Only the bytes the entry recorded are ever served: a blob changed on disk is refused, not sent.
    if (bytes.length !== size || createHash('sha256').update(bytes).digest('hex') !== sha256) throw corruptBlob(sha256, size, bytes.length);
    while (cacheBytes + bytes.length > CACHE_BUDGET_BYTES && cache.size > 0) {
      const oldest = cache.keys().next().value as string;
      cacheBytes -= cache.get(oldest)!.length;
      cache.delete(oldest);
    }
    cache.set(sha256, bytes);
    cacheBytes += bytes.length;
    return bytes;
  }

  function callerOf(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new RegistryError('REGISTRY_UNAUTHORIZED', "the Authorization header is not 'Bearer <api key>'");
    const tenant = authenticate(keys, match[1]!);
    if (!tenant) throw new RegistryError('REGISTRY_UNAUTHORIZED', 'the API key is not known to this registry; check --api-key / AGENTLANG_API_KEY');
    return tenant;
  }

  function requireCaller(req: IncomingMessage): string {
    if (keys.tenants.size === 0) {
      throw new RegistryError(
        'REGISTRY_NO_KEYS',
        'this registry has no API keys configured, so writes are refused; restart it with AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key" or --keys-file <file> (agentlang.registry.keys/v1)',
      );
    }
    const tenant = callerOf(req);
    if (!tenant) throw new RegistryError('REGISTRY_UNAUTHORIZED', 'this request needs an API key: send `Authorization: Bearer <key>` (CLI: --api-key or AGENTLANG_API_KEY)');
    return tenant;
  }

  function assertReadable(req: IncomingMessage, tenant: string): void {
    if (!keys.tenants.get(tenant)?.private) return;
    const caller = callerOf(req);
    if (!caller) throw new RegistryError('REGISTRY_UNAUTHORIZED', `tenant '${tenant}' is private; send its API key to read it`, { tenant });
    if (caller !== tenant) throw new RegistryError('REGISTRY_FORBIDDEN', `tenant '${tenant}' is private and your key belongs to '${caller}'`, { tenant, caller });
  }

  async function handlePush(req: IncomingMessage, res: ServerResponse, segments: string[], namespace: EntryNamespace): Promise<void> {
    const caller = requireCaller(req);
    const [tenant = '', name = '', version = ''] = segments;
    if (tenant !== caller) {
      // Compared raw, before any decoding: `Alice`, `alice.`, `%61lice`, `..` all differ from the
      // caller's canonical tenant and are refused here, as a plain cross-tenant push is.
      throw new RegistryError('REGISTRY_UNAUTHORIZED', `the API key of tenant '${caller}' cannot write to tenant '${tenant.slice(0, 80)}'; push under /v1/${namespace}/${caller}/<name>/<version>`, { caller, tenant: tenant.slice(0, 80) });
    }
    if (segments.length !== 3) {
      throw new RegistryError('REGISTRY_BAD_NAME', `a push path is /v1/${namespace}/<tenant>/<name>/<version>; got ${segments.length} segments after /v1/${namespace}`, { segments: segments.length });
    }
    assertCoordinates(tenant, name, version, namespace);
    const maxBytes = namespace === 'tools' ? Math.min(MAX_TOOL_BYTES, limits.maxBytes) : limits.maxBytes;
    const declared = String(req.headers['x-content-sha256'] ?? '').replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(declared)) {
      throw new RegistryError('REGISTRY_BAD_REQUEST', 'a push must declare the sha256 of its body in the X-Content-Sha256 header (64 lower-case hex)', { header: 'x-content-sha256' });
    }
    const length = Number(req.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(length) && length > maxBytes) {
      throw new RegistryError('REGISTRY_TOO_LARGE', `upload of ${length} bytes exceeds the limit of ${maxBytes} bytes; nothing was stored`, { limitBytes: maxBytes, contentLength: length });
    }
    const existing = await storage.getEntry(tenant, name, version, namespace);
    if (existing && existing.sha256 !== declared) throw versionExists(existing, declared);

    const staged = storage.stagingPath();
    const upload = await receiveUpload(req, staged, { ...limits, maxBytes });
    let identity: ArtifactIdentity;
    try {
      if (upload.sha256 !== declared) {
        throw new RegistryError('REGISTRY_DIGEST_MISMATCH', `the uploaded bytes hash to sha256:${upload.sha256} but the request declared sha256:${declared}; nothing was stored (the upload was corrupted or the client is wrong)`, { declared: `sha256:${declared}`, actual: `sha256:${upload.sha256}` });
      }
      log(`check ${tenant}/${name}@${version} ${upload.size} bytes`);
      identity = await pool.run({ namespace, path: staged, head: upload.head, signers: keys.tenants.get(tenant)?.signers ?? [] });
      if (identity.name !== name || identity.version !== version) {
        throw new RegistryError('REGISTRY_NAME_MISMATCH', `the ${identity.kind} says it is ${identity.name}@${identity.version} but was pushed to ${tenant}/${name}@${version}; push it to /v1/${namespace}/${tenant}/${identity.name}/${identity.version}`, { path: `${tenant}/${name}@${version}`, artifact: `${identity.name}@${identity.version}` });
      }
      await storage.putBlob(upload.sha256, staged);
    } catch (error) {
      await unlink(staged).catch(() => {});
      throw error;
    }
    const record: EntryRecord = {
      schema: 'agentlang.registry.entry/v1',
      tenant,
      name,
      version,
      kind: identity.kind,
      mediaType: ARTIFACT_MEDIA_TYPES[identity.kind],
      sha256: upload.sha256,
      size: upload.size,
      digest: identity.digest,
      ...(identity.description ? { description: identity.description } : {}),
      pushedAt: new Date().toISOString(),
    };
    const result = await storage.createEntry(record);
    if (!result.created && result.record.sha256 !== record.sha256) throw versionExists(result.record, record.sha256);
    log(`push ${tenant}/${name}@${version} ${identity.kind} sha256:${record.sha256} ${result.created ? 'created' : 'unchanged'}`);
    sendJson(req, res, result.created ? 201 : 200, { ...publicRecord(result.record), created: result.created });
  }

  function versionExists(existing: EntryRecord, sha256: string): RegistryError {
    return new RegistryError(
      'REGISTRY_VERSION_EXISTS',
      `${existing.tenant}/${existing.name}@${existing.version} already exists with different content (sha256:${existing.sha256}, pushed ${existing.pushedAt}); versions are immutable — bump the version`,
      { existing: `sha256:${existing.sha256}`, pushed: `sha256:${sha256}` },
    );
  }

  async function serveBlob(req: IncomingMessage, res: ServerResponse, record: EntryRecord): Promise<void> {
    const etag = `"sha256:${record.sha256}"`;
    const headers = {
      'content-type': record.mediaType,
      'content-length': record.size,
      etag,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-sha256': record.sha256,
      'x-agentlang-digest': record.digest,
      'x-agentlang-kind': record.kind,
      'x-agentlang-name': record.name,
      'x-agentlang-version': record.version,
      'x-agentlang-tenant': record.tenant,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const small = await smallBlob(record.sha256, record.size);
    if (small) {
      res.writeHead(200, headers);
      res.end(small);
      return;
    }
    const blob = await storage.openBlob(record.sha256, { length: record.size });
    if (!blob) throw new RegistryError('REGISTRY_STORAGE', `blob sha256:${record.sha256} of ${record.tenant}/${record.name}@${record.version} is missing from storage`);
    if (blob.size !== record.size) {
      blob.stream.destroy();
      throw corruptBlob(record.sha256, record.size, blob.size);
    }
    res.writeHead(200, headers);
    // Exactly Content-Length bytes (the stream is cut at the recorded size), or a reset: a response
    // longer than its header would be read as the start of the next one on a keep-alive connection.
    let sent = 0;
    blob.stream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    await pipeline(blob.stream, res).catch(() => res.destroy());
    if (sent !== record.size) res.destroy();
  }

  function search(req: IncomingMessage, query: URLSearchParams, scope: { tenant?: string; name?: string; namespace?: EntryNamespace }) {
    let caller: string | undefined;
    try {
      caller = callerOf(req);
    } catch {
      caller = undefined;
    }
    const text = (query.get('q') ?? '').toLowerCase();
    const tenant = scope.tenant ?? query.get('tenant') ?? undefined;
    const name = scope.name ?? query.get('name') ?? undefined;
    const limit = Math.min(Math.max(Number(query.get('limit') ?? 100) || 100, 1), 1000);
    return async () => {
      const all = await storage.listEntries();
      const hits = all.filter(
        (r) =>
          (!keys.tenants.get(r.tenant)?.private || r.tenant === caller) &&
          (scope.namespace === undefined || (scope.namespace === 'tools') === (r.kind === 'tool')) &&
          (tenant === undefined || r.tenant === tenant) &&
          (name === undefined || r.name === name) &&
          (text === '' || r.name.includes(text) || r.tenant.includes(text) || (r.description ?? '').toLowerCase().includes(text)),
      );
      hits.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.name.localeCompare(b.name) || compareVersions(b.version, a.version));
      return { total: hits.length, entries: hits.slice(0, limit).map(publicRecord) };
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    if (path === '/healthz') {
      if (!read) throw methodNotAllowed(method, path, 'GET, HEAD');
      sendJson(req, res, 200, { status: 'ok', api: REGISTRY_API_VERSION, writable: keys.tenants.size > 0 });
      return;
    }
    const segments = path.split('/').slice(1);
    if (segments[0] !== 'v1') throw notFound(path);
    const area = segments[1];
    const rest = segments.slice(2);
    if (area === 'whoami' && rest.length === 0) {
      if (!read) throw methodNotAllowed(method, path, 'GET');
      sendJson(req, res, 200, { tenant: requireCaller(req) });
      return;
    }
    if (area === 'search' && rest.length === 0) {
      if (!read) throw methodNotAllowed(method, path, 'GET');
      sendJson(req, res, 200, await search(req, query, {})());
      return;
    }
    if (area !== 'agents' && area !== 'tools') throw notFound(path);
    const namespace: EntryNamespace = area;
    if (method === 'PUT') return handlePush(req, res, rest, namespace);
    if (!read) throw methodNotAllowed(method, path, 'GET, HEAD, PUT');
    if (rest.length > 0 && rest.at(-1) === '') rest.pop();
    const [tenant, name, version, extra] = rest;
    if (tenant !== undefined && !isTenant(tenant)) throw badName('tenant', tenant);
    if (name !== undefined && !(namespace === 'tools' ? isToolName(name) : isAgentName(name))) throw badName('name', name);
    if (version !== undefined && !isVersion(version)) throw badName('version', version);
    if (tenant !== undefined) assertReadable(req, tenant);
    if (rest.length <= 2) {
      const result = await search(req, query, { namespace, ...(tenant ? { tenant } : {}), ...(name ? { name } : {}) })();
      if (name && result.total === 0) throw notFound(`${tenant}/${name}`);
      sendJson(req, res, 200, name ? { ...result, versions: result.entries.map((e) => e.version).reverse() } : result);
      return;
    }
    if (rest.length > 4 || (extra !== undefined && extra !== 'meta')) throw notFound(path);
    const record = await storage.getEntry(tenant!, name!, version!, namespace);
    if (!record) throw notFound(`${tenant}/${name}@${version}`);
    if (extra === 'meta') sendJson(req, res, 200, publicRecord(record));
    else await serveBlob(req, res, record);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof RegistryError && error.code !== 'REGISTRY_STORAGE') {
        sendError(req, res, error);
        return;
      }
      // The full reason (paths of the data directory, errno) goes to the server log only.
      log(`error ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (res.destroyed || res.writableEnded) return;
      sendError(req, res, new RegistryError('REGISTRY_STORAGE', 'the registry failed to read or write its storage; the server log has the details', undefined, { cause: error }));
    });
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => void pool.close().then(() => resolve()));
        server.closeIdleConnections();
      });
    },
  };
}

/** The identifier: the worker pool by default, or the caller's own function in-process. */
function createPool(options: RegistryServerOptions): IdentifyPool {
  const custom = options.identify;
  if (custom) {
    // Same concurrency bound, on the event loop: the caller chose to parse in-process.
    let tail: Promise<unknown> = Promise.resolve();
    return {
      async close() {},
      run(job) {
        const result = tail.then(() => (job.namespace === 'tools' ? identifyTool(job.path) : custom(job.path, job.head, job.signers.length > 0 ? { signers: job.signers } : {})));
        tail = result.catch(() => {});
        return result;
      },
    };
  }
  const worker = findIdentifyWorker();
  if (!worker) {
    throw new RegistryError('REGISTRY_CONFIG', 'the upload-parsing worker (identify-worker.js) is missing beside @agentlang/registry; build the package (`pnpm --filter @agentlang/registry build`)');
  }
  return createIdentifyPool(worker, options.parse);
}

function corruptBlob(sha256: string, recorded: number, found: number): RegistryError {
  return new RegistryError('REGISTRY_STORAGE', `blob sha256:${sha256} no longer matches its entry (recorded ${recorded} bytes, found ${found}); it was changed on disk — restore it from a backup or push the version again to a fresh data directory`, { sha256 });
}

function notFound(what: string): RegistryError {
  return new RegistryError('REGISTRY_NOT_FOUND', `not found: ${what.slice(0, 200)}`, { path: what.slice(0, 200) });
}

function badName(kind: string, value: string): RegistryError {
  return new RegistryError('REGISTRY_BAD_NAME', `${kind} '${value.slice(0, 80)}' is not canonical (lower-case, no dots or slashes in names, semver versions)`, { [kind]: value.slice(0, 80) });
}

function methodNotAllowed(method: string, path: string, allowed: string): RegistryError {
  return new RegistryError('REGISTRY_METHOD_NOT_ALLOWED', `${method} is not allowed on ${path.slice(0, 200)}; allowed: ${allowed}`, { method, allowed });
}
