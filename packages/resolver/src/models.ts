import { readFileSync } from 'node:fs';
import type { ModelSpec } from '@agentlang/manifest';
import { parseYaml, SafeYamlError } from '@agentlang/safe-yaml';
import { ResolveError } from './errors.js';
import type { ModelCapabilities } from './plan.js';

/** A model catalog entry: capabilities without the `known` flag. */
export type ModelEntry = Omit<ModelCapabilities, 'known'>;

const m = (
  provider: string,
  contextWindow: number,
  supportsTools: boolean,
  supportsVision: boolean,
  price?: [input: number, output: number],
): ModelEntry => ({
  provider,
  contextWindow,
  supportsTools,
  supportsVision,
  ...(price ? { price: { inputPerMTok: price[0], outputPerMTok: price[1] } } : {}),
});

/**
 * The built-in model catalog. A key ending in `/*` matches every id with that prefix
 * (`test-echo/*` covers `test-echo/demo`). Extend it with a file (see {@link loadModelCatalog}).
 *
 * Prices are the providers' published **list prices** in USD per million tokens (standard tier,
 * uncached input / output, short prompts) as of 2025: an estimate for the harness's cost budget,
 * not a bill. A host with other terms sets its own in its catalog (`input_usd_per_mtok`,
 * `output_usd_per_mtok`). Local models have none.
 */
export const BUILTIN_MODELS: Readonly<Record<string, ModelEntry>> = Object.freeze({
  'claude-opus-4': m('anthropic', 200_000, true, true, [15, 75]),
  'claude-opus-4-1': m('anthropic', 200_000, true, true, [15, 75]),
  'claude-sonnet-4': m('anthropic', 200_000, true, true, [3, 15]),
  'claude-sonnet-4-5': m('anthropic', 200_000, true, true, [3, 15]),
  'claude-3-7-sonnet': m('anthropic', 200_000, true, true, [3, 15]),
  'claude-3-5-haiku': m('anthropic', 200_000, true, false, [0.8, 4]),
  'claude-haiku-4-5': m('anthropic', 200_000, true, true, [1, 5]),
  'gpt-4o': m('openai', 128_000, true, true, [2.5, 10]),
  'gpt-4o-mini': m('openai', 128_000, true, true, [0.15, 0.6]),
  'gpt-4.1': m('openai', 1_047_576, true, true, [2, 8]),
  'gpt-5': m('openai', 400_000, true, true, [1.25, 10]),
  o3: m('openai', 200_000, true, true, [2, 8]),
  'o4-mini': m('openai', 200_000, true, true, [1.1, 4.4]),
  'gemini-2.5-pro': m('google', 1_048_576, true, true, [1.25, 10]),
  'gemini-2.5-flash': m('google', 1_048_576, true, true, [0.3, 2.5]),
  'llama3.1': m('ollama', 128_000, true, false),
  'llama3.2': m('ollama', 128_000, true, false),
  'qwen2.5-coder': m('ollama', 32_768, true, false),
  'mistral-nemo': m('ollama', 128_000, true, false),
  'test-echo/*': { provider: 'test-echo', supportsTools: false, supportsVision: false },
});

/**
 * AgentSpec's provider prefixes (`claude/claude-sonnet-4`), each to the provider whose runtime
 * drives it: `claude/`, `anthropic/` → anthropic; `gemini/`, `google/` → google; `openai/` → openai;
 * `local/`, `ollama/` → ollama; `opencode/`, `cursor/`, `goose/`, `aider/` → that runtime itself.
 */
export const PROVIDER_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  claude: 'anthropic',
  anthropic: 'anthropic',
  gemini: 'google',
  google: 'google',
  openai: 'openai',
  local: 'ollama',
  ollama: 'ollama',
  opencode: 'opencode',
  cursor: 'cursor',
  goose: 'goose',
  aider: 'aider',
  'test-echo': 'test-echo',
});

/** Providers that run on this machine (no hosted model endpoint): the only ones a `network: none` agent may use. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'test-echo']);

/**
 * AgentSpec's capability tiers (`model.capability`, `model.fallback`) and the models each stands
 * for, in the order tried — AgentSpec's own defaults.
 */
export const CAPABILITY_TIERS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'reasoning-max': ['claude/claude-opus-4-6', 'openai/o3', 'gemini/gemini-2.5-pro'],
  'reasoning-high': ['claude/claude-sonnet-4-6', 'openai/o3', 'gemini/gemini-2.5-pro'],
  'reasoning-mid': ['claude/claude-haiku-4-5', 'openai/gpt-4o', 'gemini/gemini-2.0-flash', 'local/llama3:70b'],
  'reasoning-low': ['local/llama3:8b', 'local/mistral:7b'],
});

/** `claude/claude-sonnet-4` → `claude-sonnet-4` for a known routing prefix; other ids unchanged. */
export function stripProviderPrefix(id: string): string {
  const slash = id.indexOf('/');
  return slash > 0 && Object.hasOwn(PROVIDER_PREFIXES, id.slice(0, slash)) && id.slice(0, slash) !== 'test-echo'
    ? id.slice(slash + 1)
    : id;
}

/** Looks a model id up in a catalog (exact key first, then the longest matching `prefix/*`, then without a routing prefix). */
export function lookupModel(catalog: Readonly<Record<string, ModelEntry>>, id: string): ModelEntry | undefined {
  if (Object.hasOwn(catalog, id)) return catalog[id];
  const bare = stripProviderPrefix(id);
  if (bare !== id) {
    const found = lookupModel(catalog, bare);
    if (found) return found;
  }
  let best: string | undefined;
  for (const key of Object.keys(catalog)) {
    if (key.endsWith('/*') && id.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length))
      best = key;
  }
  return best === undefined ? undefined : catalog[best];
}

function entryFrom(file: string, id: string, raw: unknown): ModelEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ResolveError('RESOLVE_CATALOG_INVALID', `model catalog ${file}: models.${id} must be a mapping`, {
      details: { file, model: id },
    });
  }
  const r = raw as Record<string, unknown>;
  const entry: ModelEntry = {};
  const check = (key: string, type: 'string' | 'number' | 'boolean') => {
    if (r[key] !== undefined && typeof r[key] !== type) {
      throw new ResolveError(
        'RESOLVE_CATALOG_INVALID',
        `model catalog ${file}: models.${id}.${key} must be a ${type}, found ${JSON.stringify(r[key])}`,
        {
          details: { file, model: id, key },
        },
      );
    }
    return r[key];
  };
  const provider = check('provider', 'string');
  const contextWindow = check('context_window', 'number');
  const supportsTools = check('supports_tools', 'boolean');
  const supportsVision = check('supports_vision', 'boolean');
  if (provider !== undefined) entry.provider = provider as string;
  if (contextWindow !== undefined) entry.contextWindow = contextWindow as number;
  if (supportsTools !== undefined) entry.supportsTools = supportsTools as boolean;
  if (supportsVision !== undefined) entry.supportsVision = supportsVision as boolean;
  const input = check('input_usd_per_mtok', 'number') as number | undefined;
  const output = check('output_usd_per_mtok', 'number') as number | undefined;
  if (
    (input === undefined) !== (output === undefined) ||
    (input !== undefined &&
      !(input >= 0 && (output as number) >= 0 && Number.isFinite(input) && Number.isFinite(output)))
  ) {
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `model catalog ${file}: models.${id} needs both input_usd_per_mtok and output_usd_per_mtok, each a number ≥ 0 (e.g. 3 and 15), found ${JSON.stringify(input)} and ${JSON.stringify(output)}`,
      {
        details: { file, model: id, key: input === undefined ? 'input_usd_per_mtok' : 'output_usd_per_mtok' },
      },
    );
  }
  if (input !== undefined && output !== undefined) entry.price = { inputPerMTok: input, outputPerMTok: output };
  return entry;
}

/**
 * Reads a user model catalog (`agentlang.models/v1`, JSON or YAML):
 * `{ schema: agentlang.models/v1, models: { <id>: { provider, context_window, supports_tools, supports_vision, input_usd_per_mtok, output_usd_per_mtok } } }`.
 */
export function loadModelCatalog(file: string): Record<string, ModelEntry> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { file });
  } catch (cause) {
    // A YAML problem is located (`models.yaml:3:1: duplicate key "gpt-4o"`); an fs error is not.
    const yaml = cause instanceof SafeYamlError ? cause : undefined;
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `model catalog ${yaml ? yaml.message : `${file} cannot be read: ${(cause as Error).message}`}`,
      {
        cause,
        details: { file, ...(yaml && { line: yaml.details.line, column: yaml.details.column }) },
      },
    );
  }
  const d = doc as { schema?: unknown; models?: unknown } | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    d.schema !== 'agentlang.models/v1' ||
    typeof d.models !== 'object' ||
    d.models === null
  ) {
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `model catalog ${file} must be a mapping with "schema: agentlang.models/v1" and a "models" mapping`,
      { details: { file } },
    );
  }
  const out: Record<string, ModelEntry> = {};
  for (const [id, raw] of Object.entries(d.models as Record<string, unknown>)) out[id] = entryFrom(file, id, raw);
  return out;
}

/** Infers a provider from a model id when neither the manifest nor a catalog names one. */
export function inferProvider(id: string): string | undefined {
  const slash = id.indexOf('/');
  if (slash > 0 && Object.hasOwn(PROVIDER_PREFIXES, id.slice(0, slash))) return PROVIDER_PREFIXES[id.slice(0, slash)];
  if (/^claude/.test(id)) return 'anthropic';
  if (/^(gpt|o\d|codex|chatgpt)/.test(id)) return 'openai';
  if (/^gemini/.test(id)) return 'google';
  if (/^(ollama\/|llama|qwen|mistral|phi|gemma|deepseek)/.test(id)) return 'ollama';
  return slash > 0 ? id.slice(0, slash) : undefined;
}

/** Capabilities of every declared model, in declaration order, with warnings for unknown ones. */
export function resolveModels(
  models: readonly ModelSpec[],
  catalog: Readonly<Record<string, ModelEntry>>,
): { models: Record<string, ModelCapabilities>; unknown: string[] } {
  const out: Record<string, ModelCapabilities> = {};
  const unknown: string[] = [];
  for (const spec of models) {
    const entry = lookupModel(catalog, spec.id);
    // A routing prefix (`local/llama3`) names the provider outright; otherwise manifest, catalog, inference.
    const slash = spec.id.indexOf('/');
    const prefixed =
      slash > 0 && Object.hasOwn(PROVIDER_PREFIXES, spec.id.slice(0, slash))
        ? PROVIDER_PREFIXES[spec.id.slice(0, slash)]
        : undefined;
    const provider = spec.provider ?? prefixed ?? entry?.provider ?? inferProvider(spec.id);
    if (entry) out[spec.id] = { ...entry, ...(provider ? { provider } : {}), known: true };
    else {
      unknown.push(spec.id);
      out[spec.id] = { ...(provider ? { provider } : {}), known: false };
    }
  }
  return { models: out, unknown };
}
