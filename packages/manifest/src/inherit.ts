import { posix } from 'node:path';
import { listNames, Reporter } from './checks.js';
import type { Diagnostic } from './diagnostic.js';
import { joinInside } from './reader.js';
import type { Locator } from './validate-schema.js';
import { hasErrors, type YamlSource } from './yaml-source.js';

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
export const REGISTRY_BASE_REF =
  /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\/[a-z0-9][a-z0-9_-]*@[0-9A-Za-z.+-]+(?:#sha256:[0-9a-f]{64})?$/;

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
  const pick = (path: readonly (string | number)[]) => chain.find((c) => c.source.has(path)) ?? chain[0]!;
  return {
    file: (path) => pick(path).rel,
    locate: (path, options) => pick(path).source.locate(path, options),
    sourceOf: (path) => pick(path).source.sourceOf(path),
    has: (path) => chain.some((c) => c.source.has(path)),
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

type Access = {
  fs?: string;
  reads: ReadonlySet<string> | 'all';
  writes: ReadonlySet<string> | 'all';
  network?: string;
  exec?: string;
};

const levelOf = (order: readonly string[], v: unknown): string | undefined =>
  typeof v === 'string' && order.includes(v) ? v : undefined;

/**
 * What a trust block grants, as the sandbox applies it (@agentlang/isolation's policyFromTrust):
 * `none` binds no scope path, `read-only` binds the scope read-only, `scoped` binds it read-write,
 * `full` passes the whole host through. An invalid or missing level counts as `none` for a base
 * (the least access) and is left out of the comparison for a child (the schema reports it).
 */
function accessOf(trust: Raw, forBase: boolean): Access {
  const fallback = forBase ? 'none' : undefined;
  const fs = levelOf(TRUST_ORDER.filesystem, trust.filesystem) ?? (trust.filesystem === undefined ? 'none' : fallback);
  const scope = new Set(
    arr(trust.scope)
      .filter((p): p is string => typeof p === 'string' && p !== '')
      .map(normalisePath),
  );
  const none = new Set<string>();
  return {
    ...(fs ? { fs } : {}),
    reads: fs === 'full' ? 'all' : fs === 'read-only' || fs === 'scoped' ? scope : none,
    writes: fs === 'full' ? 'all' : fs === 'scoped' ? scope : none,
    ...((levelOf(TRUST_ORDER.network, trust.network) ?? (trust.network === undefined || forBase ? 'none' : undefined))
      ? { network: levelOf(TRUST_ORDER.network, trust.network) ?? 'none' }
      : {}),
    ...((levelOf(TRUST_ORDER.exec, trust.exec) ?? (trust.exec === undefined || forBase ? 'none' : undefined))
      ? { exec: levelOf(TRUST_ORDER.exec, trust.exec) ?? 'none' }
      : {}),
  };
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `filesystem: scoped, scope: [./data], network: none, exec: sandboxed` — a trust block as one line for messages. */
export function describeTrust(trust: Raw): string {
  const scope = arr(trust.scope).map((p) => String(p));
  const v = (k: string) =>
    trust[k] === undefined ? 'none' : typeof trust[k] === 'string' ? (trust[k] as string) : JSON.stringify(trust[k]);
  const hosts = arr(trust.hosts).map((h) => String(h));
  return `filesystem: ${v('filesystem')}${scope.length ? `, scope: [${scope.join(', ')}]` : ''}, network: ${v('network')}${hosts.length ? `, hosts: [${hosts.join(', ')}]` : ''}, exec: ${v('exec')}`;
}

/**
 * Scope paths are relative to the agent directory and stay inside it: an absolute path (`/`,
 * `/etc`) would grant host files that depend on the machine the agent lands on, and `..` leaves
 * the agent's own tree. Both are refused, in every document of a `base:` chain.
 */
export function checkTrustScope(raw: Raw, r: Reporter): void {
  arr(obj(raw.trust).scope).forEach((p, i) => {
    if (typeof p !== 'string') return;
    const n = posix.normalize(p.replaceAll('\\', '/'));
    if (p === '' || posix.isAbsolute(p) || /^[A-Za-z]:/.test(p) || n === '..' || n.startsWith('../')) {
      r.add(
        'MANIFEST_PATH_ESCAPE',
        ['trust', 'scope', i],
        `scope path ${JSON.stringify(p)} is ${p === '' ? 'empty' : posix.isAbsolute(p) || /^[A-Za-z]:/.test(p) ? 'absolute' : 'outside the agent directory'}; scope paths are relative to the agent directory and stay inside it`,
        {
          expected: 'a relative path inside the agent directory, e.g. ./data',
          found: JSON.stringify(p),
        },
      );
    }
  });
}

function insideAccess(path: string, outer: ReadonlySet<string> | 'all'): boolean {
  return outer === 'all' || isPathInsideAny(path, outer);
}

/**
 * Compares what the merged child grants with what its merged base grants — paths bound for
 * reading and writing, network and exec levels — and reports every widening at the child's
 * declaration, naming the base file, the field, both values and how to restructure.
 */
function checkNarrowing(
  baseTrust: Raw,
  childTrust: Raw,
  childOwnTrust: Raw,
  baseRel: string,
  childRel: string,
  r: Reporter,
): void {
  const base = accessOf(baseTrust, true);
  const child = accessOf(childTrust, false);
  const fix = `a child may only narrow its base's trust; narrow this value, or restructure: declare a new base that grants it (a manifest without base:), or widen ${baseRel}'s trust itself`;
  const both = `this agent: ${describeTrust(childTrust)}; base ${baseRel}: ${describeTrust(baseTrust)}`;
  const ownScope = arr(childOwnTrust.scope);
  const at = (p: string): (string | number)[] => {
    const i = ownScope.findIndex((x) => typeof x === 'string' && normalisePath(x) === p);
    return i >= 0
      ? ['trust', 'scope', i]
      : childOwnTrust.filesystem !== undefined
        ? ['trust', 'filesystem']
        : ['trust'];
  };
  if (child.fs !== undefined) {
    if (child.reads === 'all' && base.reads !== 'all') {
      r.add(
        'MANIFEST_INHERITANCE',
        childOwnTrust.filesystem !== undefined ? ['trust', 'filesystem'] : ['trust'],
        `trust.filesystem "${child.fs}" widens the base's "${base.fs}" (${baseRel}): it passes the whole host file system through (${both}); ${fix}`,
        {
          expected: `filesystem at most "${base.fs}"${base.reads.size ? ` with scope inside ${listNames(base.reads)}` : ''}`,
          found: JSON.stringify(child.fs),
        },
      );
    } else if (child.reads !== 'all') {
      const reported = new Set<string>();
      for (const p of child.writes === 'all' ? [] : child.writes) {
        if (insideAccess(p, base.writes)) continue;
        reported.add(p);
        const granted =
          base.writes === 'all' ? '' : base.writes.size ? `writing only ${listNames(base.writes)}` : 'no writing';
        r.add(
          'MANIFEST_INHERITANCE',
          at(p),
          `trust.filesystem "${child.fs}" with scope path "${p}" lets this agent write ${p}, but its base ${baseRel} grants ${granted} (filesystem "${base.fs}") (${both}); ${fix}`,
          {
            expected:
              base.writes !== 'all' && base.writes.size
                ? `a path inside ${listNames(base.writes)}`
                : `filesystem at most "${base.fs === 'scoped' ? 'scoped' : 'read-only'}" (no writes)`,
            found: JSON.stringify(p),
          },
        );
      }
      for (const p of child.reads) {
        if (reported.has(p) || insideAccess(p, base.reads)) continue;
        const granted =
          base.reads === 'all' ? '' : base.reads.size ? `reading only ${listNames(base.reads)}` : 'no scope paths';
        r.add(
          'MANIFEST_INHERITANCE',
          at(p),
          `scope path "${p}" lies outside the base's scope: this agent would read ${p}, but its base ${baseRel} grants ${granted} (${both}); ${fix}`,
          {
            expected:
              base.reads !== 'all' && base.reads.size
                ? `a path inside ${listNames(base.reads)}`
                : 'no scope paths (the base grants none)',
            found: JSON.stringify(p),
          },
        );
      }
    }
  }
  // Under network: scoped the effective access is the host list (reached through the egress proxy):
  // every host a scoped child reaches must be covered by a host of a scoped base.
  if (child.network === 'scoped' && base.network === 'scoped') {
    const baseHosts = arr(baseTrust.hosts).filter((h): h is string => typeof h === 'string');
    const ownHosts = arr(childOwnTrust.hosts);
    arr(childTrust.hosts).forEach((h) => {
      if (typeof h !== 'string' || hostCovered(h, baseHosts)) return;
      const i = ownHosts.indexOf(h);
      r.add(
        'MANIFEST_INHERITANCE',
        i >= 0 ? ['trust', 'hosts', i] : ['trust', 'network'],
        `host "${h}" is not among the base's hosts (${baseRel}): this agent would reach it through the egress proxy (${both}); ${fix}`,
        {
          expected: baseHosts.length ? `one of ${listNames(baseHosts)}` : 'no hosts (the base grants none)',
          found: JSON.stringify(h),
        },
      );
    });
  }
  for (const field of ['network', 'exec'] as const) {
    const order = TRUST_ORDER[field] as readonly string[];
    const now = child[field];
    const was = base[field] ?? 'none';
    if (now === undefined || order.indexOf(now) <= order.indexOf(was)) continue;
    r.add(
      'MANIFEST_INHERITANCE',
      childOwnTrust[field] !== undefined ? ['trust', field] : ['trust'],
      `trust.${field} "${now}" widens the base's "${was}" (${baseRel}) (${both}); ${fix}`,
      {
        expected: `one of ${order.slice(0, order.indexOf(was) + 1).join(', ')}`,
        found: JSON.stringify(now),
      },
    );
  }
  void childRel;
}

/** AgentSpec merge strategies per field, and their defaults (AgentSpec's MergeSpec). */
export const DEFAULT_MERGE = { skills: 'append', tools: 'append', behavior: 'override', trust: 'restrict' } as const;
const LIST_STRATEGIES = ['append', 'override', 'restrict'];

/** The name an entry of skills / tools.mcp / tools.native goes by: the string, its `name`, or its single key. */
function entryName(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  const o = obj(entry);
  if (typeof o.name === 'string') return o.name;
  const keys = Object.keys(o);
  return keys.length === 1 ? keys[0] : undefined;
}

function dedupe(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const n = entryName(e);
    if (n === undefined) return true;
    if (seen.has(n)) return false;
    seen.add(n);
    return true;
  });
}

/**
 * Merges one list under a strategy: `append` (base then child, first occurrence of a name wins),
 * `override` (the child's), `restrict` (the child's entries that the base also lists; the others
 * are dropped and reported). A list the child leaves out is inherited.
 */
function mergeList(
  base: unknown,
  child: unknown,
  strategy: string,
  path: (string | number)[],
  what: string,
  baseRel: string,
  r: Reporter,
): unknown {
  if (!Array.isArray(child)) return base;
  const parent = arr(base);
  if (strategy === 'override') return child;
  if (strategy === 'restrict') {
    const allowed = new Set(parent.map(entryName).filter((n): n is string => n !== undefined));
    return child.filter((e, i) => {
      const n = entryName(e);
      if (n !== undefined && allowed.has(n)) return true;
      r.add(
        'MANIFEST_INHERITANCE',
        [...path, i],
        `${what} "${n ?? JSON.stringify(e)}" is not in the base's allow-list (${baseRel}: ${listNames(allowed)}); merge: restrict drops it. Add it to ${baseRel} to allow it, or use merge: append`,
        {
          severity: 'warning',
          expected: `one of ${listNames(allowed)}`,
          found: JSON.stringify(n ?? e),
        },
      );
      return false;
    });
  }
  return dedupe([...parent, ...child]);
}

/**
 * Merges an AgentSpec child over its (already merged) base with the child's `merge:` strategies:
 * skills and tools (`tools.mcp`, `tools.native`) append / override / restrict, behavior override
 * (the child's block replaces the base's) or append (keys merge, traits are appended), trust always
 * key by key and then checked to only narrow. Everything else merges as {@link mergeDocuments}.
 */
function mergeAgentSpec(base: Raw, child: Raw, baseRel: string, r: Reporter): Raw {
  const strategy: Record<string, string> = { ...DEFAULT_MERGE };
  for (const [k, v] of Object.entries(obj(child.merge))) if (typeof v === 'string') strategy[k] = v;
  const { skills, tools, behavior, merge: _merge, ...rest } = child;
  const out = mergeDocuments(base, rest);
  if (_merge !== undefined) out.merge = _merge;
  else delete out.merge;
  if (skills !== undefined)
    out.skills = LIST_STRATEGIES.includes(strategy.skills!)
      ? mergeList(base.skills, skills, strategy.skills!, ['skills'], 'skill', baseRel, r)
      : skills;
  if (tools !== undefined) {
    if (
      isPlain(tools) &&
      isPlain(base.tools) &&
      strategy.tools !== 'override' &&
      LIST_STRATEGIES.includes(strategy.tools!)
    ) {
      const bt = base.tools as Raw;
      const merged: Raw = { ...bt, ...tools };
      for (const kind of ['mcp', 'native']) {
        const v = mergeList(bt[kind], tools[kind], strategy.tools!, ['tools', kind], `tools.${kind} entry`, baseRel, r);
        if (v !== undefined) merged[kind] = v;
      }
      out.tools = merged;
    } else out.tools = tools;
  }
  if (behavior !== undefined) {
    if (strategy.behavior === 'append' && isPlain(behavior) && isPlain(base.behavior)) {
      const b = mergeDocuments(base.behavior as Raw, behavior);
      if (Array.isArray(behavior.traits) || Array.isArray((base.behavior as Raw).traits))
        b.traits = dedupe([...arr((base.behavior as Raw).traits), ...arr(behavior.traits)]);
      out.behavior = b;
    } else out.behavior = behavior;
  }
  return out;
}

/**
 * Follows `base:` from the entry, merges the chain (base first, child last), and checks that each
 * child only narrows the trust it inherits. Returns the merged document and a locator over the chain.
 */
export async function resolveInheritance(
  entry: { rel: string; source: YamlSource },
  load: LoadYaml,
  fetchBase?: (reference: string) => Promise<YamlSource | { error: string }>,
): Promise<{
  merged: Raw;
  chain: Array<{ rel: string; source: YamlSource }>;
  locator: Locator;
  diagnostics: Diagnostic[];
}> {
  const diagnostics: Diagnostic[] = [];
  const chain = [entry];
  for (;;) {
    const current = chain[chain.length - 1]!;
    const base = obj(current.source.data).base;
    if (typeof base !== 'string') break;
    const r = new Reporter({
      file: () => current.rel,
      locate: (p, o) => current.source.locate(p, o),
      sourceOf: (p) => current.source.sourceOf(p),
      has: (p) => current.source.has(p),
    });
    const fromRegistry = isRegistryBaseRef(base);
    const inRegistry = REGISTRY_BASE_REF.test(current.rel);
    const rel = fromRegistry ? base : inRegistry ? undefined : joinInside(posix.dirname(current.rel), base);
    if (fromRegistry && chain.some((c) => c.rel === rel)) {
      const names = [...chain.map((c) => c.rel), base].join(' → ');
      r.add('MANIFEST_CYCLE', ['base'], `base inheritance forms a cycle: ${names}`, {
        expected: 'a chain that ends in a manifest without base:',
        found: names,
      });
    } else if (fromRegistry) {
      const fetched = fetchBase ? await fetchBase(base) : { error: 'no registry is configured to fetch it' };
      if ('error' in fetched) {
        r.add('MANIFEST_BASE_REF', ['base'], `base ${base} could not be fetched: ${fetched.error}`, {
          expected:
            'a registry that holds it (set AGENTLANG_REGISTRY or pass --registry), or a relative path to a local base',
          found: JSON.stringify(base),
        });
      } else if (fetched.diagnostics.length) {
        diagnostics.push(...fetched.diagnostics);
      } else if (obj(fetched.data).apiVersion !== 'agent/v1') {
        r.add('MANIFEST_DIALECT', ['base'], `base ${base} is not an AgentSpec manifest (apiVersion: agent/v1)`, {
          expected: 'apiVersion: agent/v1',
          found: String(obj(fetched.data).apiVersion ?? 'no apiVersion'),
        });
      } else {
        chain.push({ rel: base, source: fetched });
        diagnostics.push(...r.out);
        continue;
      }
    } else if (inRegistry) {
      r.add(
        'MANIFEST_BASE_REF',
        ['base'],
        `base "${base}" is a path, but ${current.rel} came from a registry, where paths mean nothing`,
        { expected: 'a registry reference tenant/name@version', found: JSON.stringify(base) },
      );
    } else if (!rel) {
      r.add('MANIFEST_PATH_ESCAPE', ['base'], `base "${base}" is absolute or leaves the agent directory`, {
        expected: 'a relative path inside the agent directory',
        found: JSON.stringify(base),
      });
    } else if (chain.some((c) => c.rel === rel)) {
      const names = [...chain.map((c) => c.rel), rel].join(' → ');
      r.add('MANIFEST_CYCLE', ['base'], `base inheritance forms a cycle: ${names}`, {
        expected: 'a chain that ends in a manifest without base:',
        found: names,
      });
    } else {
      const source = await load(rel);
      if (!source) {
        r.add('MANIFEST_FILE_MISSING', ['base'], `base manifest ${rel} does not exist`, {
          expected: 'an existing AgentSpec manifest',
          found: JSON.stringify(base),
        });
      } else if (hasErrors(source.diagnostics)) {
        diagnostics.push(...source.diagnostics);
      } else if (!isPlain(source.data) || ('apiVersion' in source.data && source.data.apiVersion !== 'agent/v1')) {
        // AgentSpec reads a base without apiVersion as agent/v1 (its own pull writes such files).
        r.add(
          'MANIFEST_DIALECT',
          ['base'],
          `base manifest ${rel} is not an AgentSpec manifest (apiVersion: agent/v1)`,
          {
            expected: 'a mapping with apiVersion: agent/v1 (or no apiVersion)',
            found: isPlain(source.data) ? String(source.data.apiVersion) : 'not a mapping',
          },
        );
      } else {
        chain.push({ rel, source });
        diagnostics.push(...r.out, ...source.diagnostics);
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
    if (i === chain.length - 1) {
      merged = mergeDocuments({}, data);
      continue;
    }
    const r = new Reporter({
      file: () => link.rel,
      locate: (p, o) => link.source.locate(p, o),
      sourceOf: (p) => link.source.sourceOf(p),
      has: (p) => link.source.has(p),
    });
    const baseRel = chain[i + 1]!.rel;
    const next = mergeAgentSpec(merged, data, baseRel, r);
    // A child that narrows filesystem to none without a scope of its own inherits no scope paths:
    // none grants none, and the sandbox refuses scope paths under none as a likely mistake.
    const ownTrust = obj(data.trust);
    if (ownTrust.filesystem === 'none' && ownTrust.scope === undefined && isPlain(next.trust)) {
      const { scope: _dropped, ...trust } = next.trust as Raw;
      next.trust = trust;
    }
    checkNarrowing(obj(merged.trust), obj(next.trust), obj(data.trust), baseRel, link.rel, r);
    diagnostics.push(...r.out);
    merged = next;
  }
  delete merged.base;
  return { merged, chain, locator: chainLocator(chain), diagnostics };
}
