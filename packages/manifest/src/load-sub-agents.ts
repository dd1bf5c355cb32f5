import { posix } from 'node:path';
import { type Reporter, checkAgentRefs, checkDependsOnCycles } from './checks.js';
import { decodeText, type LoadSession } from './load-session.js';
import { joinInside } from './reader.js';
import { sourceLocator } from './validate-schema.js';
import { hasErrors } from './yaml-source.js';

type Raw = Record<string, unknown>;
type Path = (string | number)[];
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Files of an agent directory that are never sub-agents. */
const COMPANIONS = new Set(['agent.yaml', 'prompt.yaml', 'ux.yaml']);

/** A sub-agent found while loading: its name and its path relative to the agent root. */
export interface FoundSubAgent {
  name: string;
  path: string;
}

/** Where the agent's manifest sits: its path and its directory (`''` at the root), relative to the root. */
export interface EntryPlace {
  entry: string;
  dir: string;
}

/**
 * Loads the sub-agents of `raw`: static `delegate.agents`, then co-located YAML files under dynamic
 * discovery; checks their names, `depends_on` cycles and the agent's references to them. Problems
 * go to `r` (where the manifest writes them) or to the session (where the sub-agent file does).
 */
export async function loadSubAgents(
  s: LoadSession,
  raw: Raw,
  place: EntryPlace,
  r: Reporter,
): Promise<FoundSubAgent[]> {
  const found = new SubAgentSet(s, r);
  const staticNames: Array<string | undefined> = [];
  const delegate = obj(raw.delegate);
  for (const [i, a] of arr(delegate.agents).entries()) {
    const ref = typeof a === 'string' ? a : obj(a).path;
    if (typeof ref !== 'string') continue;
    const rel = joinInside(place.dir, ref);
    if (!rel) {
      r.add(
        'MANIFEST_PATH_ESCAPE',
        ['delegate', 'agents', i, ...(typeof a === 'string' ? [] : ['path'])],
        `sub-agent path "${ref}" is absolute or leaves the agent directory`,
        { expected: 'a relative path inside the agent directory', found: JSON.stringify(ref) },
      );
      continue;
    }
    staticNames[i] = await found.load(rel, typeof a === 'string' ? a : obj(a), ['delegate', 'agents', i]);
  }
  checkDependsOnCycles(raw, staticNames, r);
  const delegateTool = arr(raw.tools)
    .map(obj)
    .find((t) => t.name === 'delegate');
  const discovery = delegate.discovery ?? obj(delegateTool?.config).discovery;
  if (discovery === 'directory') {
    for (const file of await s.reader.list(place.dir)) {
      const rel = place.dir ? `${place.dir}/${file}` : file;
      if (!file.endsWith('.yaml') || COMPANIONS.has(file) || rel === place.entry) continue;
      if (!(await isSubAgentFile(s, rel))) continue;
      await found.load(rel, file, []);
    }
  }
  checkAgentRefs(raw, new Set(found.list.map((a) => a.name)), r);
  return found.list;
}

/** The sub-agents loaded so far, each file once, with their names kept unique. */
class SubAgentSet {
  readonly list: FoundSubAgent[] = [];
  private readonly byName = new Map<string, string>();
  private readonly seen = new Map<string, string | undefined>();
  constructor(
    private readonly s: LoadSession,
    private readonly r: Reporter,
  ) {}

  /** Reads and validates the sub-agent at `rel` (referenced by `ref` at `path` of the manifest, or `[]` when discovered); returns its name. */
  async load(rel: string, ref: Raw | string, path: Path): Promise<string | undefined> {
    const { s, r } = this;
    if (this.seen.has(rel)) return this.seen.get(rel);
    this.seen.set(rel, undefined);
    const sub = await s.yaml(rel, true);
    if (!sub) {
      r.add('MANIFEST_FILE_MISSING', path, `sub-agent ${rel} does not exist`, {
        expected: 'an existing sub-agent YAML file',
        found: JSON.stringify(rel),
      });
      return undefined;
    }
    const name = subAgentName(ref, sub.data, rel);
    const clash = this.byName.get(name);
    if (clash === undefined) this.byName.set(name, rel);
    else {
      // A static reference is reported where it is written; a discovered file at its own name.
      const message = `sub-agents ${clash} and ${rel} are both named "${name}"; delegate permissions and depends_on could not tell them apart`;
      if (path.length)
        r.add('MANIFEST_DUPLICATE_NAME', path, message, {
          expected: 'unique sub-agent names',
          found: JSON.stringify(name),
        });
      else
        s.diagnostics.push({
          severity: 'error',
          code: 'MANIFEST_DUPLICATE_NAME',
          message,
          file: rel,
          ...sub.locate(['name']),
          path: '/name',
          expected: 'unique sub-agent names',
          found: JSON.stringify(name),
        });
    }
    this.list.push({ name, path: rel });
    this.seen.set(rel, name);
    s.diagnostics.push(...sub.diagnostics);
    if (hasErrors(sub.diagnostics)) return name;
    if (!sub.data || typeof sub.data !== 'object' || Array.isArray(sub.data)) {
      s.diagnostics.push({
        severity: 'error',
        code: 'MANIFEST_DIALECT',
        message: `sub-agent ${rel} must be a YAML mapping`,
        file: rel,
        ...sub.locate([]),
        path: '',
        expected: 'a mapping with name, description, tools, …',
      });
      return name;
    }
    s.checkDocument('subagent', sub.data as Raw, sourceLocator(sub));
    return name;
  }
}

/** The name a sub-agent goes by: its reference's `name:`, else its own `name:`, else its file name. */
function subAgentName(ref: Raw | string, data: unknown, rel: string): string {
  if (typeof ref === 'object' && typeof ref.name === 'string') return ref.name;
  const n = obj(data).name;
  return typeof n === 'string' ? n : posix.basename(rel).replace(/\.ya?ml$/, '');
}

/**
 * The discovery rule: a co-located `*.yaml` is a sub-agent when its top level is a mapping with a
 * string `name` and a string `description` (what a delegating model chooses by) and no `schema:` or
 * `apiVersion:` key (model catalogs, host profiles, AgentSpec bases). A file that does not parse
 * is kept, so a broken sub-agent is reported rather than silently skipped. Other files are not read
 * into the agent (not in `files`, not in the digest).
 */
async function isSubAgentFile(s: LoadSession, rel: string): Promise<boolean> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await s.reader.read(rel);
  } catch {
    return true;
  }
  if (!bytes) return false;
  const text = decodeText(rel, bytes);
  if (typeof text !== 'string') return true;
  const parsed = s.parseYaml(rel, text);
  if (parsed.diagnostics.length > 0 || parsed.data === undefined) return true;
  const d = obj(parsed.data);
  return typeof d.name === 'string' && typeof d.description === 'string' && !('schema' in d) && !('apiVersion' in d);
}
