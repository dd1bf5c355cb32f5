import { AGENTSPEC_DEFAULT_VERSION, AGENTSPEC_ONLY_KEYS } from './agentspec.js';
import { resolveInheritance } from './inherit.js';
import { failLoad } from './load-diagnostics.js';
import type { LoadSession } from './load-session.js';
import type { SchemaKind } from './schemas.js';
import { type Locator, sourceLocator } from './validate-schema.js';
import type { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

/** The entry document read in its dialect: the (inheritance-merged) mapping, where it was written, and its schema. */
export interface DialectDocument {
  raw: Raw;
  at: Locator;
  kind: SchemaKind;
}

/** AgentSpec's defaults for keys a manifest may leave out: apiVersion agent/v1 and version 0.1.0. */
function withAgentSpecDefaults(data: Raw): Raw {
  return { ...data, apiVersion: data.apiVersion ?? 'agent/v1', version: data.version ?? AGENTSPEC_DEFAULT_VERSION };
}

/**
 * Reads the entry document as AgentLang (`agent`, or `subagent` when partial) or as AgentSpec,
 * resolving an AgentSpec `base:` chain; a document that is not a mapping or names an unknown
 * apiVersion fails the load.
 */
export async function readDialect(
  s: LoadSession,
  source: YamlSource,
  entry: string,
  label: string,
): Promise<DialectDocument> {
  const top = source.data;
  if (!top || typeof top !== 'object' || Array.isArray(top)) {
    s.diagnostics.push({
      severity: 'error',
      code: 'MANIFEST_DIALECT',
      message: `${entry} must be a YAML mapping (an agent manifest)`,
      file: entry,
      ...source.locate([]),
      path: '',
      expected: 'a mapping with name, version, …',
      found: Array.isArray(top) ? 'a sequence' : JSON.stringify(top),
    });
    failLoad(label, s.diagnostics);
  }
  const raw = top as Raw;
  const partial = s.options.partial;
  // AgentSpec's own `pull` writes manifests without apiVersion: a document holding AgentSpec-only
  // keys (model, trust, base, behavior, …) or AgentSpec's `tools: { mcp, native }` is read as
  // AgentSpec as a whole, never half-read as AgentLang with unknown-key warnings.
  const agentSpecKeys = AGENTSPEC_ONLY_KEYS.filter((k) => k in raw);
  const implicitAgentSpec =
    !('apiVersion' in raw) &&
    !partial &&
    (agentSpecKeys.length > 0 || (!!raw.tools && typeof raw.tools === 'object' && !Array.isArray(raw.tools)));
  if (!('apiVersion' in raw) && !implicitAgentSpec)
    return { raw, at: sourceLocator(source), kind: partial ? 'subagent' : 'agent' };
  if (!implicitAgentSpec && raw.apiVersion !== 'agent/v1') {
    s.diagnostics.push({
      severity: 'error',
      code: 'MANIFEST_DIALECT',
      message: `unknown apiVersion ${JSON.stringify(raw.apiVersion)}; AgentSpec manifests use apiVersion: agent/v1 (or drop apiVersion for the AgentLang dialect)`,
      file: entry,
      ...source.locate(['apiVersion']),
      path: '/apiVersion',
      expected: '"agent/v1"',
      found: source.sourceOf(['apiVersion']) ?? String(raw.apiVersion),
    });
    failLoad(label, s.diagnostics);
  }
  if (implicitAgentSpec) {
    const why = agentSpecKeys.length
      ? `its AgentSpec key${agentSpecKeys.length > 1 ? 's' : ''} ${agentSpecKeys.join(', ')}`
      : 'its tools: { mcp, native } mapping';
    s.diagnostics.push({
      severity: 'warning',
      code: 'MANIFEST_DIALECT',
      message: `${entry} has no apiVersion but ${why}: read as an AgentSpec manifest (apiVersion: agent/v1); add \`apiVersion: agent/v1\` to say so`,
      file: entry,
      ...source.locate([]),
      path: '',
      expected: 'apiVersion: agent/v1',
      found: 'no apiVersion',
    });
  }
  return readAgentSpec(s, source, entry);
}

/** Resolves an AgentSpec document's `base:` chain into one merged document, validating every base on its own. */
async function readAgentSpec(s: LoadSession, source: YamlSource, entry: string): Promise<DialectDocument> {
  const resolveBase = s.options.resolveBase;
  const fetchBase = resolveBase
    ? async (reference: string): Promise<YamlSource | { error: string }> => {
        try {
          const { text } = await resolveBase(reference);
          return s.parseYaml(reference, text);
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
  return { raw: withAgentSpecDefaults(inherited.merged), at: inherited.locator, kind: 'agentspec' };
}
