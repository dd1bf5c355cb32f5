// The subpath only: a constant, none of the harness's code (the resolver stays light to load).
import { HARNESS_VERSION } from '@agentlang/harness/version';
import { findOnPath } from '@agentlang/utils';
import { ResolveError } from './errors.js';
import { didYouMean, suggest } from './located.js';
import type { ModelCapabilities, ResolvedRuntime } from './plan.js';
import { LOCAL_PROVIDERS } from './models.js';
import { detectAuth, findRuntime, RUNTIMES, type RuntimeInfo } from './runtimes.js';

/** The runtime and model chosen for a plan, with the reasons. */
export interface RuntimeSelection {
  runtime: ResolvedRuntime;
  info: RuntimeInfo;
  model: string | null;
  provider: string | undefined;
  decisions: string[];
  /** Problems worth a `Warning:` line (an explicit hosted runtime for a `network: none` agent). */
  warnings: string[];
  /** Set when the model came from a fallback tier rather than the declared models. */
  fallbackModel?: { id: string; capabilities: ModelCapabilities };
}

/** Versions of the runtimes built into AgentLang, by runtime name. */
const BUILTIN_VERSIONS: Record<string, string> = { harness: HARNESS_VERSION };

function locate(info: RuntimeInfo, env: NodeJS.ProcessEnv, cache: Map<string, string | undefined>): ResolvedRuntime {
  if (info.builtin) {
    const version = BUILTIN_VERSIONS[info.name];
    return { name: info.name, binary: info.binary, available: true, ...(version !== undefined && { version }) };
  }
  if (!cache.has(info.binary)) cache.set(info.binary, findOnPath(info.binary, env.PATH));
  const path = cache.get(info.binary);
  return { name: info.name, binary: info.binary, ...(path ? { path } : {}), available: path !== undefined };
}

function known(name: string, where: string): RuntimeInfo {
  const info = findRuntime(name);
  if (!info) {
    const near = suggest(
      name,
      RUNTIMES.map((r) => r.name),
    );
    throw new ResolveError(
      'RESOLVE_RUNTIME_UNKNOWN',
      `unknown runtime "${name}" (from ${where})${didYouMean(near)}; known runtimes: ${RUNTIMES.map((r) => r.name).join(', ')}`,
      {
        details: {
          runtime: name,
          from: where,
          known: RUNTIMES.map((r) => r.name),
          ...(near ? { suggestion: near } : {}),
        },
      },
    );
  }
  return info;
}

/** Where a runtime named by the host comes from (`AGENTSPEC_RUNTIME` is read as this by the CLI). */
export const HOST_RUNTIME_ENV = 'AGENTLANG_RUNTIME';

/**
 * Picks the runtime: `--runtime` override, else the manifest's `runtime`, else the host's
 * (`AGENTLANG_RUNTIME`), else — for an AgentLang-dialect agent with a model it can drive — the
 * built-in harness, so the agent runs the same way on every host; else the first installed runtime
 * able to drive a declared model (models in declaration order), else the first candidate (reported
 * missing). The model is the first declared one the runtime can drive.
 */
export function selectRuntime(input: {
  override?: string;
  declared?: string;
  /** The runtime the host configuration names (`AGENTLANG_RUNTIME`); below `declared`, above the defaults. */
  host?: string;
  /** The manifest's dialect: an `agentlang` agent that names no runtime runs on the built-in harness. */
  dialect?: 'agentlang' | 'agentspec';
  models: Record<string, ModelCapabilities>;
  env: NodeJS.ProcessEnv;
  /**
   * Models tried after the declared ones when none of those can run here (AgentSpec `model.fallback`
   * / `model.capability` tiers), in order; one is chosen only when a runtime for it is installed and has credentials.
   */
  fallback?: Record<string, ModelCapabilities>;
  /** `trust.network: none`: only local providers (ollama, test-echo) may be chosen — never a hosted model. */
  localOnly?: boolean;
}): RuntimeSelection {
  const cache = new Map<string, string | undefined>();
  const decisions: string[] = [];
  const isLocal = (id: string) =>
    LOCAL_PROVIDERS.has(input.models[id]?.provider ?? input.fallback?.[id]?.provider ?? '');
  let modelIds = Object.keys(input.models);
  const warnings: string[] = [];
  const modelFor = (info: RuntimeInfo) =>
    modelIds.find((id) => info.providers.includes(input.models[id]?.provider ?? ''));
  const finish = (info: RuntimeInfo, model: string | undefined): RuntimeSelection => {
    const runtime = locate(info, input.env, cache);
    decisions.push(
      info.builtin
        ? `runtime ${info.name}: built in (runs in-process, no binary)`
        : runtime.available
          ? `runtime ${info.name}: binary \`${info.binary}\` found at ${runtime.path}`
          : `runtime ${info.name}: binary \`${info.binary}\` not found on PATH`,
    );
    const chosen = model ?? modelIds[0] ?? null;
    if (chosen && !model)
      decisions.push(
        `model ${chosen}: runtime ${info.name} drives none of the declared models' providers; using the first declared`,
      );
    else if (chosen && !(chosen in input.models))
      decisions.push(`model ${chosen}: from the fallback tier, driven by ${info.name}`);
    else if (chosen) decisions.push(`model ${chosen}: first declared model that ${info.name} can drive`);
    else decisions.push('model: none declared');
    return {
      runtime,
      info,
      model: chosen,
      provider: chosen ? input.models[chosen]?.provider : info.providers[0],
      decisions,
      warnings,
    };
  };

  const unroutable = (why: string): never => {
    throw new ResolveError(
      'RESOLVE_MODEL_UNROUTABLE',
      `${why}; trust.network is none, so the agent may only run on a local model — declare one under model.preferred (e.g. local/llama3.2) and run with ollama, or widen trust.network`,
      { details: { localProviders: [...LOCAL_PROVIDERS] } },
    );
  };
  // A runtime named explicitly is the author's or the caller's choice, not routing: it stands, with a warning.
  const mustBeLocal = (info: RuntimeInfo, from: string) => {
    if (input.localOnly && !info.providers.some((p) => LOCAL_PROVIDERS.has(p))) {
      warnings.push(
        `trust.network is none, but runtime ${info.name} (${from}) reaches a hosted model; automatic routing would have kept this agent on a local model`,
      );
    }
  };
  if (input.override) {
    const info = known(input.override, '--runtime');
    mustBeLocal(info, '--runtime');
    decisions.push(`runtime ${info.name}: requested with --runtime`);
    return finish(info, modelFor(info));
  }
  if (input.declared) {
    const info = known(input.declared, 'the manifest\'s "runtime"');
    mustBeLocal(info, 'the manifest\'s "runtime"');
    decisions.push(`runtime ${info.name}: declared by the manifest's "runtime"`);
    return finish(info, modelFor(info));
  }
  if (input.host) {
    const info = known(input.host, `the host configuration (${HOST_RUNTIME_ENV})`);
    mustBeLocal(info, HOST_RUNTIME_ENV);
    decisions.push(`runtime ${info.name}: named by the host configuration (${HOST_RUNTIME_ENV})`);
    return finish(info, modelFor(info));
  }
  // Routing proper: with trust.network none, a hosted model is never chosen.
  if (input.localOnly) {
    const hosted = modelIds.filter((id) => !isLocal(id));
    if (hosted.length > 0)
      decisions.push(`models ${hosted.join(', ')}: skipped, trust.network is none (a hosted model is never chosen)`);
    modelIds = modelIds.filter(isLocal);
  }
  // An AgentLang agent's default is the built-in loop, whatever CLIs this host has installed. It
  // speaks only the OpenAI and Anthropic protocols: an agent with no such model is routed as before.
  if (input.dialect === 'agentlang') {
    const builtin = RUNTIMES.find((r) => r.builtin)!;
    const model = modelFor(builtin);
    if (model) {
      decisions.push(
        `runtime ${builtin.name}: the default for an AgentLang agent that names no runtime (external CLIs run when chosen: --runtime, ${HOST_RUNTIME_ENV} or runtime:)`,
      );
      return finish(builtin, model);
    }
    decisions.push(
      `runtime ${builtin.name}: not the default here, it drives only ${builtin.providers.join(' and ')} models and ${modelIds.length > 0 ? `none of ${modelIds.join(', ')} is one` : 'no model is declared'}; routing instead`,
    );
  }
  const candidatesOf = (ids: readonly string[], caps: Record<string, ModelCapabilities>) => {
    const out: Array<{ info: RuntimeInfo; model: string; provider: string }> = [];
    for (const id of ids) {
      const provider = caps[id]?.provider;
      for (const info of RUNTIMES)
        if (!info.builtin && provider && info.providers.includes(provider)) out.push({ info, model: id, provider });
    }
    return out;
  };
  // Usable = binary installed and credentials present (an API key, the CLI's own login, or local):
  // AgentSpec skips a preferred model whose runtime is missing or unauthenticated.
  const usable = (c: { info: RuntimeInfo; provider: string }) =>
    locate(c.info, input.env, cache).available && detectAuth(c.info, c.provider, input.env).missing === undefined;
  const candidates = candidatesOf(modelIds, input.models);
  const fallbackIds = Object.keys(input.fallback ?? {}).filter((id) => !input.localOnly || isLocal(id));
  const fallbacks = candidatesOf(fallbackIds, input.fallback ?? {});
  if (candidates.length > 0 || fallbacks.length > 0) {
    const tried = [...new Set([...candidates, ...fallbacks].map((c) => c.info.name))].join(', ');
    const ready = candidates.find(usable);
    const installed = ready ?? candidates.find((c) => locate(c.info, input.env, cache).available);
    const tier = ready || installed ? undefined : fallbacks.find(usable);
    const pick = ready ?? installed ?? tier ?? candidates[0] ?? fallbacks[0]!;
    const caps = (id: string) => input.models[id] ?? input.fallback?.[id];
    decisions.push(
      ready
        ? `runtime ${pick.info.name}: first installed and authenticated runtime for model ${pick.model} (provider ${pick.provider}); tried ${tried}`
        : installed
          ? `runtime ${pick.info.name}: first installed runtime for model ${pick.model} (provider ${pick.provider}), credentials missing; tried ${tried}`
          : tier
            ? `runtime ${pick.info.name}: no declared model can run here; fallback tier model ${pick.model} (provider ${pick.provider})`
            : `runtime ${pick.info.name}: preferred for model ${pick.model}, but no candidate is installed (${tried})`,
    );
    if (tier) {
      const s = finish(pick.info, pick.model);
      return {
        ...s,
        provider: caps(pick.model)?.provider ?? s.provider,
        fallbackModel: { id: pick.model, capabilities: caps(pick.model)! },
      };
    }
    return finish(pick.info, pick.model);
  }
  if (input.localOnly)
    unroutable(
      `no local model is declared${Object.keys(input.models).length > 0 ? ` (declared: ${Object.keys(input.models).join(', ')})` : ''}`,
    );
  const general = RUNTIMES.filter((r) => r.name !== 'test-echo' && !r.builtin);
  const installed = general.find((r) => locate(r, input.env, cache).available);
  const pick = installed ?? general[0]!;
  decisions.push(
    installed
      ? `runtime ${pick.name}: no runtime or model with a known provider declared; first installed of ${general.map((r) => r.name).join(', ')}`
      : `runtime ${pick.name}: no runtime or model with a known provider declared and none of ${general.map((r) => r.name).join(', ')} is installed`,
  );
  return finish(pick, modelFor(pick));
}
