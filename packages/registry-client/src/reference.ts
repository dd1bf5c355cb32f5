import { RegistryClientError } from './errors.js';

/** `tenant/name@version`, optionally pinned to the bytes' sha256 (`…@0.1.0#sha256:<hex>`). */
export interface AgentReference {
  tenant: string;
  name: string;
  version: string;
  /** Lower-case hex sha256 the pulled bytes must have. */
  sha256?: string;
}

/** `oci://host[:port]/repo[:tag][@sha256:<hex>]`. */
export interface OciReference {
  /** `host:port` as written. */
  host: string;
  repository: string;
  tag?: string;
  /** `sha256:<hex>` manifest digest. */
  digest?: string;
  /** Plain HTTP (default for loopback hosts) or HTTPS. */
  insecure: boolean;
}

const TENANT = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const NAME = /^[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?$/;
const VERSION = /^(?:0|[1-9]\d{0,8})\.(?:0|[1-9]\d{0,8})\.(?:0|[1-9]\d{0,8})(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Parses `alice/demo@0.1.0` (or `alice/demo@0.1.0#sha256:<hex>`); throws REGISTRY_BAD_REFERENCE. */
export function parseAgentReference(text: string): AgentReference {
  const match = /^([^/@#]+)\/([^/@#]+)@([^/@#]+)(?:#sha256:([0-9a-f]{64}))?$/.exec(text);
  if (!match || !TENANT.test(match[1]!) || !NAME.test(match[2]!) || !VERSION.test(match[3]!)) {
    throw new RegistryClientError(
      'REGISTRY_BAD_REFERENCE',
      `'${text.slice(0, 200)}' is not a registry reference; expected <tenant>/<name>@<version> such as alice/demo@0.1.0 (lower-case, semver), optionally #sha256:<64 hex>`,
      { details: { reference: text.slice(0, 200) } },
    );
  }
  return { tenant: match[1]!, name: match[2]!, version: match[3]!, ...(match[4] ? { sha256: match[4] } : {}) };
}

/** True when `text` is an `oci://` reference. */
export function isOciReference(text: string): boolean {
  return text.startsWith('oci://');
}

/** True when a host (`127.0.0.1:5000`, `localhost`, `[::1]:5000`) is loopback, where plain HTTP is allowed by default. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * Parses `oci://host[:port]/repo/path[:tag][@sha256:<hex>]`; repository components follow the
 * OCI distribution grammar. Plain HTTP is used for loopback hosts unless `insecure` says otherwise.
 */
export function parseOciReference(text: string, options: { insecure?: boolean } = {}): OciReference {
  const fail = (why: string): never => {
    throw new RegistryClientError(
      'REGISTRY_BAD_REFERENCE',
      `'${text.slice(0, 200)}' is not an OCI reference: ${why}; expected oci://host[:port]/repository:tag such as oci://127.0.0.1:5000/agents/demo:0.1.0`,
      { details: { reference: text.slice(0, 200) } },
    );
  };
  if (!text.startsWith('oci://')) fail('it does not start with oci://');
  const rest = text.slice(6);
  const slash = rest.indexOf('/');
  if (slash <= 0) fail('no host');
  const host = rest.slice(0, slash);
  if (!/^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.test(host)) fail(`host '${host}' is malformed`);
  let path = rest.slice(slash + 1);
  let digest: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) fail('the digest is not sha256:<64 hex>');
  }
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) fail(`tag '${tag}' is malformed`);
  }
  const component = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
  if (path === '' || !path.split('/').every((c) => component.test(c)))
    fail(`repository '${path}' is malformed (lower-case components separated by /)`);
  if (!tag && !digest) fail('neither a tag nor a digest');
  return {
    host,
    repository: path,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    insecure: options.insecure ?? isLoopbackHost(host),
  };
}

/** Where `push --oci` / `publish --oci` put agents: an OCI registry host and a repository prefix. */
export interface OciRegistryBase {
  /** `oci://host[:port][/prefix]`, to which `/<name>:<version>` is appended. */
  base: string;
  /** Plain HTTP (`http://…`, or a loopback host), or HTTPS. */
  insecure: boolean;
}

/**
 * Parses an OCI registry as `--registry` takes it: `host:port[/prefix]`, `oci://host:port[/prefix]`
 * or a URL, `http://host:port[/prefix]` (plain HTTP, as every other `--registry` is written) or
 * `https://…`. Without a scheme, loopback hosts use plain HTTP and others HTTPS.
 */
export function parseOciRegistry(text: string): OciRegistryBase {
  const scheme = /^(https?|oci):\/\//i.exec(text)?.[1]?.toLowerCase();
  const rest = (scheme ? text.slice(scheme.length + 3) : text).replace(/\/+$/, '');
  const host = rest.split('/')[0] ?? '';
  const prefix = rest.slice(host.length + 1);
  const probe = `oci://${host}/${prefix ? `${prefix}/` : ''}probe:0`;
  try {
    const ref = parseOciReference(
      probe,
      scheme === 'http' ? { insecure: true } : scheme === 'https' ? { insecure: false } : {},
    );
    return { base: `oci://${ref.host}${prefix ? `/${prefix}` : ''}`, insecure: ref.insecure };
  } catch (cause) {
    throw new RegistryClientError(
      'REGISTRY_BAD_REFERENCE',
      `--registry '${text.slice(0, 200)}' is not an OCI registry; expected host:port[/prefix], oci://host:port[/prefix] or http(s)://host:port[/prefix] such as http://127.0.0.1:5000/agents`,
      { details: { registry: text.slice(0, 200) }, cause },
    );
  }
}

/** The OCI reference of `name:version` under a registry written as {@link parseOciRegistry} takes it. */
export function ociReferenceFor(registry: string, name: string, version: string): OciReference {
  const { base, insecure } = parseOciRegistry(registry);
  return parseOciReference(`${base}/${name}:${version}`, { insecure });
}
