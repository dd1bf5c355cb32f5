import { relative as relativePath, resolve as resolvePath, sep } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import { createBuiltinToolSource } from './builtin-tools.js';
import { type SubAgentLoader, resolveSubAgents } from './delegation.js';
import { checkDependencies, type DependencyOutcome } from './dependencies.js';
import { agentEnvironment, assertEnvConsent, envConsentRequired } from './env-template.js';
import { ResolveError } from './errors.js';
import { withPosition } from './located.js';
import { formatDiagnostic } from '@agentlang/manifest';
import { getHostProfile, type HostProfile } from './host-profiles.js';
import { createLocalCatalogSource } from './local-catalog.js';
import { assertNoArgvTemplates, probeMcpServer } from './mcp.js';
import {
  BUILTIN_MODELS,
  CAPABILITY_TIERS,
  LOCAL_PROVIDERS,
  loadModelCatalog,
  type ModelEntry,
  resolveModels,
} from './models.js';
import { checkPermissions } from './permissions.js';
import type { ModelCapabilities, ResolvedMcpServer, ResolvedPlan, ResolvedTool } from './plan.js';
import { type ProbeExecutor, probeAgentOf } from './probe-executor.js';
import { detectAuth } from './runtimes.js';
import { HOST_RUNTIME_ENV, selectRuntime } from './select-runtime.js';
import { fileRoles } from './file-roles.js';
import { promptTargetFor, systemPromptDigest, systemPromptDigests } from './system-prompt.js';
import type { ToolSource } from './tool-definition.js';
import { resolveTool } from './tools.js';

/** Options of {@link resolvePlan}. Every field is optional; defaults resolve against this machine. */
export interface ResolveOptions {
  /** Environment read for PATH, credentials (by name) and `{{.env.X}}` templates (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Unknown models and anything missing become errors. */
  strict?: boolean;
  /** Runtime override (`--runtime`), wins over the manifest. */
  runtime?: string;
  /** Local tool catalog directories (`<dir>/<tool>/<version>.json`), searched before the built-in catalog. */
  toolCatalogs?: string[];
  /** Further tool sources (a registry), searched after local catalogs and before the built-in catalog. */
  toolSources?: ToolSource[];
  /** Extra models: a path to an `agentlang.models/v1` file, or entries keyed by model id (default: the file named by `AGENTLANG_MODELS`, if set). */
  modelCatalog?: string | Record<string, ModelEntry>;
  /** Host capability profile: a built-in name (default `raw-os`), a profile file path, or an object. */
  hostProfile?: string | HostProfile;
  /**
   * Runs the agent's dependency checks and MCP servers (the runner's `createSandboxProbeExecutor`
   * runs them inside the agent's sandbox). Without one nothing is spawned: checks are reported
   * `not run` and MCP servers unprobed — resolving is inspection.
   */
  probeExecutor?: ProbeExecutor;
  /** Probe MCP servers through the executor to list and digest their tools (default true; needs `probeExecutor`). */
  probeMcp?: boolean;
  /**
   * Called with the plan as far as it is known without running anything (MCP servers unprobed,
   * dependency checks not run), before the executor starts anything. Throwing (a lock that has
   * drifted under `--frozen`) stops the resolution with nothing spawned.
   */
  beforeProbe?: (plan: ResolvedPlan) => void | Promise<void>;
  /** Host variables the user allowed a packed agent's `{{.env.X}}` templates to read (`--allow-env`). */
  allowEnv?: readonly string[];
  /** Require consent for template-read variables (default: when the agent did not come from a directory or YAML file on disk). */
  requireEnvConsent?: boolean;
  /** Budget per MCP server for start + initialize + tools/list (default 15000 ms). */
  mcpTimeoutMs?: number;
  /** Budget per dependency `check` command (default 10000 ms). */
  checkTimeoutMs?: number;
  /** Loads a sub-agent manifest by absolute path (default: @agentlang/manifest `loadSubAgent` from the root agent's own source). */
  loadSubAgent?: SubAgentLoader;
}

/**
 * Sub-agents are read from where the root agent came from (@agentlang/manifest `loadSubAgent`): the
 * disk for a directory or file, the agent's own verified files for one loaded from memory (a
 * container) — never a host path that merely looks like the container's root.
 */
function defaultLoaderFor(agent: LoadedAgent): SubAgentLoader {
  return async (path) => {
    const { loadSubAgent } = await import('@agentlang/manifest');
    return loadSubAgent(agent, relativePath(agent.source.root, path).split(sep).join('/'));
  };
}

/**
 * AgentSpec capability tiers as fallback models: `model.fallback`'s tier, or `model.capability`'s
 * when no model is preferred at all (AgentSpec: preferred first, then the fallback tier).
 */
function tierModels(
  m: LoadedAgent['manifest'],
  catalog: Record<string, ModelEntry>,
): { fallback?: Record<string, ModelCapabilities> } {
  const tier = m.modelTiers?.fallback ?? (m.models.length === 0 ? m.modelTiers?.capability : undefined);
  const ids = tier ? (CAPABILITY_TIERS[tier] ?? []) : [];
  if (ids.length === 0) return {};
  return {
    fallback: resolveModels(
      ids.map((id) => ({ id })),
      catalog,
    ).models,
  };
}

/** The document path where model `id` is declared: `models.<id>` (AgentLang) or `model.preferred[i]` (AgentSpec). */
function modelPath(agent: LoadedAgent, id: string): (string | number)[] {
  if (agent.manifest.dialect === 'agentlang') return ['models', id];
  const index = agent.manifest.models.findIndex((x) => x.id === id);
  return index >= 0 ? ['model', 'preferred', index] : ['model'];
}

/** `{ os, arch }` in the spelling of seed 000 (`linux`, `x86_64`). */
export function hostInfo(): { os: string; arch: string } {
  const arch =
    process.arch === 'x64'
      ? 'x86_64'
      : process.arch === 'arm64' && process.platform === 'linux'
        ? 'aarch64'
        : process.arch;
  return { os: process.platform, arch };
}

async function inOrder<T>(tasks: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function inOrderTuple<T extends readonly unknown[]>(tasks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  return (await inOrder(tasks as unknown as Array<Promise<unknown>>)) as unknown as T;
}

/**
 * Resolves an agent against this host into a {@link ResolvedPlan}: tool versions, model
 * capabilities, runtime and auth source, probed MCP servers, dependency checks, permissions,
 * the delegation graph and the system prompt's digest. Writes nothing; spawns only MCP servers
 * (always stopped again) and dependency checks.
 */
export async function resolvePlan(agent: LoadedAgent, options: ResolveOptions = {}): Promise<ResolvedPlan> {
  const env = options.env ?? process.env;
  const m = agent.manifest;
  const decisions: string[] = [];
  const warnings: string[] = [];
  const missing: string[] = [];
  const root = agent.source.kind === 'memory' ? undefined : agent.source.root;

  // Models and runtime first: cheap, and they decide the prompt target.
  const catalog: Record<string, ModelEntry> = { ...BUILTIN_MODELS };
  const modelFile = options.modelCatalog ?? (env.AGENTLANG_MODELS ? env.AGENTLANG_MODELS : undefined);
  if (typeof modelFile === 'string') {
    Object.assign(catalog, loadModelCatalog(modelFile));
    decisions.push(`models: catalog extended from ${modelFile}`);
  } else if (modelFile) Object.assign(catalog, modelFile);
  // What the loader warned about (an unknown key such as `verison:` silently changes meaning) is
  // repeated here, located, so `resolve` and `lock` show it; strict mode refuses it.
  const manifestWarnings = agent.warnings.map((w) => formatDiagnostic(w));
  if (options.strict && manifestWarnings.length > 0) {
    const first = agent.warnings[0]!;
    throw new ResolveError(
      'RESOLVE_MANIFEST_WARNING',
      `${m.name} has ${manifestWarnings.length} manifest warning${manifestWarnings.length === 1 ? '' : 's'}, which strict mode refuses:\n  ${manifestWarnings.join('\n  ')}`,
      {
        details: {
          file: first.file,
          line: first.line,
          column: first.column,
          path: first.path,
          warnings: agent.warnings,
        },
      },
    );
  }
  warnings.push(...manifestWarnings);
  const { models, unknown } = resolveModels(m.models, catalog);
  for (const id of unknown) {
    if (options.strict) {
      throw withPosition(
        new ResolveError(
          'RESOLVE_MODEL_UNKNOWN',
          `model ${id} is in no model catalog (strict mode); add it to an agentlang.models/v1 file and pass it as the model catalog, or fix the id`,
          { details: { model: id } },
        ),
        agent,
        modelPath(agent, id),
        { key: m.dialect === 'agentlang' },
      );
    }
    warnings.push(`model ${id} is in no model catalog; its capabilities are unknown`);
  }
  for (const [id, caps] of Object.entries(models)) {
    if (caps.known)
      decisions.push(
        `model ${id}: ${caps.provider ?? 'unknown provider'}, context ${caps.contextWindow ?? '?'}, tools ${caps.supportsTools ?? '?'}`,
      );
  }
  let selection: ReturnType<typeof selectRuntime>;
  try {
    const tiers = tierModels(m, catalog);
    // A "local agent": trust.network none written by its author (not the default) and a local model
    // among its preferred or tier models. Routing never takes it to a hosted model.
    const explicitNone = m.trust?.network === 'none' && (agent.written ? agent.written(['trust', 'network']) : true);
    const hasLocal = [...Object.values(models), ...Object.values(tiers.fallback ?? {})].some((c) =>
      LOCAL_PROVIDERS.has(c.provider ?? ''),
    );
    const host = env[HOST_RUNTIME_ENV] || undefined;
    selection = selectRuntime({
      override: options.runtime,
      declared: m.runtime,
      host,
      dialect: m.dialect,
      models,
      env,
      ...tiers,
      localOnly: explicitNone && hasLocal,
    });
  } catch (error) {
    // A runtime named by the manifest is located there; one from --runtime or the host is the caller's.
    if (error instanceof ResolveError && error.code === 'RESOLVE_RUNTIME_UNKNOWN' && !options.runtime && m.runtime)
      throw withPosition(error, agent, ['runtime']);
    throw error;
  }
  decisions.push(...selection.decisions);
  warnings.push(...selection.warnings);
  if (selection.fallbackModel) models[selection.fallbackModel.id] = selection.fallbackModel.capabilities;
  if (!selection.runtime.available) {
    missing.push(
      `runtime binary \`${selection.runtime.binary}\` (${selection.runtime.name}) not found on PATH; install it or choose another runtime with --runtime`,
    );
  }
  const auth = detectAuth(selection.info, selection.provider, env);
  decisions.push(auth.decision);
  if (auth.missing) missing.push(auth.missing);

  const { profile, label } = getHostProfile(options.hostProfile);
  const perms = checkPermissions(m.permissions, profile, label);
  decisions.push(...perms.decisions);
  warnings.push(...perms.warnings);

  const sources: ToolSource[] = [
    ...(options.toolCatalogs ?? []).map((d) => createLocalCatalogSource(root ? resolvePath(root, d) : d)),
    ...(options.toolSources ?? []),
    createBuiltinToolSource(),
  ];
  // A secret rendered into a command line is readable by every local user: refused for every
  // server, probed or not, before anything else happens.
  for (const s of m.mcpServers) assertNoArgvTemplates(s);
  const executor = options.probeExecutor;
  const probe = options.probeMcp !== false && executor !== undefined;
  const environment = agentEnvironment(m, { runtime: selection.runtime.name, source: auth.source });
  const unprobed = (s: (typeof m.mcpServers)[number]): ResolvedMcpServer => ({
    name: s.name,
    command: s.command,
    args: [...s.args],
    envKeys: Object.keys(s.env).sort(),
    server: { name: '', version: '' },
    protocolVersion: '',
    clientCapabilities: {},
    tools: [],
  });
  // Everything that needs no process first (allSettled-style, so one failure waits for the rest).
  const [toolResults, delegation] = await inOrderTuple([
    inOrder(
      m.tools.map((t, i) =>
        resolveTool(t, sources).catch((error: unknown) => {
          if (!(error instanceof ResolveError)) throw error;
          const onVersion = t.version !== undefined && error.code !== 'RESOLVE_TOOL_UNKNOWN';
          throw withPosition(error, agent, ['tools', i, onVersion ? 'version' : 'name']);
        }),
      ),
    ),
    resolveSubAgents(agent, options.loadSubAgent ?? defaultLoaderFor(agent)),
  ] as const);
  const tools: ResolvedTool[] = toolResults.map((r) => r.tool);
  decisions.push(...toolResults.map((r) => r.decision));
  for (const r of toolResults) warnings.push(...r.warnings);
  decisions.push(...delegation.decisions);
  const promptTarget = promptTargetFor(selection.runtime.name);
  const systemPromptSha256 = systemPromptDigest(agent, promptTarget);
  const assemble = (mcpServers: ResolvedMcpServer[], deps: DependencyOutcome[]): ResolvedPlan => ({
    schema: 'agentlang.plan/v1',
    agent: { name: m.name, ...(m.version ? { version: m.version } : {}), digest: agent.digest, dialect: m.dialect },
    runtime: selection.runtime,
    model: selection.model,
    authSource: auth.source,
    tools,
    models,
    mcpServers,
    dependencies: deps.map((d) => d.dependency),
    permissions: perms.permissions,
    subAgents: delegation.subAgents,
    systemPromptSha256,
    promptTarget,
    systemPromptDigests: {
      ...systemPromptDigests(agent),
      ...(systemPromptSha256 !== null && { [promptTarget]: systemPromptSha256 }),
    },
    files: fileRoles(agent),
    environment,
    ...(m.trust ? { trust: m.trust } : {}),
    host: hostInfo(),
    warnings: [...warnings],
    missing: [...missing],
    decisions: [...decisions],
  });
  const probeAgent = probeAgentOf(agent);
  const notRun = await checkDependencies(m.dependencies, { agent: probeAgent });
  await options.beforeProbe?.(assemble(m.mcpServers.map(unprobed), notRun));
  if (probe && m.mcpServers.length > 0 && (options.requireEnvConsent ?? envConsentRequired(agent))) {
    // Rendering a template hands the host value to the server: a packed agent needs consent first.
    assertEnvConsent(agentEnvironment({ mcpServers: m.mcpServers }), options.allowEnv ?? [], `agent ${m.name}`);
  }
  const [mcpServers, deps] = await inOrderTuple([
    inOrder(
      m.mcpServers.map(async (s): Promise<ResolvedMcpServer> => {
        if (probe)
          return probeMcpServer(s, {
            env,
            executor,
            agent: probeAgent,
            ...(options.mcpTimeoutMs ? { timeoutMs: options.mcpTimeoutMs } : {}),
          });
        warnings.push(
          executor
            ? `MCP server ${s.name} not probed (probing disabled); its tools are not checked`
            : `MCP server ${s.name} not probed (no probe executor: resolving runs nothing); its tools are not checked`,
        );
        return unprobed(s);
      }),
    ),
    executor
      ? checkDependencies(m.dependencies, {
          executor,
          agent: probeAgent,
          ...(options.checkTimeoutMs ? { timeoutMs: options.checkTimeoutMs } : {}),
        })
      : Promise.resolve(notRun),
  ] as const);
  for (const s of mcpServers) {
    if (probe)
      decisions.push(
        `MCP server ${s.name}: ${s.server.name}@${s.server.version}, protocol ${s.protocolVersion}, ${s.tools.length} tool(s) digested (in ${executor!.name})`,
      );
  }
  for (const d of deps) {
    decisions.push(d.decision);
    const dep = m.dependencies.find((x) => x.name === d.dependency.name)!;
    if (!d.dependency.checked)
      warnings.push(`dependency ${dep.name}: \`${dep.check}\` not run (no probe executor: resolving runs nothing)`);
    else if (!d.dependency.present) {
      missing.push(
        `dependency ${dep.name}: \`${dep.check}\` failed${d.dependency.install ? `; install with: ${d.dependency.install}` : `; no install command for ${process.platform} in the manifest`}`,
      );
    }
  }
  decisions.push(
    systemPromptSha256 ? `system prompt: compiled to ${promptTarget}, ${systemPromptSha256}` : 'system prompt: none',
  );

  if (options.strict && missing.length > 0) {
    throw new ResolveError('RESOLVE_MISSING', `cannot resolve ${m.name} (strict mode): ${missing.join('; ')}`, {
      details: { missing },
    });
  }
  return assemble(mcpServers, deps);
}
