import { RegistryClientError } from './errors.js';
import { type HttpAnswer, type HttpCall, readBody, sendRequest, withRetries } from './http.js';
import type { OciOptions } from './oci-format.js';
import type { OciReference } from './reference.js';

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([A-Za-z]+)="([^"]*)"/g))
    params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}

/** One registry conversation: its base URL, credentials and the token it was given. */
export class OciSession {
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
      throw new RegistryClientError(
        'REGISTRY_OCI',
        `the registry's token service ${realm.origin} is not HTTPS; refusing to send credentials there`,
        { details: { realm: realm.href } },
      );
    }
    if (params.service) realm.searchParams.set('service', params.service);
    if (params.scope) realm.searchParams.set('scope', params.scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.username !== undefined) headers.authorization = this.basicAuth();
    const answer = await withRetries(
      () => sendRequest({ method: 'GET', url: realm, headers }),
      realm.origin,
      this.options.retry,
    );
    const body = await readBody(answer, 1 << 20);
    if (answer.status !== 200) {
      throw new RegistryClientError(
        'REGISTRY_OCI',
        `the token service ${realm.origin} refused a token for ${params.scope ?? this.ref.repository}: HTTP ${answer.status}${this.options.username === undefined ? ' (no credentials were sent: set AGENTLANG_OCI_USERNAME and AGENTLANG_OCI_PASSWORD)' : ''}`,
        { details: { status: answer.status, realm: realm.origin } },
      );
    }
    let token: unknown;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new RegistryClientError('REGISTRY_OCI', `the token service ${realm.origin} answered without a token`, {
        details: { realm: realm.origin },
      });
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
    const send = () =>
      withRetries(
        () => sendRequest({ ...call, headers: { ...call.headers, ...this.authorization() } }),
        this.base.origin,
        this.options.retry,
      );
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
      const hint =
        answer.status === 401
          ? ' (the registry wants credentials: set AGENTLANG_OCI_USERNAME and AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN)'
          : '';
      throw new RegistryClientError(
        'REGISTRY_OCI',
        `${action} at ${this.base.origin}/${this.ref.repository} failed: HTTP ${answer.status}${reason ? ` — ${reason}` : ''}${hint}`,
        { details: { status: answer.status, registry: this.base.origin, repository: this.ref.repository } },
      );
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
    let answer = await this.call(
      { method: 'GET', url: this.url(`/v2/${this.ref.repository}/blobs/${digest}`), headers: this.headers() },
      action,
      [200, 301, 302, 303, 307, 308],
    );
    for (let hop = 0; answer.status !== 200; hop++) {
      const location = answer.headers.location;
      answer.stream.resume();
      if (!location || hop >= 5)
        throw new RegistryClientError(
          'REGISTRY_OCI',
          `${action}: ${location ? 'too many redirects' : `HTTP ${answer.status} without a Location`}`,
          { details: { status: answer.status } },
        );
      const target = new URL(location, this.base);
      if (target.protocol !== 'https:' && !(target.protocol === 'http:' && this.ref.insecure)) {
        throw new RegistryClientError(
          'REGISTRY_OCI',
          `${action}: redirected to ${target.origin}, which is not HTTPS; refusing`,
          { details: { location: target.origin } },
        );
      }
      const headers = target.origin === this.base.origin ? this.authorization() : {};
      answer = await withRetries(
        () => sendRequest({ method: 'GET', url: target, headers }),
        target.origin,
        this.options.retry,
      );
      if (![200, 301, 302, 303, 307, 308].includes(answer.status)) {
        answer.stream.resume();
        throw new RegistryClientError(
          'REGISTRY_OCI',
          `${action}: the redirect target ${target.origin} answered HTTP ${answer.status}`,
          { details: { status: answer.status, location: target.origin } },
        );
      }
    }
    return answer;
  }

  async uploadBlob(digest: string, size: number, body: () => Buffer | NodeJS.ReadableStream): Promise<void> {
    const repo = this.ref.repository;
    const head = await this.call(
      { method: 'HEAD', url: this.url(`/v2/${repo}/blobs/${digest}`), headers: this.headers() },
      `checking blob ${digest}`,
      [200, 404],
    );
    head.stream.resume();
    if (head.status === 200) return;
    const start = await this.call(
      { method: 'POST', url: this.url(`/v2/${repo}/blobs/uploads/`), headers: this.headers({ 'content-length': 0 }) },
      'starting a blob upload',
      [202],
    );
    start.stream.resume();
    const location = start.headers.location;
    if (!location)
      throw new RegistryClientError(
        'REGISTRY_OCI',
        `the registry started an upload without a Location header (${this.base.origin})`,
      );
    const target = new URL(location, this.base);
    if (target.origin !== this.base.origin)
      throw new RegistryClientError(
        'REGISTRY_OCI',
        `the registry sent the upload to another origin (${target.origin}); refusing`,
        { details: { location } },
      );
    target.searchParams.set('digest', digest);
    const put = await this.call(
      {
        method: 'PUT',
        url: target,
        headers: this.headers({ 'content-type': 'application/octet-stream', 'content-length': size }),
        body: body as HttpCall['body'],
      },
      `uploading blob ${digest}`,
      [201],
    );
    put.stream.resume();
  }
}
