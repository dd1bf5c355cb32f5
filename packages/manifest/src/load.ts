import { basename, dirname, join, posix, resolve } from 'node:path';
import { applyAgentSpec } from './agentspec.js';
import { Reporter, declaredTools } from './checks.js';
import { computeDigest } from './digest.js';
import { ManifestError } from './errors.js';
import { sha256Tagged } from './hash.js';
import { loadCompanions } from './load-companions.js';
import { readDialect } from './load-dialect.js';
import { dedupeDiagnostics, failLoad, sortDiagnostics } from './load-diagnostics.js';
import { DEFAULT_MAX_FILE_BYTES, LoadSession } from './load-session.js';
import { loadSkills } from './load-skills.js';
import { loadSubAgents } from './load-sub-agents.js';
import type { LoadedAgent, LoadFromFilesOptions, LoadOptions, SafeLoadResult } from './load-types.js';
import { normaliseManifest, normaliseUx } from './normalise.js';
import { diskReader, joinInside, memoryReader, type SourceReader } from './reader.js';
import { isPublishableName, publishableSpelling } from './publishable-name.js';
import { sniffBytes, sniffInput } from './sniff.js';
import { checkToolSchemas } from './tool-schemas.js';
import type { SourceFile } from './types.js';
import { hasErrors } from './yaml-source.js';

export { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_FILE_BYTES } from './load-session.js';

type Raw = Record<string, unknown>;

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
      throw new ManifestError(
        'MANIFEST_NOT_FOUND',
        `${path} holds no agent.yaml; create one (agentlang init) or pass the manifest file itself`,
        { details: { file: posix.join(path, 'agent.yaml') } },
      );
    }
    return loadFromReader(
      reader,
      'agent.yaml',
      { kind: 'directory', root: full, label: posix.join(path, 'agent.yaml') },
      options,
      true,
    );
  }
  const reader = await diskReader(dirname(full), max);
  const entry = basename(full);
  return loadFromReader(
    reader,
    entry,
    { kind: 'file', root: dirname(full), label: path },
    options,
    entry === 'agent.yaml',
  );
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
export async function loadAgentFromFiles(
  files: Record<string, Uint8Array>,
  options: LoadFromFilesOptions = {},
): Promise<LoadedAgent> {
  const entry = joinInside('', options.entry ?? 'agent.yaml');
  if (!entry)
    throw new ManifestError(
      'MANIFEST_PATH_ESCAPE',
      `entry ${options.entry} is not a relative path inside the file set`,
      { details: { file: options.entry } },
    );
  const reader = memoryReader(files, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const label = options.label ?? '<memory>';
  if (!(await reader.read(entry)))
    throw new ManifestError('MANIFEST_NOT_FOUND', `${label} holds no ${entry}`, { details: { file: entry } });
  const agent = await loadFromReader(
    reader,
    entry,
    { kind: 'memory', root: label, label: `${label}:${entry}` },
    options,
    posix.basename(entry) === 'agent.yaml',
  );
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
  if (!rel)
    throw new ManifestError(
      'MANIFEST_PATH_ESCAPE',
      `sub-agent path ${path} is absolute or leaves ${parent.source.root}`,
      { details: { file: path } },
    );
  if (parent.source.kind !== 'memory')
    return loadAgent(resolve(parent.source.root, rel), { partial: true, ...options });
  const held = (
    parent as unknown as Record<symbol, { files: Record<string, Uint8Array>; options: LoadOptions } | undefined>
  )[MEMORY_FILES];
  if (!held) {
    throw new ManifestError(
      'MANIFEST_NOT_FOUND',
      `sub-agent ${rel} of ${parent.source.root} cannot be read: the agent is in memory but was not loaded by loadAgentFromFiles (a copy loses its files); load it again`,
      { details: { file: rel } },
    );
  }
  const dir = posix.dirname(rel);
  const prefix = dir === '.' ? '' : `${dir}/`;
  const files: Record<string, Uint8Array> = {};
  for (const [key, bytes] of Object.entries(held.files)) {
    const inside = joinInside('', key);
    if (inside?.startsWith(prefix)) files[inside.slice(prefix.length)] = bytes;
  }
  const fileDigests: Record<string, string> = {};
  for (const [key, digest] of Object.entries(held.options.fileDigests ?? {}))
    if (key.startsWith(prefix)) fileDigests[key.slice(prefix.length)] = digest;
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

/** Where a load starts: the kind of source, its root and how messages name it. */
interface LoadRoot {
  kind: LoadedAgent['source']['kind'];
  root: string;
  label: string;
}

/** Reads, validates and normalises the agent whose manifest is `entry`; `companions` reads prompt.yaml, ux.yaml and AgentSpec's Markdown beside it. */
async function loadFromReader(
  reader: SourceReader,
  entry: string,
  root: LoadRoot,
  options: LoadOptions,
  companions: boolean,
): Promise<LoadedAgent> {
  const s = new LoadSession(reader, options);
  const entryBytes = await reader.read(entry);
  if (!entryBytes)
    throw new ManifestError('MANIFEST_NOT_FOUND', `${entry} does not exist`, { details: { file: entry } });
  if (sniffBytes(entryBytes) === 'container') {
    throw new ManifestError('MANIFEST_IS_CONTAINER', `${entry} is a packed .agent container, not a YAML manifest`, {
      details: { file: entry },
    });
  }
  const label = root.label;
  const source = await s.yaml(entry, false);
  if (!source || hasErrors(source.diagnostics) || source.data === undefined)
    failLoad(label, source?.diagnostics.length ? source.diagnostics : s.diagnostics);
  s.diagnostics.push(...source.diagnostics);
  const dir = posix.dirname(entry) === '.' ? '' : posix.dirname(entry);
  const here = (rel: string) => (dir ? `${dir}/${rel}` : rel);

  let { raw, at, kind } = await readDialect(s, source, entry, label);
  s.checkDocument(kind, raw, at);
  const r = new Reporter(at);
  const tools = declaredTools(raw);
  checkToolSchemas(raw, r);
  if (!options.partial) checkPublishableName(raw, r);
  const subAgents = await loadSubAgents(s, raw, { entry, dir }, r);
  const skills = await loadSkills(s, raw, dir, kind, tools, r);
  let prompt: LoadedAgent['prompt'];
  let uxRaw: Raw | undefined;
  if (companions) {
    const found = await loadCompanions(s, raw, kind === 'agentspec', tools, here);
    ({ raw, prompt, ux: uxRaw } = found);
  }
  s.diagnostics.push(...r.out);
  const errors = s.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) failLoad(label, s.diagnostics);

  const manifest = normaliseManifest(raw, kind === 'agentspec' ? 'agentspec' : 'agentlang');
  manifest.skills = manifest.skills.map((sk) => ({ ...sk, ...skills.specs.get(sk.name) }));
  if (kind === 'agentspec') {
    const ar = new Reporter(at);
    applyAgentSpec(manifest, raw, skills.abstract, ar);
    s.diagnostics.push(...ar.out);
  }
  if (uxRaw) manifest.ux = normaliseUx(uxRaw);
  const sorted = (m: Map<string, string>): SourceFile[] =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, sha256]) => ({ path, sha256 }));
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
    written: (path) => at.has(path),
    fileBytes: (path) => s.contents.get(path),
  };
}

/** Warns when a name valid here would be refused by a registry, and says how to spell it instead. */
function checkPublishableName(raw: Raw, r: Reporter): void {
  if (typeof raw.name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(raw.name) || isPublishableName(raw.name))
    return;
  const fix = publishableSpelling(raw.name);
  r.add(
    'MANIFEST_NAME_UNPUBLISHABLE',
    ['name'],
    `name "${raw.name}" is valid here, but a registry refuses it (registry names are lower-case letters, digits and inner "-" or "_", no dots)${fix ? `; rename it to "${fix}" to publish it` : ''}`,
    {
      severity: 'warning',
      expected: 'a name such as "my-agent" ([a-z0-9], inner - or _)',
      found: JSON.stringify(raw.name),
    },
  );
}
