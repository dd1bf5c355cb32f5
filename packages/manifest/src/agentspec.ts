import type { PromptDocument } from '@agentlang/promptlang';
import { nearestWord } from '@agentlang/utils';
import { listNames, type Reporter } from './checks.js';
import type { AgentManifest, McpServerSpec } from './types.js';

// What the AgentSpec dialect (apiVersion: agent/v1) means, as AgentSpec's documentation defines it
// (docs/concepts/format.md, inheritance.md, guides/bases.md): the abstract skill names and the
// concrete tools they map to, the well-known MCP server names, the behaviour traits and the
// sentences they expand to. The tables are ours (written from the documented meaning), so the
// digest of an agent does not depend on AgentSpec's release.

/** The keys only AgentSpec manifests use; a document without `apiVersion` holding one of them is read as AgentSpec. */
export const AGENTSPEC_ONLY_KEYS = [
  'model',
  'trust',
  'base',
  'behavior',
  'merge',
  'soul',
  'rules',
  'expose',
  'memory',
  'auth',
  'extensions',
  'author',
  'license',
  'tags',
  'pipeline',
] as const;

/** AgentSpec's default version for a manifest that leaves it out. */
export const AGENTSPEC_DEFAULT_VERSION = '0.1.0';

/** What an abstract skill maps to: AgentLang catalog tools, runtime-native tools, MCP server names (informational). */
export interface SkillMapping {
  /** Tools from the AgentLang tool catalogs (resolved and locked like `tools[]`). */
  catalog: readonly string[];
  /** Tools the runtime provides itself (its shell, file tools). */
  native: readonly string[];
  /** MCP servers that provide the skill when declared under `tools.mcp` (never started implicitly). */
  mcp: readonly string[];
}

const m = (catalog: string[], native: string[], mcp: string[] = []): SkillMapping => ({ catalog, native, mcp });

/** Abstract skill names (AgentSpec `skills:`) → concrete tools. A name not listed passes through with a warning. */
export const AGENTSPEC_SKILLS: Readonly<Record<string, SkillMapping>> = {
  'web-search': m(['web_search'], [], ['brave-search']),
  'web-fetch': m(['web_fetch'], []),
  'code-execution': m([], ['bash']),
  'file-read': m([], ['read_file']),
  'file-write': m([], ['write_file']),
  'cite-sources': m([], [], ['arxiv', 'google-scholar']),
  summarize: m([], []),
  'image-gen': m([], []),
  'data-analysis': m(['sqlite'], ['python']),
  browser: m([], [], ['playwright', 'puppeteer']),
  git: m([], ['git']),
  github: m([], [], ['github']),
  'noether-compose': m([], ['noether']),
  'noether-run': m([], ['noether']),
  'noether-search': m([], ['noether']),
  'noether-serve': m([], ['noether']),
};

/** Well-known MCP server names (AgentSpec `tools.mcp: [name]`) → the stdio server they start. */
export const AGENTSPEC_MCP_SERVERS: Readonly<
  Record<string, Omit<McpServerSpec, 'name' | 'env'> & { env?: Record<string, string> }>
> = {
  everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
  filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] },
  memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
  'sequential-thinking': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-sequential-thinking'] },
  github: {
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-github'],
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: '{{.env.GITHUB_PERSONAL_ACCESS_TOKEN}}' },
  },
  postgres: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-postgres'] },
  postgresql: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-postgres'] },
  'brave-search': {
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-brave-search'],
    env: { BRAVE_API_KEY: '{{.env.BRAVE_API_KEY}}' },
  },
  puppeteer: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-puppeteer'] },
  playwright: { command: 'npx', args: ['-y', '@playwright/mcp'] },
  slack: {
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-slack'],
    env: { SLACK_BOT_TOKEN: '{{.env.SLACK_BOT_TOKEN}}' },
  },
};

/** Behaviour traits → the sentence each adds to the system prompt. Other traits are used verbatim. */
export const AGENTSPEC_TRAITS: Readonly<Record<string, string>> = {
  'cite-everything': 'Cite a source (URL or reference) for every factual claim.',
  'flag-uncertainty': 'Mark anything you are not sure of with [UNCERTAIN].',
  'never-guess': 'When you do not know something, say so; never make it up.',
  'ask-before-writing': 'Ask the user before you create, change or delete a file.',
  'think-step-by-step': 'Work through a complex problem step by step before you answer.',
  'be-concise': 'Be brief and direct; leave out padding.',
  'self-review': 'Check your own output for mistakes before you present it.',
  'test-first': 'Write the tests before the code they test.',
  'write-tests-first': 'Write the tests before the code they test.',
  'cite-jurisdiction': 'Name the jurisdiction every legal source applies to.',
  'handle-ambiguity': 'When a request is ambiguous, state the reading you chose, or ask.',
  'noether-first': 'Prefer composing verified Noether stages over writing new code from scratch.',
  'noether-verify': 'Type-check and lint a Noether composition before you run it.',
};

/** A trait written as a kebab-case name (as opposed to a sentence written by the author). */
export const TRAIT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

/** The sentence a trait expands to: the table's, or the trait itself (AgentSpec passes unknown traits verbatim). */
export function traitSentence(trait: string): string {
  return AGENTSPEC_TRAITS[trait] ?? trait;
}

/**
 * The system prompt of an AgentSpec agent, as PromptLang sections: `soul` (SOUL.md or inline
 * `soul:`), then `system_override` when given (it replaces the persona and traits), else `persona`
 * and `traits` (one sentence per trait), then `rules` (RULES.md or inline `rules:`). Sampling
 * settings (temperature, max_steps, on_error) are runtime settings, never prompt text. Undefined
 * when the agent declares none of these.
 */
export function agentSpecPromptDocument(manifest: AgentManifest): PromptDocument | undefined {
  const sections: Array<{ name: string; content: string }> = [];
  const b = manifest.behavior;
  if (manifest.soul?.trim()) sections.push({ name: 'soul', content: manifest.soul.trim() });
  if (b?.systemOverride?.trim()) sections.push({ name: 'system_override', content: b.systemOverride.trim() });
  else {
    if (b?.persona) sections.push({ name: 'persona', content: `You are a ${b.persona.replaceAll('-', ' ')}.` });
    if (b?.traits?.length)
      sections.push({ name: 'traits', content: b.traits.map((t) => `- ${traitSentence(t)}`).join('\n') });
  }
  if (manifest.rules?.trim()) sections.push({ name: 'rules', content: manifest.rules.trim() });
  return sections.length ? { version: 2, role: 'system', sections } : undefined;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const MCP_KEYS = new Set(['name', 'command', 'args', 'env', 'tools']);

/** One `tools.mcp` entry as a server: a well-known name, `{ name: { config } }`, or `{ name, command, … }`. */
function mcpServerOf(entry: unknown, path: (string | number)[], r: Reporter): McpServerSpec | undefined {
  let name: string | undefined;
  let config: Raw = {};
  let configPath = path;
  if (typeof entry === 'string') name = entry;
  else if (typeof obj(entry).name === 'string') {
    name = obj(entry).name as string;
    config = obj(entry);
  } else {
    const keys = Object.keys(obj(entry));
    if (keys.length === 1) {
      name = keys[0]!;
      config = obj(obj(entry)[name]);
      configPath = [...path, name];
    }
  }
  if (name === undefined) return undefined;
  for (const key of Object.keys(config)) {
    if (MCP_KEYS.has(key)) continue;
    r.add(
      'MANIFEST_UNKNOWN_KEY',
      [...configPath, key],
      `MCP server "${name}": key "${key}" is not passed to the server (AgentLang starts stdio servers from command, args and env; secrets go in env as {{.env.NAME}}, never in args)`,
      {
        severity: 'warning',
        key: true,
        expected: 'command, args, env or tools',
        found: JSON.stringify(key),
      },
    );
  }
  const known = AGENTSPEC_MCP_SERVERS[name];
  const command = typeof config.command === 'string' ? config.command : known?.command;
  if (command === undefined) {
    const near = nearestWord(name, Object.keys(AGENTSPEC_MCP_SERVERS));
    r.add(
      'MANIFEST_UNKNOWN_NAME',
      path,
      `MCP server "${name}" is not a well-known server name and declares no command, so it is left out${near ? `; did you mean "${near}"?` : ''}; declare it as { name: ${name}, command: …, args: […] } or under mcp_servers`,
      {
        severity: 'warning',
        expected: `a well-known name (${listNames(Object.keys(AGENTSPEC_MCP_SERVERS))}) or an entry with a command`,
        found: JSON.stringify(name),
      },
    );
    return undefined;
  }
  const args = Array.isArray(config.args)
    ? config.args.filter((a): a is string => typeof a === 'string')
    : [...(known?.args ?? [])];
  const env = config.env !== undefined ? (obj(config.env) as Record<string, string>) : { ...(known?.env ?? {}) };
  return {
    name,
    command,
    args,
    env,
    ...(Array.isArray(config.tools) ? { tools: config.tools.filter((t): t is string => typeof t === 'string') } : {}),
  };
}

/**
 * Completes the normalisation of an AgentSpec manifest: `tools.mcp` entries become MCP servers
 * (well-known names mapped), `tools.native` and the native tools of abstract skills become
 * `nativeTools`, abstract skills record the concrete tools they map to and add their catalog tools
 * to `tools[]`; unknown skill, trait and server names are warnings (with the nearest known name).
 */
export function applyAgentSpec(
  manifest: AgentManifest,
  raw: Raw,
  abstractSkills: ReadonlyMap<string, SkillMapping | undefined>,
  r: Reporter,
): void {
  const tools = raw.tools;
  const native: string[] = [];
  if (tools && typeof tools === 'object' && !Array.isArray(tools)) {
    const t = tools as Raw;
    for (const [i, entry] of arr(t.mcp).entries()) {
      const server = mcpServerOf(entry, ['tools', 'mcp', i], r);
      if (server && !manifest.mcpServers.some((s) => s.name === server.name)) manifest.mcpServers.push(server);
    }
    for (const n of arr(t.native)) if (typeof n === 'string') native.push(n);
  }
  const skills = arr(raw.skills);
  manifest.skills = manifest.skills.map((sk) => {
    if (!abstractSkills.has(sk.name)) return sk;
    const mapping = abstractSkills.get(sk.name);
    if (!mapping) {
      const i = skills.findIndex((s) => s === sk.name || obj(s).name === sk.name);
      const near = nearestWord(sk.name, Object.keys(AGENTSPEC_SKILLS));
      r.add(
        'MANIFEST_UNKNOWN_NAME',
        ['skills', i],
        `skill "${sk.name}" is neither a known abstract skill nor a skills/${sk.name}/SKILL.md; it is passed through to the runtime as a name${near ? `; did you mean "${near}"?` : ''}`,
        {
          severity: 'warning',
          expected: `one of ${listNames(Object.keys(AGENTSPEC_SKILLS))}, or a skills/<name>/SKILL.md`,
          found: JSON.stringify(sk.name),
        },
      );
      return { ...sk, abstract: true, tools: [] };
    }
    for (const c of mapping.catalog) if (!manifest.tools.some((t) => t.name === c)) manifest.tools.push({ name: c });
    native.push(...mapping.native);
    return {
      ...sk,
      abstract: true,
      tools: [...mapping.catalog, ...mapping.native.map((n) => `native:${n}`), ...mapping.mcp.map((n) => `mcp:${n}`)],
    };
  });
  if (native.length) manifest.nativeTools = [...new Set(native)];
  for (const [i, trait] of (manifest.behavior?.traits ?? []).entries()) {
    if (AGENTSPEC_TRAITS[trait] !== undefined || !TRAIT_NAME.test(trait)) continue;
    const near = nearestWord(trait, Object.keys(AGENTSPEC_TRAITS));
    r.add(
      'MANIFEST_UNKNOWN_NAME',
      ['behavior', 'traits', i],
      `trait "${trait}" has no built-in sentence; it goes into the system prompt as written${near ? `; did you mean "${near}"?` : ''} (or write the trait as a sentence)`,
      {
        severity: 'warning',
        expected: `one of ${listNames(Object.keys(AGENTSPEC_TRAITS))}, or a sentence`,
        found: JSON.stringify(trait),
      },
    );
  }
  for (const key of ['agents', 'pipeline'] as const) {
    if (raw[key] === undefined) continue;
    r.add(
      'MANIFEST_DIALECT',
      [key],
      `AgentSpec ${key}: is kept in the manifest but AgentLang does not run AgentSpec pipelines; declare sub-agents under delegate: (static or dynamic) to run them`,
      {
        severity: 'warning',
        key: true,
        expected: 'delegate: { agents: [...] }',
        found: `${key}:`,
      },
    );
  }
}
