import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openAtomicFile, progressStream } from '@agentlang/utils';
import { type PushableArtifact, readPushable } from './artifact.js';
import { RegistryClientError } from './errors.js';
import {
  failureOf,
  type HttpAnswer,
  type HttpCall,
  readBody,
  type RetryOptions,
  sendRequest,
  withRetries,
} from './http.js';
import type { TransferProgress } from './progress.js';
import { type AgentReference, parseAgentReference } from './reference.js';
import { type VerifiedArtifact, verifyArtifactFile } from './verify.js';

const MEDIA_TYPES = {
  manifest: 'application/vnd.agentlang.manifest.v1+yaml',
  container: 'application/vnd.agentlang.container.v1+tar',
  tool: 'application/vnd.agentlang.tool.v1+json',
} as const;

/** A tool definition as the resolver's catalogs hold it (structurally @agentlang/resolver's ToolDefinition). */
export interface RegistryToolDefinition {
  name: string;
  version: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/** Largest artifact a pull accepts unless told otherwise (`maxBytes`): 1 GiB. */
export const DEFAULT_MAX_PULL_BYTES = 1 << 30;

/** Options of a pull (see {@link RegistryClient.pull}). */
export interface PullOptions {
  /** Output file (default `<name>@<version>.agent` in `cwd`). */
  out?: string;
  cwd?: string;
  /** A pulled container must be signed by one of these Ed25519 keys (hex). */
  publicKeys?: string[];
  /**
   * Largest artifact accepted, in bytes (default {@link DEFAULT_MAX_PULL_BYTES}). A larger declared
   * size is refused before any byte is written; a body that streams past its declared size (or
   * past this limit when it declares none) is cut off. Either way nothing is left behind.
   */
  maxBytes?: number;
}

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Base URL of the registry (`http://127.0.0.1:8765`). */
  url: string;
  /** API key for writes (and reads of a private tenant). */
  apiKey?: string;
  retry?: RetryOptions;
  /** Reports transfer progress (the CLI shows it on stderr for large transfers). */
  onProgress?: (progress: TransferProgress) => void;
  /** Socket inactivity timeout per request in ms (default 60 s). */
  timeoutMs?: number;
}

/** One version as the registry lists it. */
export interface RegistryEntry {
  tenant: string;
  name: string;
  version: string;
  kind: 'manifest' | 'container' | 'tool';
  mediaType: string;
  sha256: string;
  size: number;
  digest: string;
  description?: string;
  pushedAt: string;
}

/** What a push did. */
export interface PushResult extends RegistryEntry {
  /** False when the same bytes were already there (an idempotent re-push). */
  created: boolean;
}

/** What a pull fetched and where it wrote it. */
export interface PullResult extends VerifiedArtifact {
  tenant: string;
  /** Absolute path written. */
  path: string;
  sha256: string;
  size: number;
}

/** A client of the AgentLang registry HTTP API (see @agentlang/registry's README). */
export class RegistryClient {
  readonly url: URL;
  private readonly options: RegistryClientOptions;

  constructor(options: RegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch (cause) {
      throw new RegistryClientError(
        'REGISTRY_CONFIG',
        `--registry '${options.url}' is not a URL; expected e.g. http://127.0.0.1:8765`,
        { details: { url: options.url }, cause },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RegistryClientError(
        'REGISTRY_CONFIG',
        `--registry '${options.url}' is not http(s); expected e.g. http://127.0.0.1:8765 (use oci:// references for OCI registries)`,
        { details: { url: options.url } },
      );
    }
    this.url = url;
    this.options = options;
  }

  private endpoint(path: string): URL {
    return new URL(path.replace(/^\//, ''), this.url);
  }

  private headers(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return {
      ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      'user-agent': 'agentlang-registry-client/0.1',
      ...extra,
    };
  }

  private async exchange(call: Omit<HttpCall, 'timeoutMs'>, action: string): Promise<HttpAnswer> {
    const answer = await withRetries(
      () => sendRequest({ ...call, timeoutMs: this.options.timeoutMs ?? 60_000 }),
      this.url.origin,
      this.options.retry,
    );
    if (answer.status < 200 || answer.status > 299) throw await failureOf(answer, action);
    return answer;
  }

  private async getJson<T>(path: string, action: string): Promise<T> {
    const answer = await this.exchange(
      { method: 'GET', url: this.endpoint(path), headers: this.headers({ accept: 'application/json' }) },
      action,
    );
    const text = (await readBody(answer)).toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new RegistryClientError(
        'REGISTRY_BAD_RESPONSE',
        `${action}: the registry answered ${answer.status} with a body that is not JSON`,
        { details: { snippet: text.slice(0, 200) }, cause },
      );
    }
  }

  /** `GET /healthz`. */
  health(): Promise<{ status: string; api: string; writable: boolean }> {
    return this.getJson('/healthz', 'health check');
  }

  /** The tenant the API key belongs to (`GET /v1/whoami`). */
  async whoami(): Promise<string> {
    if (!this.options.apiKey)
      throw new RegistryClientError('REGISTRY_CONFIG', 'an API key is needed: pass --api-key or set AGENTLANG_API_KEY');
    const { tenant } = await this.getJson<{ tenant?: unknown }>('/v1/whoami', 'whoami');
    if (typeof tenant !== 'string')
      throw new RegistryClientError('REGISTRY_BAD_RESPONSE', 'whoami: the registry did not name a tenant');
    return tenant;
  }

  /**
   * Pushes a YAML manifest file or a container to `<tenant>/<name>@<version>` (tenant: the key's
   * own unless given). Re-pushing identical bytes succeeds with `created: false`.
   */
  async push(path: string, options: { tenant?: string } = {}): Promise<PushResult> {
    if (!this.options.apiKey)
      throw new RegistryClientError(
        'REGISTRY_CONFIG',
        'pushing needs an API key: pass --api-key or set AGENTLANG_API_KEY',
      );
    const artifact = await readPushable(path);
    const tenant = options.tenant ?? (await this.whoami());
    return this.pushArtifact(artifact, tenant);
  }

  /** Pushes an already read artifact (see {@link readPushable}). */
  async pushArtifact(artifact: PushableArtifact, tenant: string): Promise<PushResult> {
    const label = `${tenant}/${artifact.name}@${artifact.version}`;
    const area = artifact.kind === 'tool' ? 'tools' : 'agents';
    const url = this.endpoint(
      `/v1/${area}/${encodeURIComponent(tenant)}/${encodeURIComponent(artifact.name)}/${encodeURIComponent(artifact.version)}`,
    );
    const onProgress = this.options.onProgress;
    const answer = await this.exchange(
      {
        method: 'PUT',
        url,
        headers: this.headers({
          'content-type': MEDIA_TYPES[artifact.kind],
          'content-length': artifact.size,
          'x-content-sha256': artifact.sha256,
        }),
        body: () => {
          const file = createReadStream(artifact.path, { highWaterMark: 1 << 20 });
          if (!onProgress) return file;
          return file.pipe(
            progressStream((bytes) => onProgress({ direction: 'upload', label, bytes, total: artifact.size })),
          );
        },
      },
      `push of ${label}`,
    );
    const body = JSON.parse((await readBody(answer)).toString('utf8')) as PushResult;
    if (body.sha256 !== artifact.sha256) {
      throw new RegistryClientError(
        'REGISTRY_BAD_RESPONSE',
        `push of ${label}: the registry recorded sha256:${body.sha256} but we sent sha256:${artifact.sha256}`,
        { details: { sent: artifact.sha256, recorded: body.sha256 } },
      );
    }
    return body;
  }

  /** Lists or searches entries by text (matched against name, tenant and description). */
  async search(
    text = '',
    options: { tenant?: string; limit?: number } = {},
  ): Promise<{ total: number; entries: RegistryEntry[] }> {
    const query = new URLSearchParams({ q: text });
    if (options.tenant) query.set('tenant', options.tenant);
    if (options.limit) query.set('limit', String(options.limit));
    return this.getJson(`/v1/search?${query}`, `search for '${text}'`);
  }

  /** Every version of a tool published by `tenant`, ascending; empty when there is none. */
  async listToolVersions(tenant: string, name: string): Promise<string[]> {
    const url = this.endpoint(`/v1/tools/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`);
    const answer = await withRetries(
      () =>
        sendRequest({
          method: 'GET',
          url,
          headers: this.headers({ accept: 'application/json' }),
          timeoutMs: this.options.timeoutMs ?? 60_000,
        }),
      this.url.origin,
      this.options.retry,
    );
    if (answer.status === 404) {
      answer.stream.resume();
      return [];
    }
    if (answer.status !== 200) throw await failureOf(answer, `listing tool ${tenant}/${name}`);
    const body = JSON.parse((await readBody(answer)).toString('utf8')) as { versions?: unknown };
    if (!Array.isArray(body.versions) || !body.versions.every((v) => typeof v === 'string')) {
      throw new RegistryClientError(
        'REGISTRY_BAD_RESPONSE',
        `listing tool ${tenant}/${name}: no "versions" array in the answer`,
      );
    }
    return body.versions as string[];
  }

  /** Fetches one tool definition, checking the bytes against the sha256 the server promises and the name and version asked for. */
  async getTool(tenant: string, name: string, version: string): Promise<RegistryToolDefinition> {
    const label = `tool ${tenant}/${name}@${version}`;
    const answer = await this.exchange(
      {
        method: 'GET',
        url: this.endpoint(
          `/v1/tools/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}/${encodeURIComponent(version)}`,
        ),
        headers: this.headers(),
      },
      `fetching ${label}`,
    );
    const bytes = await readBody(answer, 1 << 20);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== answer.headers['x-content-sha256']) {
      throw new RegistryClientError(
        'REGISTRY_DIGEST_MISMATCH',
        `${label}: received bytes hash to sha256:${sha256} but the registry promised sha256:${String(answer.headers['x-content-sha256'])}`,
        { details: { received: sha256 } },
      );
    }
    const def = JSON.parse(bytes.toString('utf8')) as RegistryToolDefinition;
    if (def.name !== name || def.version !== version) {
      throw new RegistryClientError(
        'REGISTRY_DIGEST_MISMATCH',
        `${label}: the registry sent ${def.name}@${def.version}`,
        { details: { received: `${def.name}@${def.version}` } },
      );
    }
    return def;
  }

  /** Metadata of one version. */
  meta(reference: string | AgentReference): Promise<RegistryEntry> {
    const ref = typeof reference === 'string' ? parseAgentReference(reference) : reference;
    return this.getJson(
      `/v1/agents/${ref.tenant}/${ref.name}/${ref.version}/meta`,
      `metadata of ${ref.tenant}/${ref.name}@${ref.version}`,
    );
  }

  /**
   * Pulls `tenant/name@version` into `out` (default `<name>@<version>.agent` in `cwd`): streams to a
   * temporary file beside `out`, checks the sha256 the server and the reference promise, verifies
   * the artifact by content and its `ag1:` digest, and only then renames it into place. The output
   * path comes from the caller alone, never from anything the server sends.
   */
  async pull(reference: string | AgentReference, options: PullOptions = {}): Promise<PullResult> {
    const ref = typeof reference === 'string' ? parseAgentReference(reference) : reference;
    const label = `${ref.tenant}/${ref.name}@${ref.version}`;
    const out = resolve(options.cwd ?? process.cwd(), options.out ?? `${ref.name}@${ref.version}.agent`);
    const existing = await stat(out).catch(() => undefined);
    if (existing?.isDirectory())
      throw new RegistryClientError(
        'REGISTRY_OUTPUT',
        `--out ${out} is a directory; name the file to write (e.g. ${join(out, `${ref.name}@${ref.version}.agent`)})`,
        { details: { out } },
      );
    const url = this.endpoint(`/v1/agents/${ref.tenant}/${ref.name}/${ref.version}`);
    const source = `${this.url.origin} (${label})`;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.exchange({ method: 'GET', url, headers: this.headers() }, `pull of ${label}`);
      const promised = String(answer.headers['x-content-sha256'] ?? '');
      if (!/^[0-9a-f]{64}$/.test(promised)) {
        answer.stream.destroy();
        throw new RegistryClientError(
          'REGISTRY_BAD_RESPONSE',
          `pull of ${label}: the registry sent no X-Content-Sha256 header to verify against`,
          { details: { url: url.href } },
        );
      }
      if (ref.sha256 && promised !== ref.sha256) {
        answer.stream.destroy();
        throw new RegistryClientError(
          'REGISTRY_DIGEST_MISMATCH',
          `pull of ${label}: the reference pins sha256:${ref.sha256} but the registry serves sha256:${promised}`,
          { details: { expected: ref.sha256, served: promised } },
        );
      }
      const total = Number(answer.headers['content-length'] ?? Number.NaN);
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_PULL_BYTES;
      if (Number.isFinite(total) && total > maxBytes) {
        answer.stream.destroy();
        throw tooLarge(
          `pull of ${label}: the registry declares ${total} bytes, more than the pull limit of ${maxBytes}; nothing was written (raise it with --max-size-mib if you expect an artifact this large)`,
          { declared: total, limitBytes: maxBytes },
        );
      }
      const file = await openAtomicFile(out, { suffix: '.partial' }).catch((cause: unknown) => {
        answer.stream.destroy();
        throw new RegistryClientError('REGISTRY_OUTPUT', `cannot write beside ${out}: ${(cause as Error).message}`, {
          details: { path: out },
          cause,
        });
      });
      try {
        const { sha256, size } = await this.download(
          answer,
          file.handle,
          label,
          Number.isFinite(total) ? total : undefined,
          maxBytes,
        );
        await file.close();
        if (sha256 !== promised) {
          throw new RegistryClientError(
            'REGISTRY_DIGEST_MISMATCH',
            `pull of ${label}: received bytes hash to sha256:${sha256} but the registry promised sha256:${promised}; nothing was written to ${out}`,
            { details: { expected: promised, received: sha256 } },
          );
        }
        const digestHeader = answer.headers['x-agentlang-digest'];
        const verified = await verifyArtifactFile(file.tempPath, {
          name: ref.name,
          version: ref.version,
          ...(typeof digestHeader === 'string' ? { digest: digestHeader } : {}),
          ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
          source,
        });
        await file.commit();
        return { ...verified, tenant: ref.tenant, path: out, sha256, size };
      } catch (error) {
        await file.discard();
        const retryable = !(error instanceof RegistryClientError) && attempt < (this.options.retry?.retries ?? 3);
        if (!retryable) {
          if (error instanceof RegistryClientError) throw error;
          throw new RegistryClientError(
            'REGISTRY_NETWORK',
            `pull of ${label} was cut off: ${(error as Error).message}`,
            { details: { url: url.href }, cause: error },
          );
        }
      }
    }
  }

  /** Streams the answer into `handle` (the caller's temp file), bounded by `total` and `maxBytes`. */
  private async download(
    answer: HttpAnswer,
    handle: FileHandle,
    label: string,
    total: number | undefined,
    maxBytes: number,
  ): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    let reported = 0;
    const onProgress = this.options.onProgress;
    for await (const chunk of answer.stream) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      // Checked before the bytes reach the disk: a hostile server once streamed 5.6 GB here.
      if (total !== undefined && size > total)
        throw tooLarge(
          `pull of ${label}: the registry sent more than its Content-Length of ${total}; nothing was kept`,
          { declared: total },
        );
      if (size > maxBytes)
        throw tooLarge(
          `pull of ${label}: the registry sent more than the pull limit of ${maxBytes} bytes without declaring a size; nothing was kept (raise it with --max-size-mib if you expect an artifact this large)`,
          { limitBytes: maxBytes },
        );
      await handle.write(bytes);
      if (onProgress && size - reported >= 4 << 20) {
        reported = size;
        onProgress({ direction: 'download', label, bytes: size, ...(total !== undefined ? { total } : {}) });
      }
    }
    if (total !== undefined && size !== total) throw new Error(`received ${size} of ${total} bytes`);
    onProgress?.({ direction: 'download', label, bytes: size, ...(total !== undefined ? { total } : {}) });
    return { sha256: hash.digest('hex'), size };
  }
}

function tooLarge(message: string, details: Record<string, unknown>): RegistryClientError {
  return new RegistryClientError('REGISTRY_TOO_LARGE', message, { details: details });
}
