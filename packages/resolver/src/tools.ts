import type { ToolSpec } from '@agentlang/manifest';
import semver from 'semver';
import { canonicalJson, digestJson } from './canonical.js';
import { ResolveError } from './errors.js';
import { didYouMean, suggest } from './located.js';
import type { ResolvedTool } from './plan.js';
import type { ToolDefinition, ToolSource } from './tool-definition.js';

/** A resolved tool with the definition it was pinned to (the plan keeps only the digest). */
export interface ToolResolution {
  tool: ResolvedTool;
  definition: ToolDefinition;
  decision: string;
  /** Problems that do not stop a run (none today; kept for sources that report some). */
  warnings: string[];
}

/**
 * Picks, for one tool, the highest version satisfying its constraint across every source (on a
 * tie the earlier source wins), and digests its definition. Throws when none satisfies.
 */
export async function resolveTool(spec: ToolSpec, sources: readonly ToolSource[]): Promise<ToolResolution> {
  const constraint = spec.version ?? '*';
  const range = semver.validRange(constraint);
  if (range === null) {
    throw new ResolveError(
      'RESOLVE_TOOL_CONSTRAINT',
      `tool ${spec.name}: "${constraint}" is not a semver range; write e.g. "^1.2.0", "~1.0.0" or ">=1 <3"`,
      { details: { tool: spec.name, constraint } },
    );
  }
  const offered: Array<{ version: string; source: ToolSource }> = [];
  for (const source of sources) {
    for (const version of await source.listVersions(spec.name)) offered.push({ version, source });
  }
  if (offered.length === 0) {
    const names = new Set<string>();
    for (const source of sources) for (const n of (await source.listNames?.()) ?? []) names.add(n);
    const near = suggest(spec.name, names);
    const hint = didYouMean(near);
    throw new ResolveError(
      'RESOLVE_TOOL_UNKNOWN',
      `tool ${spec.name} is in no catalog (searched: ${sources.map((s) => s.id).join(', ')})${hint}; fix the name, or add a catalog with --catalog DIR holding ${spec.name}/<version>.json`,
      { details: { tool: spec.name, sources: sources.map((s) => s.id), ...(near ? { suggestion: near } : {}) } },
    );
  }
  const best = semver.maxSatisfying(
    offered.map((o) => o.version),
    range,
  );
  if (best === null) {
    const available = [...new Set(offered.map((o) => o.version))].sort(semver.compare);
    throw new ResolveError(
      'RESOLVE_TOOL_UNSATISFIABLE',
      `tool ${spec.name}: no version satisfies "${constraint}"; available: ${available.join(', ')}`,
      { details: { tool: spec.name, constraint, available } },
    );
  }
  const pick = offered.find((o) => o.version === best)!;
  const definition = await pick.source.getDefinition(spec.name, best);
  const candidates = offered.filter((o) => semver.satisfies(o.version, range)).length;
  // A schema the manifest declares is the agent's contract for the tool: it goes into the plan
  // (`tools[].inputSchema` / `outputSchema`) for a runtime to enforce, and is pinned through the
  // manifest digest. Where it differs from the catalog definition, the decision says so.
  const notes: string[] = [];
  const compare = (label: string, declared: unknown, pinned: unknown) => {
    if (declared === undefined) return;
    notes.push(
      pinned !== undefined && canonicalJson(declared) === canonicalJson(pinned)
        ? `${label} as in the definition`
        : `declared ${label} enforced (differs from the definition)`,
    );
  };
  compare('input_schema', spec.inputSchema, definition.inputSchema);
  compare('output_schema', spec.outputSchema, definition.outputSchema);
  const warnings: string[] = [];
  return {
    warnings,
    tool: {
      name: spec.name,
      constraint,
      version: best,
      source: pick.source.id,
      integrity: digestJson(definition),
      ...(spec.inputSchema ? { inputSchema: spec.inputSchema } : {}),
      ...(spec.outputSchema ? { outputSchema: spec.outputSchema } : {}),
    },
    definition,
    decision: `tool ${spec.name}: ${best} from ${pick.source.id} (highest of ${candidates} satisfying "${constraint}" among ${offered.length} offered)${notes.length ? `; ${notes.join('; ')}` : ''}`,
  };
}
