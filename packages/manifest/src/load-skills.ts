import { AGENTSPEC_SKILLS, type SkillMapping } from './agentspec.js';
import { Reporter, checkToolRef } from './checks.js';
import { DEFAULT_MAX_ALIAS_COUNT, decodeText, type LoadSession } from './load-session.js';
import { joinInside } from './reader.js';
import type { SchemaKind } from './schemas.js';
import { parseSkill } from './skill.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What a `skills/<name>/SKILL.md` adds to the manifest's skill of that name. */
export interface SkillSpec {
  description?: string;
  allowedTools: string[];
  file?: string;
}

/** The skills of an agent: read from SKILL.md files, or (AgentSpec) abstract names mapped to tools. */
export interface LoadedSkills {
  specs: Map<string, SkillSpec>;
  abstract: Map<string, SkillMapping | undefined>;
}

/**
 * Reads `skills/<name>/SKILL.md` next to the manifest (`dir`) for every skill `raw` names, checking
 * each skill's `allowed-tools` against the tools the agent declares. An AgentSpec skill with no
 * such file is an abstract name (web-search) that maps to concrete tools instead.
 */
export async function loadSkills(
  s: LoadSession,
  raw: Raw,
  dir: string,
  kind: SchemaKind,
  tools: { names: Set<string>; openMcp: boolean },
  r: Reporter,
): Promise<LoadedSkills> {
  const loaded: LoadedSkills = { specs: new Map(), abstract: new Map() };
  for (const [i, ref] of arr(raw.skills).entries()) {
    const name = typeof ref === 'string' ? ref : obj(ref).name;
    if (typeof name !== 'string') continue;
    const path = typeof ref === 'string' ? ['skills', i] : ['skills', i, 'name'];
    const rel = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? joinInside(dir, `skills/${name}/SKILL.md`) : undefined;
    if (!rel) {
      r.add('MANIFEST_PATH_ESCAPE', path, `skill name "${name}" is not a plain directory name`, {
        expected: 'letters, digits, ".", "_", "-"',
        found: JSON.stringify(name),
      });
      continue;
    }
    const bytes = await s.read(rel, true);
    if (!bytes && kind === 'agentspec') {
      // AgentSpec skills are abstract names (web-search) that map to concrete tools, not SKILL.md files.
      loaded.abstract.set(name, AGENTSPEC_SKILLS[name]);
      continue;
    }
    if (!bytes) {
      r.add('MANIFEST_FILE_MISSING', path, `skill "${name}" has no ${rel}`, {
        expected: `a file ${rel} with name/description/allowed-tools frontmatter`,
        found: 'no such file',
      });
      continue;
    }
    const spec = readSkillFile(s, rel, bytes, name, tools);
    if (spec) loaded.specs.set(name, spec);
  }
  return loaded;
}

/** Parses one SKILL.md and checks its `allowed-tools`; undefined when it has no usable frontmatter. */
function readSkillFile(
  s: LoadSession,
  rel: string,
  bytes: Uint8Array,
  name: string,
  tools: { names: Set<string>; openMcp: boolean },
): SkillSpec | undefined {
  const text = decodeText(rel, bytes);
  if (typeof text !== 'string') {
    s.diagnostics.push(text);
    return undefined;
  }
  const skill = parseSkill(rel, text, name, s.options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT);
  s.diagnostics.push(...skill.diagnostics);
  if (!skill.data) return undefined;
  const allowed = arr(skill.data['allowed-tools']).filter((t): t is string => typeof t === 'string');
  const sr = new Reporter(skill.locator!);
  for (const [j, t] of allowed.entries())
    checkToolRef(t, ['allowed-tools', j], tools, sr, `skill ${name}'s allowed-tools`);
  s.diagnostics.push(...sr.out);
  return {
    ...(typeof skill.data.description === 'string' ? { description: skill.data.description } : {}),
    allowedTools: allowed,
    file: rel,
  };
}
