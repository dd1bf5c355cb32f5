import { Reporter, checkToolRef, listNames } from './checks.js';
import type { LoadedAgent } from './load-types.js';
import type { LoadSession } from './load-session.js';
import { loadPrompt } from './prompt.js';
import { sourceLocator, validateAgainstSchema } from './validate-schema.js';
import { hasErrors } from './yaml-source.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

/** What an agent directory's companion files add to the manifest. */
export interface Companions {
  /** The manifest with AgentSpec's SOUL.md and RULES.md folded in as `soul` and `rules`. */
  raw: Raw;
  prompt?: LoadedAgent['prompt'];
  /** ux.yaml as written, when it is valid. */
  ux?: Raw;
}

/**
 * Reads the companion files of an agent directory (`here` maps a file name to its path): prompt.yaml
 * and ux.yaml; for AgentSpec, SOUL.md and RULES.md, which become part of the normalised manifest
 * (so editing them changes the digest).
 */
export async function loadCompanions(
  s: LoadSession,
  raw: Raw,
  agentSpec: boolean,
  tools: { names: Set<string>; openMcp: boolean },
  here: (file: string) => string,
): Promise<Companions> {
  const withMarkdown = agentSpec ? await readAgentSpecMarkdown(s, raw, here) : raw;
  const prompt = await readPromptFile(s, withMarkdown, here('prompt.yaml'));
  const ux = await readUxFile(s, withMarkdown, tools, here('ux.yaml'));
  return { raw: withMarkdown, ...(prompt ? { prompt } : {}), ...(ux ? { ux } : {}) };
}

/** Folds SOUL.md and RULES.md into `raw` as `soul` and `rules` (their text, when present and UTF-8). */
async function readAgentSpecMarkdown(s: LoadSession, raw: Raw, here: (file: string) => string): Promise<Raw> {
  let out = raw;
  for (const [file, key] of [
    ['SOUL.md', 'soul'],
    ['RULES.md', 'rules'],
  ] as const) {
    const text = await s.text(here(file), false);
    if (text !== undefined) out = { ...out, [key]: text };
  }
  return out;
}

/** Parses prompt.yaml against the manifest's `context.inject` sources; undefined when absent or invalid. */
async function readPromptFile(s: LoadSession, raw: Raw, rel: string): Promise<LoadedAgent['prompt']> {
  const text = await s.text(rel, true);
  if (text === undefined) return undefined;
  const loaded = loadPrompt(rel, text, obj(raw.context).inject);
  s.diagnostics.push(...loaded.diagnostics);
  return loaded.document ? { path: rel, document: loaded.document } : undefined;
}

/** Validates ux.yaml and the tools and MCP servers it labels; its data, or undefined when absent or invalid. */
async function readUxFile(
  s: LoadSession,
  raw: Raw,
  tools: { names: Set<string>; openMcp: boolean },
  rel: string,
): Promise<Raw | undefined> {
  const ux = await s.yaml(rel, false);
  if (!ux) return undefined;
  s.diagnostics.push(...ux.diagnostics);
  if (hasErrors(ux.diagnostics)) return undefined;
  const data = obj(ux.data);
  const uxAt = sourceLocator(ux);
  s.diagnostics.push(...validateAgainstSchema('ux', ux.data ?? {}, uxAt));
  const ur = new Reporter(uxAt);
  for (const t of Object.keys(obj(data.tools)))
    checkToolRef(t, ['tools', t], { names: tools.names, openMcp: true }, ur, 'ux.yaml');
  for (const server of Object.keys(obj(data.mcp_tools))) {
    if (!(server in obj(raw.mcp_servers))) {
      ur.add(
        'MANIFEST_TOOL_REF',
        ['mcp_tools', server],
        `ux.yaml labels MCP server "${server}", which the agent does not declare`,
        {
          severity: 'warning',
          key: true,
          expected: `one of ${listNames(Object.keys(obj(raw.mcp_servers)))}`,
          found: JSON.stringify(server),
        },
      );
    }
  }
  s.diagnostics.push(...ur.out);
  return data;
}
