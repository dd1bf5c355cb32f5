import { ResolveError } from './errors.js';
import { didYouMean, suggest } from './located.js';
import type { ModelCapabilities, ResolvedRuntime } from './plan.js';
import { findOnPath, findRuntime, RUNTIMES, type RuntimeInfo } from './runtimes.js';

/** The runtime and model chosen for a plan, with the reasons. */
export interface RuntimeSelection {
  runtime: ResolvedRuntime;
  info: RuntimeInfo;
  model: string | null;
  provider: string | undefined;
  decisions: string[];
}

function locate(info: RuntimeInfo, env: NodeJS.ProcessEnv, cache: Map<string, string | undefined>): ResolvedRuntime {
  if (!cache.has(info.binary)) cache.set(info.binary, findOnPath(info.binary, env));
  const path = cache.get(info.binary);
  return { name: info.name, binary: info.binary, ...(path ? { path } : {}), available: path !== undefined };
}

function known(name: string, where: string): RuntimeInfo {
  const info = findRuntime(name);
  if (!info) {
    const near = suggest(name, RUNTIMES.map((r) => r.name));
    throw new ResolveError(
      'RESOLVE_RUNTIME_UNKNOWN',
      `unknown runtime "${name}" (from ${where})${didYouMean(near)}; known runtimes: ${RUNTIMES.map((r) => r.name).join(', ')}`,
      { details: { runtime: name, from: where, known: RUNTIMES.map((r) => r.name), ...(near ? { suggestion: near } : {}) } },
    );
  }
  return info;
}

/**
 * Picks the runtime: `--runtime` override, else the manifest's `runtime`, else the first
 * installed runtime able to drive a declared model (models in declaration order), else the first
 * candidate (reported missing). The model is the first declared one the runtime can drive.
 */
export function selectRuntime(input: {
  override?: string;
  declared?: string;
  models: Record<string, ModelCapabilities>;
  env: NodeJS.ProcessEnv;
}): RuntimeSelection {
  const cache = new Map<string, string | undefined>();
  const decisions: string[] = [];
  const modelIds = Object.keys(input.models);
  const modelFor = (info: RuntimeInfo) => modelIds.find((id) => info.providers.includes(input.models[id]?.provider ?? ''));
  const finish = (info: RuntimeInfo, model: string | undefined): RuntimeSelection => {
    const runtime = locate(info, input.env, cache);
    decisions.push(
      runtime.available
        ? `runtime ${info.name}: binary \`${info.binary}\` found at ${runtime.path}`
        : `runtime ${info.name}: binary \`${info.binary}\` not found on PATH`,
    );
    const chosen = model ?? modelIds[0] ?? null;
    if (chosen && !model) decisions.push(`model ${chosen}: runtime ${info.name} drives none of the declared models' providers; using the first declared`);
    else if (chosen) decisions.push(`model ${chosen}: first declared model that ${info.name} can drive`);
    else decisions.push('model: none declared');
    return { runtime, info, model: chosen, provider: chosen ? input.models[chosen]?.provider : info.providers[0], decisions };
  };

  if (input.override) {
    const info = known(input.override, '--runtime');
    decisions.push(`runtime ${info.name}: requested with --runtime`);
    return finish(info, modelFor(info));
  }
  if (input.declared) {
    const info = known(input.declared, 'the manifest\'s "runtime"');
    decisions.push(`runtime ${info.name}: declared by the manifest's "runtime"`);
    return finish(info, modelFor(info));
  }
  const candidates: Array<{ info: RuntimeInfo; model: string }> = [];
  for (const id of modelIds) {
    const provider = input.models[id]?.provider;
    for (const info of RUNTIMES) if (provider && info.providers.includes(provider)) candidates.push({ info, model: id });
  }
  if (candidates.length > 0) {
    const installed = candidates.find((c) => locate(c.info, input.env, cache).available);
    const pick = installed ?? candidates[0]!;
    decisions.push(
      installed
        ? `runtime ${pick.info.name}: first installed runtime for model ${pick.model} (provider ${input.models[pick.model]?.provider}); tried ${[...new Set(candidates.map((c) => c.info.name))].join(', ')}`
        : `runtime ${pick.info.name}: preferred for model ${pick.model}, but no candidate is installed (${[...new Set(candidates.map((c) => c.info.name))].join(', ')})`,
    );
    const s = finish(pick.info, pick.model);
    return s;
  }
  const general = RUNTIMES.filter((r) => r.name !== 'test-echo');
  const installed = general.find((r) => locate(r, input.env, cache).available);
  const pick = installed ?? general[0]!;
  decisions.push(
    installed
      ? `runtime ${pick.name}: no runtime or model with a known provider declared; first installed of ${general.map((r) => r.name).join(', ')}`
      : `runtime ${pick.name}: no runtime or model with a known provider declared and none of ${general.map((r) => r.name).join(', ')} is installed`,
  );
  return finish(pick, modelFor(pick));
}
