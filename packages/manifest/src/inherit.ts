import { posix } from 'node:path';
import { listNames, Reporter } from './checks.js';
import type { Diagnostic } from './diagnostic.js';
import { joinInside } from './reader.js';
import type { Locator } from './validate-schema.js';
import type { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const isPlain = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);

/** Trust levels from least to most access; a child may only move left. */
export const TRUST_ORDER = {
  filesystem: ['none', 'read-only', 'scoped', 'full'],
  network: ['none', 'scoped', 'allowed'],
  exec: ['none', 'sandboxed', 'full'],
} as const;

/** A source of YAML files, by path relative to the agent root. */
export type LoadYaml = (rel: string) => Promise<YamlSource | undefined>;

/**
 * Fetches a base given by registry reference (`tenant/name@version`, optionally `#sha256:<hex>`)
 * and returns its manifest text, already verified by the fetcher. Injected by the caller (the CLI
 * wires @agentlang/registry-client): this package does no network.
 */
export type BaseResolver = (reference: string) => Promise<{ text: string }>;

/** `tenant/name@version` with an optional `#sha256:<64 hex>` pin: a `base:` naming a registry entry, not a path. */
export const REGISTRY_BASE_REF = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\/[a-z0-9][a-z0-9_-]*@[0-9A-Za-z.+-]+(?:#sha256:[0-9a-f]{64})?$/;

/** True when a `base:` value is a registry reference rather than a relative path. */
export function isRegistryBaseRef(base: string): boolean {
  return REGISTRY_BASE_REF.test(base);
}

/** Merges `child` over `base`: mappings merge key by key, everything else (lists too) is replaced. */
export function mergeDocuments(base: Raw, child: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(child)) {
    out[k] = isPlain(v) && isPlain(out[k]) ? mergeDocuments(out[k] as Raw, v) : v;
  }
  return out;
}

const normalisePath = (p: string) => posix.normalize(p).replace(/\/+$/, '') || '/';

/** True when path `inner` lies inside (or is) path `outer`, after normalisation. */
export function isPathInside(inner: string, outer: string): boolean {
  return isPathInsideAny(inner, new Set([normalisePath(outer)]));
}

/** True when `inner` lies inside one of `outers` (already normalised): walks inner's ancestors, so cost is its depth. */
function isPathInsideAny(inner: string, outers: ReadonlySet<string>): boolean {
  let a = normalisePath(inner);
  const relative = !posix.isAbsolute(a);
  if (relative && (a === '..' || a.startsWith('../'))) return false;
  if (relative && outers.has('.')) return true;
  for (;;) {
    if (outers.has(a)) return true;
    const up = posix.dirname(a);
    if (up === a) return false;
    a = up;
  }
}

/** A locator that points at the first file of the chain (child first) that holds a path. */
export function chainLocator(chain: Array<{ rel: string; source: YamlSource }>): Locator {
  const pick = (path: readonly (string | number)[]) => chain.find((c) => c.source.sourceOf(path) !== undefined) ?? chain[0]!;
  return {
    file: (path) => pick(path).rel,
    locate: (path, options) => pick(path).source.locate(path, options),
    sourceOf: (path) => pick(path).source.sourceOf(path),
  };
}

/** True when `host` (a name or `*.domain`) is granted by one of `patterns` (the same name, or a wildcard covering it). */
function hostCovered(host: string, patterns: string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((raw) => {
    const p = raw.toLowerCase();
    if (p === h) return true;
    return p.startsWith('*.') && h.endsWith(p.slice(1)) && h.length > p.length - 1;
  });
}

function checkNarrowing(parent: Raw, child: Raw, parentRel: string, r: Reporter): void {
  const pt = obj(parent.trust);
  const ct = obj(child.trust);
  for (const field of ['filesystem', 'network', 'exec'] as const) {
    const order = TRUST_ORDER[field] as readonly string[];
    const was = typeof pt[field] === 'string' ? (pt[field] as string) : 'none';
    const now = ct[field];
    if (typeof now !== 'string' || !order.includes(now) || !order.includes(was)) continue;
    if (order.indexOf(now) > order.indexOf(was)) {
      r.add('MANIFEST_INHERITANCE', ['trust', field], `trust.${field} "${now}" widens the base's "${was}" (${parentRel}); inheritance may only narrow trust`, {
        expected: `one of ${order.slice(0, order.indexOf(was) + 1).join(', ')}`,
        found: JSON.stringify(now),
      });
    }
  }
  const childNet = typeof ct.network === 'string' ? ct.network : typeof pt.network === 'string' ? pt.network : 'none';
  const parentNet = typeof pt.network === 'string' ? pt.network : 'none';
  if (Array.isArray(ct.hosts) && childNet === 'scoped' && parentNet === 'scoped') {
    const parentHosts = Array.isArray(pt.hosts) ? pt.hosts.filter((s): s is string => typeof s === 'string') : [];
    ct.hosts.forEach((h, i) => {
      if (typeof h !== 'string' || hostCovered(h, parentHosts)) return;
      r.add('MANIFEST_INHERITANCE', ['trust', 'hosts', i], `host "${h}" is not among the base's hosts (${parentRel}); a child's hosts must be covered by its base's`, {
        expected: parentHosts.length ? `one of ${listNames(parentHosts)}` : 'no hosts (the base grants none)',
        found: JSON.stringify(h),
      });
    });
  }
  const childFs = typeof ct.filesystem === 'string' ? ct.filesystem : typeof pt.filesystem === 'string' ? pt.filesystem : 'none';
  const parentFs = typeof pt.filesystem === 'string' ? pt.filesystem : 'none';
  if (Array.isArray(ct.scope) && childFs === 'scoped' && parentFs !== 'full') {
    const parentScope = Array.isArray(pt.scope) ? pt.scope.filter((s): s is string => typeof s === 'string') : [];
    const outers = new Set(parentScope.map(normalisePath));
    ct.scope.forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (!isPathInsideAny(p, outers)) {
        r.add('MANIFEST_INHERITANCE', ['trust', 'scope', i], `scope path "${p}" lies outside the base's scope (${parentRel}); a child's scope must stay inside its base's`, {
          expected: parentScope.length ? `a path inside ${listNames(parentScope)}` : 'no scope paths (the base grants none)',
          found: JSON.stringify(p),
        });
      }
    });
  }
}

/**
 * Follows `base:` from the entry, merges the chain (base first, child last), and checks that each
 * child only narrows the trust it inherits. Returns the merged document and a locator over the chain.
 */
export async function resolveInheritance(
  entry: { rel: string; source: YamlSource },
  load: LoadYaml,
  fetchBase?: (reference: string) => Promise<YamlSource | { error: string }>,
): Promise<{ merged: Raw; chain: Array<{ rel: string; source: YamlSource }>; locator: Locator; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const chain = [entry];
  for (;;) {
    const current = chain[chain.length - 1]!;
    const base = obj(current.source.data).base;
    if (typeof base !== 'string') break;
    const r = new Reporter({ file: () => current.rel, locate: (p, o) => current.source.locate(p, o), sourceOf: (p) => current.source.sourceOf(p) });
    const fromRegistry = isRegistryBaseRef(base);
    const inRegistry = REGISTRY_BASE_REF.test(current.rel);
    const rel = fromRegistry ? base : inRegistry ? undefined : joinInside(posix.dirname(current.rel), base);
    if (fromRegistry && chain.some((c) => c.rel === rel)) {
      const names = [...chain.map((c) => c.rel), base].join(' → ');
      r.add('MANIFEST_CYCLE', ['base'], `base inheritance forms a cycle: ${names}`, { expected: 'a chain that ends in a manifest without base:', found: names });
    } else if (fromRegistry) {
      const fetched = fetchBase ? await fetchBase(base) : { error: 'no registry is configured to fetch it' };
      if ('error' in fetched) {
        r.add('MANIFEST_BASE_REF', ['base'], `base ${base} could not be fetched: ${fetched.error}`, {
          expected: 'a registry that holds it (set AGENTLANG_REGISTRY or pass --registry), or a relative path to a local base',
          found: JSON.stringify(base),
        });
      } else if (fetched.diagnostics.length) {
        diagnostics.push(...fetched.diagnostics);
      } else if (obj(fetched.data).apiVersion !== 'agent/v1') {
        r.add('MANIFEST_DIALECT', ['base'], `base ${base} is not an AgentSpec manifest (apiVersion: agent/v1)`, { expected: 'apiVersion: agent/v1', found: String(obj(fetched.data).apiVersion ?? 'no apiVersion') });
      } else {
        chain.push({ rel: base, source: fetched });
        diagnostics.push(...r.out);
        continue;
      }
    } else if (inRegistry) {
      r.add('MANIFEST_BASE_REF', ['base'], `base "${base}" is a path, but ${current.rel} came from a registry, where paths mean nothing`, { expected: 'a registry reference tenant/name@version', found: JSON.stringify(base) });
    } else if (!rel) {
      r.add('MANIFEST_PATH_ESCAPE', ['base'], `base "${base}" is absolute or leaves the agent directory`, { expected: 'a relative path inside the agent directory', found: JSON.stringify(base) });
    } else if (chain.some((c) => c.rel === rel)) {
      const names = [...chain.map((c) => c.rel), rel].join(' → ');
      r.add('MANIFEST_CYCLE', ['base'], `base inheritance forms a cycle: ${names}`, { expected: 'a chain that ends in a manifest without base:', found: names });
    } else {
      const source = await load(rel);
      if (!source) {
        r.add('MANIFEST_FILE_MISSING', ['base'], `base manifest ${rel} does not exist`, { expected: 'an existing AgentSpec manifest', found: JSON.stringify(base) });
      } else if (source.diagnostics.length) {
        diagnostics.push(...source.diagnostics);
      } else if (obj(source.data).apiVersion !== 'agent/v1') {
        r.add('MANIFEST_DIALECT', ['base'], `base manifest ${rel} is not an AgentSpec manifest (apiVersion: agent/v1)`, { expected: 'apiVersion: agent/v1', found: String(obj(source.data).apiVersion ?? 'no apiVersion') });
      } else {
        chain.push({ rel, source });
        diagnostics.push(...r.out);
        continue;
      }
    }
    diagnostics.push(...r.out);
    break;
  }
  let merged: Raw = {};
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i]!;
    const data = obj(link.source.data);
    if (i < chain.length - 1) {
      const r = new Reporter({ file: () => link.rel, locate: (p, o) => link.source.locate(p, o), sourceOf: (p) => link.source.sourceOf(p) });
      checkNarrowing(merged, data, chain[i + 1]!.rel, r);
      diagnostics.push(...r.out);
    }
    merged = mergeDocuments(merged, data);
  }
  delete merged.base;
  return { merged, chain, locator: chainLocator(chain), diagnostics };
}
