import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { hostAllowed, isPrivateAddress } from '@agentlang/isolation';
import { isIP, type LookupFunction } from 'node:net';
import { HarnessError } from './errors.js';
import { httpsRequest } from './lazy-https.js';

/**
 * Where host-side network tools (http_tools, web_fetch) may connect. The loop runs on the host,
 * so these requests carry the host's network position: loopback, private, link-local (cloud
 * metadata) and other special ranges are refused unless the host configuration allows them.
 */
export interface EgressPolicy {
  /** Host names (exact, or `*.example.com` for subdomains) that may be reached; undefined = any public host. */
  allowHosts?: string[];
  /** Allow loopback and private ranges (a host configuration decision, e.g. a local API gateway). */
  allowPrivate?: boolean;
  /**
   * Host-configured name pins, name → IP address (`AGENTLANG_EGRESS_RESOLVE`, read with
   * `parseEgressResolve` from @agentlang/isolation, as the sandbox's egress proxy does): a pinned
   * name connects to its address without DNS, and may be loopback or private. It is the narrow
   * opt-in: no other name, literal or redirect target reaches such an address. Pins do not widen
   * `allowHosts`.
   */
  resolve?: Record<string, string>;
}

/** The pinned address of a host name, if the host configuration pinned it. */
function pinOf(host: string, policy: EgressPolicy): string | undefined {
  if (!policy.resolve) return undefined;
  const name = host.toLowerCase().replace(/\.$/, '');
  return Object.hasOwn(policy.resolve, name) ? policy.resolve[name] : undefined;
}

// One definition of "private" for the whole project: the isolation package's, which its egress
// proxy enforces for sandboxed runtimes; this module applies it to the loop's host-side requests.
function allowedHost(host: string, allow: string[] | undefined): boolean {
  return allow === undefined || hostAllowed(host, allow);
}

/** Checks a URL against the policy before any connection: scheme, host allowlist, literal addresses. */
export function checkEgressUrl(url: URL, policy: EgressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HarnessError('HARNESS_EGRESS_DENIED', `${url.protocol} URLs are not fetched (only http and https)`, {
      details: { url: url.href },
    });
  }
  if (url.username || url.password) {
    throw new HarnessError('HARNESS_EGRESS_DENIED', 'URLs with credentials are not fetched', {
      details: { host: url.hostname },
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowedHost(host, policy.allowHosts)) {
    throw new HarnessError(
      'HARNESS_EGRESS_DENIED',
      `${host} is not in this agent's egress allowlist (${(policy.allowHosts ?? []).join(', ') || 'empty'})`,
      {
        details: { host },
      },
    );
  }
  if (isIP(host) && !policy.allowPrivate && isPrivateAddress(host) && pinOf(host, policy) === undefined) {
    throw new HarnessError(
      'HARNESS_EGRESS_DENIED',
      `${host} is a loopback or private address; the host configuration does not allow those (pin a name to it with AGENTLANG_EGRESS_RESOLVE)`,
      { details: { host } },
    );
  }
}

/**
 * A DNS lookup that refuses private answers. It is the lookup the socket connects with, so the
 * address checked is the address used (no window for DNS rebinding between check and connect).
 */
function guardedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const pinned = pinOf(hostname, policy);
    if (pinned !== undefined) {
      const family = isIP(pinned);
      if ((options as { all?: boolean }).all)
        (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          { address: pinned, family },
        ]);
      else callback(null, pinned, family);
      return;
    }
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses as Array<{ address: string; family: number }>;
      const bad = list.find((a) => !policy.allowPrivate && isPrivateAddress(a.address));
      if (bad || list.length === 0) {
        const denial = new HarnessError(
          'HARNESS_EGRESS_DENIED',
          `${hostname} resolves to ${bad?.address ?? 'nothing'}, a loopback or private address; the host configuration does not allow those (pin the name with AGENTLANG_EGRESS_RESOLVE if that is intended)`,
          {
            details: { host: hostname, address: bad?.address },
          },
        );
        callback(denial as unknown as NodeJS.ErrnoException, '', 0);
        return;
      }
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      else callback(null, (list[0] as { address: string }).address, (list[0] as { family: number }).family);
    });
  };
}

/** A host-side HTTP request under an {@link EgressPolicy}. */
export interface EgressRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Time limit for the whole exchange (default 30 s). */
  timeoutMs?: number;
  /** Response bytes kept at most; more is cut and flagged (default 1 MiB). */
  maxBytes?: number;
  /** Redirects followed, each one checked again (default 5). */
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** What came back. */
export interface EgressResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** True when the body was longer than `maxBytes`. */
  truncated: boolean;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Sends one request under the policy, following redirects only to places the policy also allows. */
export async function egressFetch(
  target: string | URL,
  request: EgressRequest,
  policy: EgressPolicy,
): Promise<EgressResponse> {
  let url = new URL(target);
  let method = request.method ?? 'GET';
  let body = request.body;
  for (let hop = 0; ; hop++) {
    checkEgressUrl(url, policy);
    const r = await once(url, method, body, request, policy);
    const location = r.headers.location;
    if (r.status >= 300 && r.status < 400 && location && hop < (request.maxRedirects ?? 5)) {
      url = new URL(location, url);
      if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return r;
  }
}

async function once(
  url: URL,
  method: string,
  body: string | undefined,
  request: EgressRequest,
  policy: EgressPolicy,
): Promise<EgressResponse> {
  const maxBytes = request.maxBytes ?? 1024 * 1024;
  const timeoutMs = request.timeoutMs ?? 30_000;
  const send = url.protocol === 'https:' ? await httpsRequest() : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      headers: {
        ...request.headers,
        ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      },
      lookup: guardedLookup(policy),
      signal: request.signal,
    });
    const timer = setTimeout(
      () =>
        req.destroy(
          new HarnessError('HARNESS_TIMEOUT', `${url.host} did not answer within ${timeoutMs} ms`, {
            details: { timeoutMs },
          }),
        ),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(
        error instanceof HarnessError
          ? error
          : (error as { cause?: unknown }).cause instanceof HarnessError
            ? (error as { cause: HarnessError }).cause
            : error,
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        if (size + chunk.length > maxBytes) {
          chunks.push(chunk.subarray(0, maxBytes - size));
          truncated = true;
          res.destroy();
          finish();
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
          url: url.href,
        });
      };
      res.on('end', finish);
      res.on('error', (error) => {
        if (truncated) return;
        clearTimeout(timer);
        reject(error);
      });
    });
    req.end(body);
  });
}
