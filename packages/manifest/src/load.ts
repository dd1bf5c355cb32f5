import { basename, dirname, join, posix, resolve } from 'node:path';
import { Reporter, checkAgentRefs, checkDependsOnCycles, checkDocument, checkToolRef, declaredTools, listNames } from './checks.js';
import { type Diagnostic, formatDiagnostic } from './diagnostic.js';
import { computeDigest } from './digest.js';
import { ManifestError } from './errors.js';
import { sha256Tagged } from './hash.js';
import { AGENTSPEC_DEFAULT_VERSION, AGENTSPEC_ONLY_KEYS, AGENTSPEC_SKILLS, applyAgentSpec } from './agentspec.js';
import { checkTrustScope, resolveInheritance } from './inherit.js';
import type { LoadedAgent, LoadFromFilesOptions, LoadOptions, SafeLoadResult } from './load-types.js';
import { normaliseManifest, normaliseUx } from './normalise.js';
import { loadPrompt } from './prompt.js';
import { diskReader, joinInside, memoryReader, type SourceReader } from './reader.js';
import type { SchemaKind } from './schemas.js';
import { parseSkill } from './skill.js';
import { checkToolSchemas } from './tool-schemas.js';
import { isPublishableName, publishableSpelling } from './publishable-name.js';
import { sniffBytes, sniffInput } from './sniff.js';
import type { SourceFile } from './types.js';
import { type Locator, sourceLocator, validateAgainstSchema } from './validate-schema.js';
import { hasErrors, parseYamlSource, type YamlSource } from './yaml-source.js';

/** Default per-file size cap (1 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Default bound on YAML aliases per document. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const COMPANIONS = new Set(['agent.yaml', 'prompt.yaml', 'ux.yaml']);
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Loads an agent from a directory holding agent.yaml or a YAML manifest file of either dialect; throws ManifestError. */
export async function loadAgent(path: string, options: LoadOptions = {}): Promise<LoadedAgent> {
  const kind = await sniffInput(path);
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const full = resolve(path);
  if (kind === 'container') {
    throw new ManifestError(
      'MANIFEST_IS_CONTAINER',
      `${path} is a packed .agent container, not a YAML manifest; open it with @agentlang/container (agentlang inspect ${path}) or pass its unpacked files to loadAgentFromFiles`,
      { details: { file: path } },
    );
  }
  if (kind === 'directory') {
    const reader = await diskReader(full, max);
    if (!(await reader.read('agent.yaml'))) {
      throw new ManifestError('MANIFEST_NOT_FOUND', `${path} holds no agent.yaml; create one (agentlang init) or pass the manifest file itself`, { details: { file: posix.join(path, 'agent.yaml') } });
    }
    return loadFromReader(reader, 'agent.yaml', { kind: 'directory', root: full, label: posix.join(path, 'agent.yaml') }, options, true);
  }
  const reader = await diskReader(dirname(full), max);
  const entry = basename(full);
  return loadFromReader(reader, entry, { kind: 'file', root: dirname(full), label: path }, options, entry === 'agent.yaml');
}

/** Like {@link loadAgent} but returns `{ ok, agent }` or `{ ok: false, error }` instead of throwing ManifestError. */
export async function safeLoadAgent(path: string, options: LoadOptions = {}): Promise<SafeLoadResult> {
  try {
    return { ok: true, agent: await loadAgent(path, options) };
  } catch (error) {
    if (error instanceof ManifestError) return { ok: false, error };
    throw error;
  }
}

/** Loads an agent from in-memory files keyed by relative path (e.g. an unpacked container). */
export async function loadAgentFromFiles(files: Record<string, Uint8Array>, options: LoadFromFilesOptions = {}): Promise<LoadedAgent> {
  const entry = joinInside('', options.entry ?? 'agent.yaml');
  if (!entry) throw new ManifestError('MANIFEST_PATH_ESCAPE', `entry ${options.entry} is not a relative path inside the file set`, { details: { file: options.entry } });
  const reader = memoryReader(files, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const label = options.label ?? '<memory>';
  if (!(await reader.read(entry))) throw new ManifestError('MANIFEST_NOT_FOUND', `${label} holds no ${entry}`, { details: { file: entry } });
  const agent = await loadFromReader(reader, entry, { kind: 'memory', root: label, label: `${label}:${entry}` }, options, posix.basename(entry) === 'agent.yaml');
  // Kept (not enumerable, so never serialised or compared) for loadSubAgent: a sub-agent of an
  // in-memory agent is read from these same files, never from a host path that looks like its root.
  Object.defineProperty(agent, MEMORY_FILES, { value: { files, options }, enumerable: false });
  return agent;
}

/**
 * The in-memory files an agent was loaded from. A registered symbol, so a copy of this package in
 * another bundle (the CLI's fast paths) finds it too.
 */
const MEMORY_FILES = Symbol.for('@agentlang/manifest.memory-files');

/**
 * Loads a sub-agent of `parent` (`path` relative to `parent.source.root`, as in `subAgentPaths`)
 * from where `parent` came from: the disk for a directory or file, the same in-memory files for an
 * agent from {@link loadAgentFromFiles} (e.g. a verified container) — never from the host. The
 * sub-agent is rooted at its own directory, exactly as `loadAgent(<its file>)` roots it, so its
 * digest is the same wherever the files are.
 */
export async function loadSubAgent(parent: LoadedAgent, path: string, options: LoadOptions = {}): Promise<LoadedAgent> {
  const rel = joinInside('', path);
  if (!rel) throw new ManifestError('MANIFEST_PATH_ESCAPE', `sub-agent path ${path} is absolute or leaves ${parent.source.root}`, { details: { file: path } });
  if (parent.source.kind !== 'memory') return loadAgent(resolve(parent.source.root, rel), { partial: true, ...options });
  const held = (parent as unknown as Record<symbol, { files: Record<string, Uint8Array>; options: LoadOptions } | undefined>)[MEMORY_FILES];
  if (!held) {
    throw new ManifestError('MANIFEST_NOT_FOUND', `sub-agent ${rel} of ${parent.source.root} cannot be read: the agent is in memory but was not loaded by loadAgentFromFiles (a copy loses its files); load it again`, { details: { file: rel } });
  }
  const dir = posix.dirname(rel);
  const prefix = dir === '.' ? '' : `${dir}/`;
  const files: Record<string, Uint8Array> = {};
  for (const [key, bytes] of Object.entries(held.files)) {
    const inside = joinInside('', key);
    if (inside?.startsWith(prefix)) files[inside.slice(prefix.length)] = bytes;
  }
  const fileDigests: Record<string, string> = {};
  for (const [key, digest] of Object.entries(held.options.fileDigests ?? {})) if (key.startsWith(prefix)) fileDigests[key.slice(prefix.length)] = digest;
  return loadAgentFromFiles(files, {
    ...(held.options.maxFileBytes !== undefined ? { maxFileBytes: held.options.maxFileBytes } : {}),
    ...(held.options.maxAliasCount !== undefined ? { maxAliasCount: held.options.maxAliasCount } : {}),
    ...(Object.keys(fileDigests).length > 0 ? { fileDigests } : {}),
    partial: true,
    ...options,
    entry: posix.basename(rel),
    label: prefix ? join(parent.source.root, dir) : parent.source.root,
  });
}

/** Decodes UTF-8 text, or reports the line and column of the first byte that is not UTF-8. */
function decode(rel: string, bytes: Uint8Array): string | Diagnostic {
  try {
    return decoder.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const bad = lenient.indexOf('\uFFFD');
    const before = lenient.slice(0, Math.max(0, bad));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { severity: 'error', code: 'MANIFEST_YAML_SYNTAX', message: `${rel} is not valid UTF-8 text`, file: rel, line, column, path: '', expected: 'UTF-8 text', found: 'a byte sequence that is not UTF-8' };
  }
}

class Session {
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, string>();
  readonly digestFiles = new Map<string, string>();
  constructor(
    readonly reader: SourceReader,
    readonly options: LoadOptions,
  ) {}

  /** Reads a file, recording its digest; undefined when missing. Size problems become diagnostics. */
  async read(rel: string, forDigest: boolean): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.reader.read(rel);
    } catch (error) {
      if (error instanceof ManifestError && (error.code === 'MANIFEST_TOO_LARGE' || error.code === 'MANIFEST_PATH_ESCAPE')) {
        this.diagnostics.push({ severity: 'error', code: error.code, message: error.message, file: rel, line: 0, column: 0, path: '' });
        return undefined;
      }
      throw error;
    }
    const known = this.options.fileDigests?.[rel];
    if (!bytes && known !== undefined && /^sha256:[0-9a-f]{64}$/.test(known)) {
      this.files.set(rel, known);
      if (forDigest) this.digestFiles.set(rel, known);
    }
    if (bytes) {
      const digest = sha256Tagged(bytes);
      this.files.set(rel, digest);
      if (forDigest) this.digestFiles.set(rel, digest);
    }
    return bytes;
  }

  /** Reads and safely parses a YAML file; undefined when missing. */
  async yaml(rel: string, forDigest: boolean): Promise<YamlSource | undefined> {
    const bytes = await this.read(rel, forDigest);
    if (!bytes) return undefined;
    const text = decode(rel, bytes);
    if (typeof text !== 'string') {
      this.diagnostics.push(text);
      return { file: rel, text: '', data: undefined, diagnostics: [text], locate: () => ({ line: 0, column: 0 }), sourceOf: () => undefined };
    }
    return parseYamlSource(rel, text, { maxAliasCount: this.options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  }

  /** Validates a whole document against a schema plus the document-level checks. */
  checkDocument(kind: SchemaKind, data: Raw, at: Locator): void {
    const r = new Reporter(at);
    const skip = checkDocument(data, r);
    if (kind === 'agentspec') checkTrustScope(data, r);
    this.diagnostics.push(...r.out, ...validateAgainstSchema(kind, data, at, skip));
  }
}

/** Orders diagnostics by file, line and column (stable otherwise). */
function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i))
    .map(({ d }) => d);
}

/** Drops repeated diagnostics (a base is validated on its own and again inside the merged document). */
function dedupeDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.severity}\0${d.code}\0${d.file}\0${d.line}\0${d.column}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function fail(label: string, unsorted: Diagnostic[]): never {
  const diagnostics = sortDiagnostics(dedupeDiagnostics(unsorted));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, 20).map((d) => `  ${formatDiagnostic(d)}`);
  if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`);
  const first = errors[0];
  throw new ManifestError('MANIFEST_INVALID', `${label} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${shown.join('\n')}`, { details: {
    ...(first ? { file: first.file, line: first.line, column: first.column, path: first.path } : {}),
    diagnostics,
  } });
}

/**
 * The discovery rule: a co-located `*.yaml` is a sub-agent when its top level is a mapping with a
 * string `name` and a string `description` (what a delegating model chooses by) and no `schema:` or
 * `apiVersion:` key (model catalogs, host profiles, AgentSpec bases). A file that does not parse
 * is kept, so a broken sub-agent is reported rather than silently skipped. Other files are not read
 * into the agent (not in `files`, not in the digest).
 */
async function isSubAgentFile(reader: SourceReader, rel: string, options: LoadOptions): Promise<boolean> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await reader.read(rel);
  } catch {
    return true;
  }
  if (!bytes) return false;
  const text = decode(rel, bytes);
  if (typeof text !== 'string') return true;
  const parsed = parseYamlSource(rel, text, { maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  if (parsed.diagnostics.length > 0 || parsed.data === undefined) return true;
  const d = obj(parsed.data);
  return typeof d.name === 'string' && typeof d.description === 'string' && !('schema' in d) && !('apiVersion' in d);
}

/** AgentSpec's defaults for keys a manifest may leave out: apiVersion agent/v1 and version 0.1.0. */
function withAgentSpecDefaults(data: Raw): Raw {
  return { ...data, apiVersion: data.apiVersion ?? 'agent/v1', version: data.version ?? AGENTSPEC_DEFAULT_VERSION };
}

function subAgentName(ref: Raw | string, data: unknown, rel: string): string {
  if (typeof ref === 'object' && typeof ref.name === 'string') return ref.name;
  const n = obj(data).name;
  return typeof n === 'string' ? n : posix.basename(rel).replace(/\.ya?ml$/, '');
}

async function loadFromReader(
  reader: SourceReader,
  entry: string,
  root: { kind: LoadedAgent['source']['kind']; root: string; label: string },
  options: LoadOptions,
  companions: boolean,
): Promise<LoadedAgent> {
  const s = new Session(reader, options);
  const entryBytes = await reader.read(entry);
  if (!entryBytes) throw new ManifestError('MANIFEST_NOT_FOUND', `${entry} does not exist`, { details: { file: entry } });
  if (sniffBytes(entryBytes) === 'container') {
    throw new ManifestError('MANIFEST_IS_CONTAINER', `${entry} is a packed .agent container, not a YAML manifest`, { details: { file: entry } });
  }
  const label = root.label;
  const source = await s.yaml(entry, false);
  if (!source || hasErrors(source.diagnostics) || source.data === undefined) fail(label, source?.diagnostics.length ? source.diagnostics : s.diagnostics);
  s.diagnostics.push(...source.diagnostics);
  const dir = posix.dirname(entry) === '.' ? '' : posix.dirname(entry);
  const here = (rel: string) => (dir ? `${dir}/${rel}` : rel);

  const top = source.data;
  if (!top || typeof top !== 'object' || Array.isArray(top)) {
    s.diagnostics.push({ severity: 'error', code: 'MANIFEST_DIALECT', message: `${entry} must be a YAML mapping (an agent manifest)`, file: entry, ...source.locate([]), path: '', expected: 'a mapping with name, version, …', found: Array.isArray(top) ? 'a sequence' : JSON.stringify(top) });
    fail(label, s.diagnostics);
  }
  let raw = top as Raw;
  let at: Locator = sourceLocator(source);
  let kind: SchemaKind = options.partial ? 'subagent' : 'agent';
  // AgentSpec's own `pull` writes manifests without apiVersion: a document holding AgentSpec-only
  // keys (model, trust, base, behavior, …) or AgentSpec's `tools: { mcp, native }` is read as
  // AgentSpec as a whole, never half-read as AgentLang with unknown-key warnings.
  const agentSpecKeys = AGENTSPEC_ONLY_KEYS.filter((k) => k in raw);
  const implicitAgentSpec = !('apiVersion' in raw) && !options.partial && (agentSpecKeys.length > 0 || (!!raw.tools && typeof raw.tools === 'object' && !Array.isArray(raw.tools)));
  if ('apiVersion' in raw || implicitAgentSpec) {
    if (!implicitAgentSpec && raw.apiVersion !== 'agent/v1') {
      s.diagnostics.push({ severity: 'error', code: 'MANIFEST_DIALECT', message: `unknown apiVersion ${JSON.stringify(raw.apiVersion)}; AgentSpec manifests use apiVersion: agent/v1 (or drop apiVersion for the AgentLang dialect)`, file: entry, ...source.locate(['apiVersion']), path: '/apiVersion', expected: '"agent/v1"', found: source.sourceOf(['apiVersion']) ?? String(raw.apiVersion) });
      fail(label, s.diagnostics);
    }
    if (implicitAgentSpec) {
      const why = agentSpecKeys.length ? `its AgentSpec key${agentSpecKeys.length > 1 ? 's' : ''} ${agentSpecKeys.join(', ')}` : 'its tools: { mcp, native } mapping';
      s.diagnostics.push({ severity: 'warning', code: 'MANIFEST_DIALECT', message: `${entry} has no apiVersion but ${why}: read as an AgentSpec manifest (apiVersion: agent/v1); add \`apiVersion: agent/v1\` to say so`, file: entry, ...source.locate([]), path: '', expected: 'apiVersion: agent/v1', found: 'no apiVersion' });
    }
    kind = 'agentspec';
    const resolveBase = options.resolveBase;
    const fetchBase = resolveBase
      ? async (reference: string): Promise<YamlSource | { error: string }> => {
          try {
            const { text } = await resolveBase(reference);
            return parseYamlSource(reference, text, { maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
          } catch (error) {
            return { error: (error as Error).message };
          }
        }
      : undefined;
    const inherited = await resolveInheritance({ rel: entry, source }, (rel) => s.yaml(rel, false), fetchBase);
    s.diagnostics.push(...inherited.diagnostics);
    // Every base is validated on its own too (schema and checks), so a base whose trust values are
    // invalid cannot be laundered by a child that overrides them.
    for (const link of inherited.chain.slice(1)) {
      s.checkDocument('agentspec', withAgentSpecDefaults(obj(link.source.data)), sourceLocator(link.source));
    }
    raw = withAgentSpecDefaults(inherited.merged);
    at = inherited.locator;
  }
  s.checkDocument(kind, raw, at);
  const r = new Reporter(at);
  const tools = declaredTools(raw);
  checkToolSchemas(raw, r);
  if (!options.partial && typeof raw.name === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(raw.name) && !isPublishableName(raw.name)) {
    const fix = publishableSpelling(raw.name);
    r.add('MANIFEST_NAME_UNPUBLISHABLE', ['name'], `name "${raw.name}" is valid here, but a registry refuses it (registry names are lower-case letters, digits and inner "-" or "_", no dots)${fix ? `; rename it to "${fix}" to publish it` : ''}`, {
      severity: 'warning',
      expected: 'a name such as "my-agent" ([a-z0-9], inner - or _)',
      found: JSON.stringify(raw.name),
    });
  }

  // Sub-agents: static delegate.agents, then co-located YAML files under dynamic discovery.
  const subAgents: Array<{ name: string; path: string }> = [];
  const byName = new Map<string, string>();
  const seen = new Map<string, string | undefined>();
  const loadSub = async (rel: string, ref: Raw | string, path: (string | number)[]): Promise<string | undefined> => {
    if (seen.has(rel)) return seen.get(rel);
    seen.set(rel, undefined);
    const sub = await s.yaml(rel, true);
    if (!sub) {
      r.add('MANIFEST_FILE_MISSING', path, `sub-agent ${rel} does not exist`, { expected: 'an existing sub-agent YAML file', found: JSON.stringify(rel) });
      return undefined;
    }
    const name = subAgentName(ref, sub.data, rel);
    const clash = byName.get(name);
    if (clash === undefined) byName.set(name, rel);
    else {
      // A static reference is reported where it is written; a discovered file at its own name.
      const message = `sub-agents ${clash} and ${rel} are both named "${name}"; delegate permissions and depends_on could not tell them apart`;
      if (path.length) r.add('MANIFEST_DUPLICATE_NAME', path, message, { expected: 'unique sub-agent names', found: JSON.stringify(name) });
      else s.diagnostics.push({ severity: 'error', code: 'MANIFEST_DUPLICATE_NAME', message, file: rel, ...sub.locate(['name']), path: '/name', expected: 'unique sub-agent names', found: JSON.stringify(name) });
    }
    subAgents.push({ name, path: rel });
    seen.set(rel, name);
    s.diagnostics.push(...sub.diagnostics);
    if (hasErrors(sub.diagnostics)) return name;
    if (!sub.data || typeof sub.data !== 'object' || Array.isArray(sub.data)) {
      s.diagnostics.push({ severity: 'error', code: 'MANIFEST_DIALECT', message: `sub-agent ${rel} must be a YAML mapping`, file: rel, ...sub.locate([]), path: '', expected: 'a mapping with name, description, tools, …' });
      return name;
    }
    s.checkDocument('subagent', sub.data as Raw, sourceLocator(sub));
    return name;
  };
  const staticNames: Array<string | undefined> = [];
  const delegate = obj(raw.delegate);
  for (const [i, a] of arr(delegate.agents).entries()) {
    const ref = typeof a === 'string' ? a : obj(a).path;
    if (typeof ref !== 'string') continue;
    const rel = joinInside(dir, ref);
    if (!rel) {
      r.add('MANIFEST_PATH_ESCAPE', ['delegate', 'agents', i, ...(typeof a === 'string' ? [] : ['path'])], `sub-agent path "${ref}" is absolute or leaves the agent directory`, { expected: 'a relative path inside the agent directory', found: JSON.stringify(ref) });
      continue;
    }
    staticNames[i] = await loadSub(rel, typeof a === 'string' ? a : obj(a), ['delegate', 'agents', i]);
  }
  checkDependsOnCycles(raw, staticNames, r);
  const delegateTool = arr(raw.tools).map(obj).find((t) => t.name === 'delegate');
  const dynamic = obj(delegateTool?.config);
  const discovery = delegate.discovery ?? dynamic.discovery;
  if (discovery === 'directory') {
    for (const file of await reader.list(dir)) {
      const rel = here(file);
      if (!file.endsWith('.yaml') || COMPANIONS.has(file) || rel === entry) continue;
      if (!(await isSubAgentFile(reader, rel, options))) continue;
      await loadSub(rel, file, []);
    }
  }
  checkAgentRefs(raw, new Set(subAgents.map((a) => a.name)), r);

  // Skills: skills/<name>/SKILL.md next to the manifest.
  const skillSpecs = new Map<string, { description?: string; allowedTools: string[]; file?: string }>();
  const abstractSkills = new Map<string, (typeof AGENTSPEC_SKILLS)[string] | undefined>();
  for (const [i, ref] of arr(raw.skills).entries()) {
    const name = typeof ref === 'string' ? ref : obj(ref).name;
    if (typeof name !== 'string') continue;
    const path = typeof ref === 'string' ? ['skills', i] : ['skills', i, 'name'];
    const rel = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? joinInside(dir, `skills/${name}/SKILL.md`) : undefined;
    if (!rel) {
      r.add('MANIFEST_PATH_ESCAPE', path, `skill name "${name}" is not a plain directory name`, { expected: 'letters, digits, ".", "_", "-"', found: JSON.stringify(name) });
      continue;
    }
    const bytes = await s.read(rel, true);
    if (!bytes && kind === 'agentspec') {
      // AgentSpec skills are abstract names (web-search) that map to concrete tools, not SKILL.md files.
      const mapping = AGENTSPEC_SKILLS[name];
      abstractSkills.set(name, mapping);
      continue;
    }
    if (!bytes) {
      r.add('MANIFEST_FILE_MISSING', path, `skill "${name}" has no ${rel}`, { expected: `a file ${rel} with name/description/allowed-tools frontmatter`, found: 'no such file' });
      continue;
    }
    const text = decode(rel, bytes);
    if (typeof text !== 'string') {
      s.diagnostics.push(text);
      continue;
    }
    const skill = parseSkill(rel, text, name, options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT);
    s.diagnostics.push(...skill.diagnostics);
    if (!skill.data) continue;
    const allowed = arr(skill.data['allowed-tools']).filter((t): t is string => typeof t === 'string');
    const sr = new Reporter(skill.locator!);
    for (const [j, t] of allowed.entries()) checkToolRef(t, ['allowed-tools', j], tools, sr, `skill ${name}'s allowed-tools`);
    s.diagnostics.push(...sr.out);
    skillSpecs.set(name, {
      ...(typeof skill.data.description === 'string' ? { description: skill.data.description } : {}),
      allowedTools: allowed,
      file: rel,
    });
  }

  // Companion files of an agent directory: prompt.yaml and ux.yaml; for AgentSpec, SOUL.md and
  // RULES.md, which become part of the normalised manifest (so editing them changes the digest).
  let prompt: LoadedAgent['prompt'];
  let uxRaw: Raw | undefined;
  if (companions && kind === 'agentspec') {
    for (const [file, key] of [['SOUL.md', 'soul'], ['RULES.md', 'rules']] as const) {
      const rel = here(file);
      const bytes = await s.read(rel, false);
      if (!bytes) continue;
      const text = decode(rel, bytes);
      if (typeof text !== 'string') s.diagnostics.push(text);
      else raw = { ...raw, [key]: text };
    }
  }
  if (companions) {
    const promptRel = here('prompt.yaml');
    const bytes = await s.read(promptRel, true);
    if (bytes) {
      const text = decode(promptRel, bytes);
      if (typeof text !== 'string') s.diagnostics.push(text);
      else {
        const loaded = loadPrompt(promptRel, text, obj(raw.context).inject);
        s.diagnostics.push(...loaded.diagnostics);
        if (loaded.document) prompt = { path: promptRel, document: loaded.document };
      }
    }
    const ux = await s.yaml(here('ux.yaml'), false);
    if (ux) {
      s.diagnostics.push(...ux.diagnostics);
      if (!hasErrors(ux.diagnostics)) {
        const data = obj(ux.data);
        const uxAt = sourceLocator(ux);
        s.diagnostics.push(...validateAgainstSchema('ux', ux.data ?? {}, uxAt));
        const ur = new Reporter(uxAt);
        for (const t of Object.keys(obj(data.tools))) checkToolRef(t, ['tools', t], { names: tools.names, openMcp: true }, ur, 'ux.yaml');
        for (const server of Object.keys(obj(data.mcp_tools))) {
          if (!(server in obj(raw.mcp_servers))) {
            ur.add('MANIFEST_TOOL_REF', ['mcp_tools', server], `ux.yaml labels MCP server "${server}", which the agent does not declare`, { severity: 'warning', key: true, expected: `one of ${listNames(Object.keys(obj(raw.mcp_servers)))}`, found: JSON.stringify(server) });
          }
        }
        s.diagnostics.push(...ur.out);
        uxRaw = data;
      }
    }
  }

  s.diagnostics.push(...r.out);
  const errors = s.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) fail(label, s.diagnostics);

  const manifest = normaliseManifest(raw, kind === 'agentspec' ? 'agentspec' : 'agentlang');
  manifest.skills = manifest.skills.map((sk) => ({ ...sk, ...skillSpecs.get(sk.name) }));
  if (kind === 'agentspec') {
    const ar = new Reporter(at);
    applyAgentSpec(manifest, raw, abstractSkills, ar);
    s.diagnostics.push(...ar.out);
  }
  if (uxRaw) manifest.ux = normaliseUx(uxRaw);
  const sorted = (m: Map<string, string>): SourceFile[] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, sha256]) => ({ path, sha256 }));
  s.files.set(entry, sha256Tagged(entryBytes));
  return {
    manifest,
    digest: computeDigest(manifest, sorted(s.digestFiles)),
    source: { kind: root.kind, root: root.root, entry },
    files: sorted(s.files),
    ...(prompt ? { prompt } : {}),
    subAgentPaths: subAgents.map((a) => ({ name: a.name, path: a.path })),
    warnings: sortDiagnostics(dedupeDiagnostics(s.diagnostics.filter((d) => d.severity === 'warning'))),
    locate: (path, o) => ({ file: at.file(path), ...at.locate(path, o) }),
    written: (path) => at.sourceOf(path) !== undefined,
  };
}
