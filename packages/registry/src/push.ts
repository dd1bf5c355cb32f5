import { unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireCaller } from './auth.js';
import { RegistryError } from './errors.js';
import { type ArtifactIdentity, MAX_TOOL_BYTES } from './identify.js';
import type { IdentifyPool } from './identify-pool.js';
import type { KeyStore } from './keys.js';
import { assertCoordinates } from './names.js';
import { publicRecord, sendJson } from './reply.js';
import { ARTIFACT_MEDIA_TYPES, type EntryNamespace, type EntryRecord, type RegistryStorage } from './storage.js';
import { receiveUpload, type UploadLimits } from './upload.js';

/** What a push needs of its registry. */
export interface PushContext {
  storage: RegistryStorage;
  keys: KeyStore;
  pool: IdentifyPool;
  limits: UploadLimits;
  log: (line: string) => void;
}

/** Handles `PUT /v1/<namespace>/<tenant>/<name>/<version>`: checks, stores and records one immutable version. */
export async function handlePush(
  ctx: PushContext,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
  namespace: EntryNamespace,
): Promise<void> {
  const { storage, log } = ctx;
  const [tenant = '', name = '', version = ''] = segments;
  const { declared, maxBytes } = checkPushRequest(ctx, req, segments, namespace);
  const existing = await storage.getEntry(tenant, name, version, namespace);
  if (existing && existing.sha256 !== declared) throw versionExists(existing, declared);
  const { identity, sha256, size } = await storeUpload(ctx, req, {
    tenant,
    name,
    version,
    namespace,
    declared,
    maxBytes,
  });
  const record: EntryRecord = {
    schema: 'agentlang.registry.entry/v1',
    tenant,
    name,
    version,
    kind: identity.kind,
    mediaType: ARTIFACT_MEDIA_TYPES[identity.kind],
    sha256,
    size,
    digest: identity.digest,
    ...(identity.description ? { description: identity.description } : {}),
    pushedAt: new Date().toISOString(),
  };
  const result = await storage.createEntry(record);
  if (!result.created && result.record.sha256 !== record.sha256) throw versionExists(result.record, record.sha256);
  log(
    `push ${tenant}/${name}@${version} ${identity.kind} sha256:${record.sha256} ${result.created ? 'created' : 'unchanged'}`,
  );
  sendJson(req, res, result.created ? 201 : 200, { ...publicRecord(result.record), created: result.created });
}

/** Checks the caller, the path and the declared sha256 and length before any byte is read; returns the declared sha256 and the size limit. */
function checkPushRequest(
  ctx: PushContext,
  req: IncomingMessage,
  segments: string[],
  namespace: EntryNamespace,
): { declared: string; maxBytes: number } {
  const caller = requireCaller(ctx.keys, req);
  const [tenant = '', name = '', version = ''] = segments;
  if (tenant !== caller) {
    // Compared raw, before any decoding: `Alice`, `alice.`, `%61lice`, `..` all differ from the
    // caller's canonical tenant and are refused here, as a plain cross-tenant push is.
    throw new RegistryError(
      'REGISTRY_UNAUTHORIZED',
      `the API key of tenant '${caller}' cannot write to tenant '${tenant.slice(0, 80)}'; push under /v1/${namespace}/${caller}/<name>/<version>`,
      { details: { caller, tenant: tenant.slice(0, 80) } },
    );
  }
  if (segments.length !== 3) {
    throw new RegistryError(
      'REGISTRY_BAD_NAME',
      `a push path is /v1/${namespace}/<tenant>/<name>/<version>; got ${segments.length} segments after /v1/${namespace}`,
      { details: { segments: segments.length } },
    );
  }
  assertCoordinates(tenant, name, version, namespace);
  const maxBytes = namespace === 'tools' ? Math.min(MAX_TOOL_BYTES, ctx.limits.maxBytes) : ctx.limits.maxBytes;
  const declared = String(req.headers['x-content-sha256'] ?? '').replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(declared)) {
    throw new RegistryError(
      'REGISTRY_BAD_REQUEST',
      'a push must declare the sha256 of its body in the X-Content-Sha256 header (64 lower-case hex)',
      { details: { header: 'x-content-sha256' } },
    );
  }
  const length = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(length) && length > maxBytes) {
    throw new RegistryError(
      'REGISTRY_TOO_LARGE',
      `upload of ${length} bytes exceeds the limit of ${maxBytes} bytes; nothing was stored`,
      { details: { limitBytes: maxBytes, contentLength: length } },
    );
  }
  return { declared, maxBytes };
}

/** Receives the body into staging, checks its sha256 and what it says it is, and moves it into blob storage; staging is removed on any failure. */
async function storeUpload(
  ctx: PushContext,
  req: IncomingMessage,
  at: { tenant: string; name: string; version: string; namespace: EntryNamespace; declared: string; maxBytes: number },
): Promise<{ identity: ArtifactIdentity; sha256: string; size: number }> {
  const { storage, keys, pool, log } = ctx;
  const { tenant, name, version, namespace, declared } = at;
  const staged = storage.stagingPath();
  const upload = await receiveUpload(req, staged, { ...ctx.limits, maxBytes: at.maxBytes });
  try {
    if (upload.sha256 !== declared) {
      throw new RegistryError(
        'REGISTRY_DIGEST_MISMATCH',
        `the uploaded bytes hash to sha256:${upload.sha256} but the request declared sha256:${declared}; nothing was stored (the upload was corrupted or the client is wrong)`,
        { details: { declared: `sha256:${declared}`, actual: `sha256:${upload.sha256}` } },
      );
    }
    log(`check ${tenant}/${name}@${version} ${upload.size} bytes`);
    const identity = await pool.run({
      namespace,
      path: staged,
      head: upload.head,
      signers: keys.tenants.get(tenant)?.signers ?? [],
    });
    if (identity.name !== name || identity.version !== version) {
      throw new RegistryError(
        'REGISTRY_NAME_MISMATCH',
        `the ${identity.kind} says it is ${identity.name}@${identity.version} but was pushed to ${tenant}/${name}@${version}; push it to /v1/${namespace}/${tenant}/${identity.name}/${identity.version}`,
        { details: { path: `${tenant}/${name}@${version}`, artifact: `${identity.name}@${identity.version}` } },
      );
    }
    await storage.putBlob(upload.sha256, staged);
    return { identity, sha256: upload.sha256, size: upload.size };
  } catch (error) {
    await unlink(staged).catch(() => {});
    throw error;
  }
}

/** REGISTRY_VERSION_EXISTS: versions are immutable. */
function versionExists(existing: EntryRecord, sha256: string): RegistryError {
  return new RegistryError(
    'REGISTRY_VERSION_EXISTS',
    `${existing.tenant}/${existing.name}@${existing.version} already exists with different content (sha256:${existing.sha256}, pushed ${existing.pushedAt}); versions are immutable — bump the version`,
    { details: { existing: `sha256:${existing.sha256}`, pushed: `sha256:${sha256}` } },
  );
}
