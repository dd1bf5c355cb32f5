import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { openAtomicFile } from '@agentlang/utils';
import { readPushable } from './artifact.js';
import { DEFAULT_MAX_PULL_BYTES } from './client.js';
import { RegistryClientError } from './errors.js';
import { type HttpAnswer, type HttpCall, readBody, type RetryOptions, sendRequest, withRetries } from './http.js';
import type { TransferProgress } from './progress.js';
import { type OciReference, parseOciReference } from './reference.js';
import { encodeTarHeader, listTarEntries, TAR_END, tarPadding } from './tar.js';
import { type VerifiedArtifact, verifyArtifactFile } from './verify.js';

/** `artifactType` of an agent stored in an OCI registry. */
export const OCI_ARTIFACT_TYPE = 'application/vnd.agentlang.agent.v1';
/** The OCI image manifest media type used. */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/**
 * The config is a minimal OCI image config (architecture/os `unknown`, the agent's identity as
 * labels, diff_ids = layer digests): with the empty config, `skopeo inspect` and similar tools
 * refuse the artifact as "non-image", so the standard config keeps it inspectable everywhere.
 */
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';

/** Layer media types: one per kind of container entry, and one for a bare YAML manifest. */
export const OCI_LAYER_MEDIA_TYPES = {
  manifest: 'application/vnd.agentlang.manifest.v1+yaml',
  index: 'application/vnd.agentlang.container.index.v1+json',
  signature: 'application/vnd.agentlang.container.signature.v1+json',
  prompt: 'application/vnd.agentlang.prompt.v1.encrypted',
  lock: 'application/vnd.agentlang.lock.v1+json',
  context: 'application/vnd.agentlang.context.v1',
  source: 'application/vnd.agentlang.source.v1',
} as const;

/** Annotation keys set on the OCI manifest. */
export const OCI_ANNOTATIONS = {
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  name: 'dev.agentlang.name',
  agentVersion: 'dev.agentlang.version',
  digest: 'dev.agentlang.digest',
  kind: 'dev.agentlang.kind',
  containerSha256: 'dev.agentlang.container.sha256',
  containerSize: 'dev.agentlang.container.size',
} as const;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The OCI image manifest we write (and expect on pull). */
export interface OciAgentManifest {
  schemaVersion: 2;
  mediaType: typeof OCI_MANIFEST_MEDIA_TYPE;
  artifactType: typeof OCI_ARTIFACT_TYPE;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

/** Options of the OCI calls. */
export interface OciOptions {
  /** Force plain HTTP (default: only for loopback hosts). */
  insecure?: boolean;
  /** Bearer token sent to the registry, when it needs one (skips the token exchange). */
  token?: string;
  /**
   * Credentials for the registry's token service (`WWW-Authenticate: Bearer realm=…`, as GHCR,
   * Harbor, ECR and distribution with token auth answer) or for Basic auth. Without them the token
   * exchange is tried anonymously, which is how public repositories are pulled.
   */
  username?: string;
  password?: string;
  retry?: RetryOptions;
  onProgress?: (progress: TransferProgress) => void;
}

/** What an OCI push stored. */
export interface OciPushResult {
  reference: string;
  name: string;
  version: string;
  digest: string;
  kind: 'manifest' | 'container';
  /** `sha256:<hex>` of the OCI manifest. */
  manifestDigest: string;
  layers: number;
}

/** What an OCI pull wrote. */
export interface OciPullResult extends VerifiedArtifact {
  path: string;
  manifestDigest: string;
  sha256: string;
  size: number;
}

function layerMediaType(path: string): string {
  if (path === 'manifest.json') return OCI_LAYER_MEDIA_TYPES.index;
  if (path === 'signature.sig') return OCI_LAYER_MEDIA_TYPES.signature;
  if (path === 'prompt.yaml.enc') return OCI_LAYER_MEDIA_TYPES.prompt;
  if (path === 'agent.lock') return OCI_LAYER_MEDIA_TYPES.lock;
  if (path.startsWith('context/')) return OCI_LAYER_MEDIA_TYPES.context;
  return OCI_LAYER_MEDIA_TYPES.source;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}

class OciSession {
  readonly base: URL;
  private token: string | undefined;
  private basic = false;
  constructor(
    readonly ref: OciReference,
    private readonly options: OciOptions,
  ) {
    this.base = new URL(`${ref.insecure ? 'http' : 'https'}://${ref.host}/`);
    this.token = options.token;
  }

  private basicAuth(): string {
    return `Basic ${Buffer.from(`${this.options.username ?? ''}:${this.options.password ?? ''}`).toString('base64')}`;
  }

  /** Answers a 401 challenge: fetches a bearer token from the realm, or switches to Basic auth. Returns false when it cannot. */
  private async authenticate(header: string | undefined): Promise<boolean> {
    if (!header) return false;
    const { scheme, params } = parseChallenge(header);
    if (scheme === 'basic') {
      if (this.basic || this.options.username === undefined) return false;
      this.basic = true;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      return false;
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.ref.insecure)) {
      throw new RegistryClientError('REGISTRY_OCI', `the registry's token service ${realm.origin} is not HTTPS; refusing to send credentials there`, { realm: realm.href });
    }
    if (params.service) realm.searchParams.set('service', params.service);
    if (params.scope) realm.searchParams.set('scope', params.scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.username !== undefined) headers.authorization = this.basicAuth();
    const answer = await withRetries(() => sendRequest({ method: 'GET', url: realm, headers }), realm.origin, this.options.retry);
    const body = await readBody(answer, 1 << 20);
    if (answer.status !== 200) {
      throw new RegistryClientError('REGISTRY_OCI', `the token service ${realm.origin} refused a token for ${params.scope ?? this.ref.repository}: HTTP ${answer.status}${this.options.username === undefined ? ' (no credentials were sent: set AGENTLANG_OCI_USERNAME and AGENTLANG_OCI_PASSWORD)' : ''}`, { status: answer.status, realm: realm.origin });
    }
    let token: unknown;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new RegistryClientError('REGISTRY_OCI', `the token service ${realm.origin} answered without a token`, { realm: realm.origin });
    const renewed = token !== this.token;
    this.token = token;
    return renewed;
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  headers(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { ...extra };
  }

  authorization(): Record<string, string> {
    if (this.token) return { authorization: `Bearer ${this.token}` };
    if (this.basic) return { authorization: this.basicAuth() };
    return {};
  }

  async call(call: HttpCall, action: string, ok: number[]): Promise<HttpAnswer> {
    const send = () => withRetries(() => sendRequest({ ...call, headers: { ...call.headers, ...this.authorization() } }), this.base.origin, this.options.retry);
    let answer = await send();
    if (answer.status === 401 && !ok.includes(401)) {
      const challenge = answer.headers['www-authenticate'];
      if (await this.authenticate(typeof challenge === 'string' ? challenge : undefined)) {
        answer.stream.resume();
        answer = await send();
      }
    }
    if (!ok.includes(answer.status)) {
      const text = (await readBody(answer, 64 << 10).catch(() => Buffer.alloc(0))).toString('utf8');
      let reason = text.replace(/\s+/g, ' ').trim().slice(0, 300);
      try {
        const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors;
        if (errors?.length) reason = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
      } catch {
        // Not the distribution error format.
      }
      const hint = answer.status === 401 ? ' (the registry wants credentials: set AGENTLANG_OCI_USERNAME and AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN)' : '';
      throw new RegistryClientError('REGISTRY_OCI', `${action} at ${this.base.origin}/${this.ref.repository} failed: HTTP ${answer.status}${reason ? ` — ${reason}` : ''}${hint}`, { status: answer.status, registry: this.base.origin, repository: this.ref.repository });
    }
    return answer;
  }

  /**
   * GETs a blob, following the redirects to object storage or a CDN that GHCR, ECR and S3-backed
   * registries answer with. Credentials are never sent to the redirect target: it is another
   * origin, and its URL carries its own signature.
   */
  async fetchBlob(digest: string): Promise<HttpAnswer> {
    const action = `fetching blob ${digest}`;
    let answer = await this.call({ method: 'GET', url: this.url(`/v2/${this.ref.repository}/blobs/${digest}`), headers: this.headers() }, action, [200, 301, 302, 303, 307, 308]);
    for (let hop = 0; answer.status !== 200; hop++) {
      const location = answer.headers.location;
      answer.stream.resume();
      if (!location || hop >= 5) throw new RegistryClientError('REGISTRY_OCI', `${action}: ${location ? 'too many redirects' : `HTTP ${answer.status} without a Location`}`, { status: answer.status });
      const target = new URL(location, this.base);
      if (target.protocol !== 'https:' && !(target.protocol === 'http:' && this.ref.insecure)) {
        throw new RegistryClientError('REGISTRY_OCI', `${action}: redirected to ${target.origin}, which is not HTTPS; refusing`, { location: target.origin });
      }
      const headers = target.origin === this.base.origin ? this.authorization() : {};
      answer = await withRetries(() => sendRequest({ method: 'GET', url: target, headers }), target.origin, this.options.retry);
      if (![200, 301, 302, 303, 307, 308].includes(answer.status)) {
        answer.stream.resume();
        throw new RegistryClientError('REGISTRY_OCI', `${action}: the redirect target ${target.origin} answered HTTP ${answer.status}`, { status: answer.status, location: target.origin });
      }
    }
    return answer;
  }

  async uploadBlob(digest: string, size: number, body: () => Buffer | NodeJS.ReadableStream): Promise<void> {
    const repo = this.ref.repository;
    const head = await this.call({ method: 'HEAD', url: this.url(`/v2/${repo}/blobs/${digest}`), headers: this.headers() }, `checking blob ${digest}`, [200, 404]);
    head.stream.resume();
    if (head.status === 200) return;
    const start = await this.call({ method: 'POST', url: this.url(`/v2/${repo}/blobs/uploads/`), headers: this.headers({ 'content-length': 0 }) }, 'starting a blob upload', [202]);
    start.stream.resume();
    const location = start.headers.location;
    if (!location) throw new RegistryClientError('REGISTRY_OCI', `the registry started an upload without a Location header (${this.base.origin})`);
    const target = new URL(location, this.base);
    if (target.origin !== this.base.origin) throw new RegistryClientError('REGISTRY_OCI', `the registry sent the upload to another origin (${target.origin}); refusing`, { location });
    target.searchParams.set('digest', digest);
    const put = await this.call(
      { method: 'PUT', url: target, headers: this.headers({ 'content-type': 'application/octet-stream', 'content-length': size }), body: body as HttpCall['body'] },
      `uploading blob ${digest}`,
      [201],
    );
    put.stream.resume();
  }
}

function sha256Of(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function hashSpan(path: string, offset: number, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size > 0) for await (const chunk of createReadStream(path, { start: offset, end: offset + size - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Pushes a YAML manifest or a container to an OCI distribution registry as an artifact: one layer
 * per container entry (titled with the entry's path) or one layer holding the YAML, an image config
 * carrying the identity as labels, and annotations for name, version and digest.
 */
export async function pushOci(path: string, reference: string | OciReference, options: OciOptions = {}): Promise<OciPushResult> {
  const ref = typeof reference === 'string' ? parseOciReference(reference, options.insecure !== undefined ? { insecure: options.insecure } : {}) : reference;
  const tag = ref.tag;
  if (!tag) throw new RegistryClientError('REGISTRY_BAD_REFERENCE', `an OCI push needs a tag (oci://${ref.host}/${ref.repository}:<tag>)`);
  const read = await readPushable(path);
  if (read.kind === 'tool') throw new RegistryClientError('REGISTRY_INPUT', `${path} is a tool definition; tools are published to an AgentLang registry (agentlang push ${path} --registry URL), not as OCI artifacts`, { path });
  const artifact = { ...read, kind: read.kind };
  const session = new OciSession(ref, options);
  const spans =
    artifact.kind === 'container'
      ? await listTarEntries(path)
      : [{ path: basename(path), offset: 0, size: artifact.size }];
  const layers: Descriptor[] = [];
  let sent = 0;
  const label = `${artifact.name}@${artifact.version}`;
  for (const span of spans) {
    const digest = await hashSpan(path, span.offset, span.size);
    await session.uploadBlob(digest, span.size, () => (span.size === 0 ? Buffer.alloc(0) : createReadStream(path, { start: span.offset, end: span.offset + span.size - 1, highWaterMark: 1 << 20 })));
    sent += span.size;
    options.onProgress?.({ direction: 'upload', label, bytes: sent, total: artifact.size });
    layers.push({
      mediaType: artifact.kind === 'container' ? layerMediaType(span.path) : OCI_LAYER_MEDIA_TYPES.manifest,
      digest,
      size: span.size,
      annotations: { [OCI_ANNOTATIONS.title]: span.path },
    });
  }
  const annotations: Record<string, string> = {
    [OCI_ANNOTATIONS.title]: artifact.name,
    [OCI_ANNOTATIONS.version]: artifact.version,
    [OCI_ANNOTATIONS.name]: artifact.name,
    [OCI_ANNOTATIONS.agentVersion]: artifact.version,
    [OCI_ANNOTATIONS.digest]: artifact.digest,
    [OCI_ANNOTATIONS.kind]: artifact.kind,
    ...(artifact.kind === 'container' ? { [OCI_ANNOTATIONS.containerSha256]: `sha256:${artifact.sha256}`, [OCI_ANNOTATIONS.containerSize]: String(artifact.size) } : {}),
  };
  const config = Buffer.from(
    JSON.stringify({ architecture: 'unknown', os: 'unknown', config: { Labels: annotations }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const configDigest = sha256Of(config);
  await session.uploadBlob(configDigest, config.length, () => config);
  const manifest: OciAgentManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    artifactType: OCI_ARTIFACT_TYPE,
    config: { mediaType: OCI_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
    layers,
    annotations,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256Of(bytes);
  const put = await session.call(
    { method: 'PUT', url: session.url(`/v2/${ref.repository}/manifests/${tag}`), headers: session.headers({ 'content-type': OCI_MANIFEST_MEDIA_TYPE, 'content-length': bytes.length }), body: () => bytes },
    `putting manifest ${ref.repository}:${tag}`,
    [201],
  );
  put.stream.resume();
  const echoed = put.headers['docker-content-digest'];
  if (typeof echoed === 'string' && echoed !== manifestDigest) {
    throw new RegistryClientError('REGISTRY_OCI', `the registry stored manifest ${echoed} but we sent ${manifestDigest}`, { sent: manifestDigest, stored: echoed });
  }
  return { reference: `oci://${ref.host}/${ref.repository}:${tag}`, name: artifact.name, version: artifact.version, digest: artifact.digest, kind: artifact.kind, manifestDigest, layers: layers.length };
}

function parseAgentManifest(bytes: Buffer, where: string): OciAgentManifest {
  const fail = (why: string): never => {
    throw new RegistryClientError('REGISTRY_OCI', `${where} is not an AgentLang OCI artifact: ${why}`, { where });
  };
  let value: OciAgentManifest;
  try {
    value = JSON.parse(bytes.toString('utf8')) as OciAgentManifest;
  } catch {
    return fail('the manifest is not JSON');
  }
  if (value.mediaType !== OCI_MANIFEST_MEDIA_TYPE) fail(`mediaType is ${JSON.stringify(value.mediaType)}`);
  if (value.artifactType !== OCI_ARTIFACT_TYPE) fail(`artifactType is ${JSON.stringify(value.artifactType)}, expected ${OCI_ARTIFACT_TYPE}`);
  if (!Array.isArray(value.layers) || value.layers.length === 0) fail('it has no layers');
  for (const layer of value.layers) {
    if (typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest) || !Number.isSafeInteger(layer.size) || layer.size < 0) fail('a layer descriptor is malformed');
  }
  const a = value.annotations ?? {};
  for (const key of [OCI_ANNOTATIONS.name, OCI_ANNOTATIONS.agentVersion, OCI_ANNOTATIONS.digest, OCI_ANNOTATIONS.kind]) if (typeof a[key] !== 'string') fail(`annotation ${key} is missing`);
  if (a[OCI_ANNOTATIONS.kind] !== 'manifest' && a[OCI_ANNOTATIONS.kind] !== 'container') fail(`annotation ${OCI_ANNOTATIONS.kind} is ${a[OCI_ANNOTATIONS.kind]}`);
  if (a[OCI_ANNOTATIONS.kind] === 'manifest' && value.layers.length !== 1) fail('a manifest artifact has exactly one layer');
  if (a[OCI_ANNOTATIONS.kind] === 'container' && !/^sha256:[0-9a-f]{64}$/.test(a[OCI_ANNOTATIONS.containerSha256] ?? '')) fail(`annotation ${OCI_ANNOTATIONS.containerSha256} is missing`);
  return value;
}

/**
 * Pulls an agent artifact from an OCI registry into `out`: checks the manifest digest, every
 * layer's sha256 and size, reassembles the container byte for byte (its sha256 must equal the
 * annotation), verifies it through the signed index and its `ag1:` digest, then renames it into place.
 */
export async function pullOci(reference: string | OciReference, options: OciOptions & { out?: string; cwd?: string; publicKeys?: string[]; maxBytes?: number } = {}): Promise<OciPullResult> {
  const ref = typeof reference === 'string' ? parseOciReference(reference, options.insecure !== undefined ? { insecure: options.insecure } : {}) : reference;
  const session = new OciSession(ref, options);
  const pointer = ref.digest ?? ref.tag!;
  const where = `oci://${ref.host}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  const answer = await session.call(
    { method: 'GET', url: session.url(`/v2/${ref.repository}/manifests/${pointer}`), headers: session.headers({ accept: OCI_MANIFEST_MEDIA_TYPE }) },
    `fetching manifest ${where}`,
    [200],
  );
  const bytes = await readBody(answer, 4 << 20);
  const manifestDigest = sha256Of(bytes);
  const echoed = answer.headers['docker-content-digest'];
  if ((ref.digest && ref.digest !== manifestDigest) || (typeof echoed === 'string' && echoed !== manifestDigest)) {
    throw new RegistryClientError('REGISTRY_DIGEST_MISMATCH', `the manifest of ${where} hashes to ${manifestDigest} but ${ref.digest ?? echoed} was promised`, { expected: ref.digest ?? echoed, received: manifestDigest });
  }
  const manifest = parseAgentManifest(bytes, where);
  const a = manifest.annotations;
  const name = a[OCI_ANNOTATIONS.name]!;
  const version = a[OCI_ANNOTATIONS.agentVersion]!;
  const kind = a[OCI_ANNOTATIONS.kind] as 'manifest' | 'container';
  const declared = manifest.layers.reduce((sum, l) => sum + l.size, 0);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PULL_BYTES;
  if (declared > maxBytes) {
    throw new RegistryClientError('REGISTRY_TOO_LARGE', `${where} declares ${declared} bytes of layers, more than the pull limit of ${maxBytes}; nothing was written (raise it with --max-size-mib if you expect an artifact this large)`, { declared, limitBytes: maxBytes });
  }
  const out = resolve(options.cwd ?? process.cwd(), options.out ?? `${ref.repository.split('/').at(-1)}@${ref.tag ?? 'pulled'}.agent`);
  if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new RegistryClientError('REGISTRY_OUTPUT', `--out ${out} is a directory; name the file to write`, { out });
  const file = await openAtomicFile(out, { suffix: '.partial' });
  const handle = file.handle;
  const whole = createHash('sha256');
  let size = 0;
  const write = async (chunk: Buffer) => {
    whole.update(chunk);
    size += chunk.length;
    await handle.write(chunk);
  };
  try {
    let done = 0;
    const total = manifest.layers.reduce((sum, l) => sum + l.size, 0);
    for (const layer of manifest.layers) {
      const title = layer.annotations?.[OCI_ANNOTATIONS.title];
      if (kind === 'container') {
        if (typeof title !== 'string') throw new RegistryClientError('REGISTRY_OCI', `a layer of ${where} has no ${OCI_ANNOTATIONS.title} annotation`);
        await write(encodeTarHeader(title, layer.size));
      }
      const blob = await session.fetchBlob(layer.digest);
      const hash = createHash('sha256');
      let got = 0;
      for await (const chunk of blob.stream) {
        got += (chunk as Buffer).length;
        if (got > layer.size) {
          blob.stream.destroy();
          throw new RegistryClientError('REGISTRY_TOO_LARGE', `layer ${layer.digest} of ${where} streams more than its descriptor's ${layer.size} bytes; nothing was kept`, { declared: layer.size });
        }
        hash.update(chunk as Buffer);
        await write(chunk as Buffer);
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== layer.digest || got !== layer.size) {
        throw new RegistryClientError('REGISTRY_DIGEST_MISMATCH', `layer ${title ?? ''} of ${where} hashes to ${digest} (${got} bytes) but its descriptor says ${layer.digest} (${layer.size} bytes)`, { expected: layer.digest, received: digest });
      }
      if (kind === 'container') await write(tarPadding(layer.size));
      done += layer.size;
      options.onProgress?.({ direction: 'download', label: `${name}@${version}`, bytes: done, total });
    }
    if (kind === 'container') {
      await write(TAR_END);
      const rebuilt = `sha256:${whole.digest('hex')}`;
      if (rebuilt !== a[OCI_ANNOTATIONS.containerSha256]) {
        throw new RegistryClientError('REGISTRY_DIGEST_MISMATCH', `the container reassembled from ${where} hashes to ${rebuilt} but the artifact promises ${a[OCI_ANNOTATIONS.containerSha256]}`, { expected: a[OCI_ANNOTATIONS.containerSha256], received: rebuilt });
      }
    }
    await file.close();
    const verified = await verifyArtifactFile(file.tempPath, { name, version, digest: a[OCI_ANNOTATIONS.digest]!, ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}), source: where });
    await file.commit();
    const sha256 = kind === 'container' ? a[OCI_ANNOTATIONS.containerSha256]!.slice(7) : manifest.layers[0]!.digest.slice(7);
    return { ...verified, path: out, manifestDigest, sha256, size };
  } catch (error) {
    await file.discard();
    throw error;
  }
}

/** OCI credentials from `AGENTLANG_OCI_TOKEN`, `AGENTLANG_OCI_USERNAME` and `AGENTLANG_OCI_PASSWORD` (never from flags: `ps` would show them). */
export function ociCredentialsFromEnv(env: NodeJS.ProcessEnv): Pick<OciOptions, 'token' | 'username' | 'password'> {
  return {
    ...(env.AGENTLANG_OCI_TOKEN ? { token: env.AGENTLANG_OCI_TOKEN } : {}),
    ...(env.AGENTLANG_OCI_USERNAME ? { username: env.AGENTLANG_OCI_USERNAME } : {}),
    ...(env.AGENTLANG_OCI_PASSWORD ? { password: env.AGENTLANG_OCI_PASSWORD } : {}),
  };
}
