import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  type IsolationBackend,
  type IsolationPolicy,
  type PreparedSandbox,
  type SandboxResult,
  type SandboxSummary,
  describeSandbox,
  egressAllowlist,
  formatSandboxLines,
  parseEgressResolve,
  policyFromPermissions,
  policyFromTrust,
  sandboxSettingsFromEnv,
  selectBackend,
  spawnPrepared,
} from '@agentlang/isolation';
import { HARNESS_VERSION } from '@agentlang/harness';
import type { LoadedAgent } from '@agentlang/manifest';
import { assertEnvConsent, envConsentRequired, type ResolvedPlan, templateVariables } from '@agentlang/resolver';
import { findOnPath } from '@agentlang/utils';
import { getAdapter } from './adapters/registry.js';
import {
  HARNESS_EXIT_CODES,
  HARNESS_MODEL_ERROR_EXIT,
  type HarnessRunOptions,
  type HarnessRunSummary,
  runHarness,
} from './run-harness.js';
import type { Invocation, RuntimeAdapter, RuntimeNeeds } from './adapters/types.js';
import { RunnerError } from './errors.js';
import { describeHost, type HostInfo } from './host.js';
import { type ExecutionRecord, RECORD_SCHEMA, type RunOutcome, decideOutcome, formatRecordTime } from './record.js';
import { signRecord } from './record-sign.js';
import { recordsDirFor, writeRecord } from './record-store.js';
import { probeRuntimeVersion, type VersionRunner } from './runtime-version.js';
import { createUlid } from './ulid.js';

/** Launchers that download the package they start (npm, bun, uv, pnpm). */
const DOWNLOADING_LAUNCHERS = new Set(['npx', 'bunx', 'uvx', 'pnpx']);

/** Where adapters' config files go inside the sandbox (a private tmpfs). */
export const SANDBOX_CONFIG_DIR = '/tmp/agentlang-runtime';

/** A byte sink such as `process.stdout`. */
export interface OutputStream {
  write(chunk: Uint8Array | string): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Wraps a sink so a reader that goes away (EPIPE from `agentlang run … | head`) drops the rest of
 * the output instead of crashing the host before it can write the record.
 */
function guardSink(stream: OutputStream | undefined): { write: (chunk: Buffer) => void; release: () => void } {
  if (!stream) return { write: () => {}, release: () => {} };
  let broken = false;
  const onError = () => {
    broken = true;
  };
  stream.on?.('error', onError);
  return {
    write: (chunk) => {
      if (broken) return;
      try {
        stream.write(chunk);
      } catch {
        broken = true;
      }
    },
    release: () => stream.off?.('error', onError),
  };
}

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  /** The loaded agent (manifest for MCP env templates, root for scope paths). */
  agent?: LoadedAgent;
  /** The compiled system prompt (never recorded). */
  systemPrompt?: string | null;
  /** The user's prompt (never recorded). */
  userPrompt?: string;
  /** Run with this runtime instead of the plan's. */
  runtime?: string;
  /** Wall-clock limit in ms (default 600000). */
  timeoutMs?: number;
  /** Run without any sandbox (the explicit `--unsafe-no-isolation`). */
  unsafeNoIsolation?: boolean;
  /** Build everything, spawn nothing, write no record. */
  dryRun?: boolean;
  /** Working directory of the agent (default `process.cwd()`). */
  cwd?: string;
  /** Where records go (default `<cwd>/.agentlang/records`). */
  recordsDir?: string;
  /** Parent environment: credentials and `AGENTLANG_*` settings are read from it (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Receives the agent's stdout (default: discarded). */
  stdout?: OutputStream;
  /** Receives the agent's stderr (default: discarded). */
  stderr?: OutputStream;
  /**
   * The lock the plan was checked against, for the record: the digest of its bytes, whether a
   * signature covers it and verified, and which one (its own envelope, or the container it came in);
   * its portable digest and the host part it was made with.
   */
  lock?: {
    digest: string;
    signed: boolean;
    verified: boolean;
    signature?: 'lock' | 'container' | null;
    keyIds?: string[];
    portable_digest?: string;
    host?: NonNullable<ExecutionRecord['lock']>['host'];
  };
  /** 64-hex Ed25519 seed: the record is also written as a signed DSSE envelope. */
  signingKey?: string;
  /** Aborting stops the agent (its whole process tree) and records `aborted`. */
  signal?: AbortSignal;
  /** Abort on SIGINT/SIGTERM to this process (the CLI sets it). */
  handleSignals?: boolean;
  /** Debug/progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Explain decisions through `log` (sandbox backend fallbacks, processes allowed for the runtime). */
  verbose?: boolean;
  /** Extra adapters (a custom runtime) looked up before the built-in ones. */
  adapters?: RuntimeAdapter[];
  /**
   * Host variables the user allowed the agent's `{{.env.X}}` templates to read (`--allow-env`).
   * Needed for an agent that did not come from the working tree (a container, a pulled agent, a
   * plan without its agent): without consent no such variable is passed and the run is refused.
   */
  allowEnv?: string[];
  /** Called once every check passed and the invocation is built, just before the sandbox starts (also on a dry run). */
  onReady?: (plan: ResolvedPlan) => void;
  /** The built-in `harness` runtime's approvals, limits and injected context values (ignored by other runtimes). */
  harness?: HarnessRunOptions;
}

/** What a run produced. */
export interface RunResult {
  /** The agent's exit code (124 on timeout, 130 when aborted, 128+n when killed by signal n). */
  exitCode: number;
  /** How it ended; `dry-run` when nothing was spawned. */
  outcome: RunOutcome | 'dry-run';
  /** The execution record written, or null for a dry run. */
  record: ExecutionRecord | null;
  /** Where the record was written. */
  recordPath: string | null;
  /** The plan that ran (with the runtime override applied). */
  plan: ResolvedPlan;
  /** Runs of the built-in `harness` runtime: the loop's outcome, answer, tokens per model and calls per tool (absent when the model failed). */
  harness?: HarnessRunSummary;
  sandbox: {
    backend: string;
    /** The full sandbox argv with secrets and file contents redacted. */
    redactedArgv: string[];
    /** What the sandbox allowed (network through the proxy, files, exec, limits). */
    allows: SandboxDescription;
  };
}

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

function withRuntime(
  plan: ResolvedPlan,
  adapter: RuntimeAdapter,
  env: Record<string, string | undefined>,
): ResolvedPlan {
  if (adapter.name === plan.runtime.name) return plan;
  if (adapter.binary === '') return { ...plan, runtime: { name: adapter.name, binary: '', available: true } };
  const path = findOnPath(adapter.binary, env.PATH);
  return {
    ...plan,
    runtime: { name: adapter.name, binary: adapter.binary, ...(path ? { path } : {}), available: path !== undefined },
  };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Host directories the runtime needs read-only when it lives outside the system directories. */
function runtimeDirs(path: string | undefined): string[] {
  if (!path) return [];
  const dirs = new Set<string>();
  const system = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/etc/'];
  for (const p of [path, safeRealpath(path)]) {
    if (p && !system.some((s) => p.startsWith(s))) dirs.add(dirname(p));
  }
  return [...dirs];
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Options of {@link sandboxForPlan} and {@link policyForPlan}. */
export interface SandboxForPlanOptions {
  workdir: string;
  root?: string;
  timeoutMs?: number;
  /** Host-owned paths under a writable bind (the records directory), re-bound read-only on top. */
  protect?: string[];
  agent?: LoadedAgent;
  /** The parent environment: the runtime's endpoint overrides (`ANTHROPIC_BASE_URL`, …) and `AGENTLANG_EGRESS_RESOLVE` are read from it. */
  env?: Record<string, string | undefined>;
  /** The runtime adapter (default: the plan's). */
  adapter?: RuntimeAdapter;
  /** Extra adapters looked up before the built-in ones. */
  adapters?: RuntimeAdapter[];
}

/** The sandbox a run gets, and why: the policy, the agent's own shell grant and what the runtime needs besides. */
export interface RunSandbox {
  policy: IsolationPolicy;
  /** The agent's own shell grant (AgentSpec `exec` other than `none`, or the `shell` permission). */
  agentShell: boolean;
  /** The runtime's own needs (its endpoint hosts, its processes). */
  runtime: RuntimeNeeds & { name: string };
  /** True when the sandbox allows child processes for the runtime although the agent has no shell. */
  execForRuntime: boolean;
  /** Things to tell the user (an endpoint the sandbox cannot reach, …). */
  notes: string[];
}

/**
 * Builds the sandbox for a plan. The agent's grants come from `trust` (AgentSpec; `trust.hosts`
 * under `network: scoped`) or `permissions` (AgentLang). The runtime's own needs are kept apart:
 * its model endpoint is reachable through the egress proxy whatever the agent's network level, and
 * when it starts processes (MCP servers, helpers, the egress bridge) the sandbox allows them — each
 * confined to the same sandbox — while an agent without shell gets the runtime's shell tool turned
 * off in its configuration.
 */
export function sandboxForPlan(plan: ResolvedPlan, options: SandboxForPlanOptions): RunSandbox {
  const env = options.env ?? process.env;
  const adapter = options.adapter ?? getAdapter(plan.runtime.name, options.adapters);
  const needs: RuntimeNeeds = adapter.needs?.({ plan, env }) ?? { hosts: [], processes: false, notes: [] };
  const egressResolve = parseEgressResolve(env.AGENTLANG_EGRESS_RESOLVE);
  // Host configuration: AGENTLANG_SANDBOX_MEMORY / AGENTLANG_SANDBOX_MAX_PROCESSES override the default limits.
  const settings = sandboxSettingsFromEnv(env);
  const ctx = {
    workdir: options.workdir,
    ...(settings.memoryBytes !== undefined ? { memoryBytes: settings.memoryBytes } : {}),
    ...(settings.maxProcesses !== undefined ? { maxProcesses: settings.maxProcesses } : {}),
    ...(options.root ? { root: options.root } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    readOnly: [...runtimeDirs(plan.runtime.path)],
    env: ['TERM'],
    ...(plan.trust?.hosts ? { allowedHosts: plan.trust.hosts } : {}),
    ...(needs.hosts.length > 0 ? { runtimeHosts: needs.hosts } : {}),
    ...(Object.keys(egressResolve).length > 0 ? { egressResolve } : {}),
  };
  const policy = plan.trust
    ? policyFromTrust(plan.trust, ctx)
    : policyFromPermissions(
        options.agent?.manifest.permissions ?? {
          required: plan.permissions.required,
          optional: plan.permissions.optional,
        },
        ctx,
      );
  // Host-owned paths (.agentlang/, the records directory) are never writable from the sandbox,
  // whatever the scope: a grant of (or inside) one is refused; one under a writable bind is re-bound
  // read-only on top — at every path the bind makes it reachable by, links resolved.
  for (const path of options.protect ?? []) {
    const realPath = realish(path);
    for (const rw of [...policy.filesystem.readWrite]) {
      const realRw = realish(rw);
      if (isInside(rw, path) || isInside(realRw, realPath)) {
        throw new RunnerError(
          'RUNNER_POLICY_PROTECTED',
          `the agent's trust grants write access to ${rw}, which is (or lies inside) ${path}: the host's execution records and cache, never writable from the sandbox; remove it from trust.scope`,
          { details: { path: rw, protected: path } },
        );
      }
      if (!isInside(realPath, realRw)) continue;
      const alias = join(rw, relative(realRw, realPath));
      if (!policy.filesystem.readOnly.includes(alias)) policy.filesystem.readOnly.push(alias);
    }
  }
  const agentShell = policy.exec !== 'none';
  const bridgeForRuntime = needs.hosts.length > 0 && policy.network !== 'allowed';
  const execForRuntime = !agentShell && (needs.processes || plan.mcpServers.length > 0 || bridgeForRuntime);
  if (execForRuntime) policy.exec = 'sandboxed';
  const notes = [...needs.notes];
  // A server fetched at start-up needs its package registry, which is neither the runtime's endpoint
  // nor something to open silently (a registry accepts uploads too): say so before the run fails.
  if (policy.network !== 'allowed') {
    for (const server of plan.mcpServers) {
      const launcher = basename(server.command);
      if (DOWNLOADING_LAUNCHERS.has(launcher)) {
        notes.push(
          `MCP server ${server.name} starts with ${launcher}, which downloads its package at start-up; the sandbox cannot reach a package registry without network access, so install the server where the sandbox can read it (a path under the workdir) or grant network`,
        );
      }
    }
  }
  return { policy, agentShell, runtime: { name: adapter.name, ...needs }, execForRuntime, notes };
}

/** Builds the isolation policy for a plan (see {@link sandboxForPlan}). */
export function policyForPlan(plan: ResolvedPlan, options: SandboxForPlanOptions): IsolationPolicy {
  return sandboxForPlan(plan, options).policy;
}

/**
 * What the sandbox of a run will and will not allow, as data and as `Label: text` lines for
 * `resolve`: network (direct, and which hosts through the egress proxy, for whom), filesystem,
 * exec (and why), limits.
 */
export function describeRunSandbox(plan: ResolvedPlan, options: SandboxForPlanOptions): SandboxDescription {
  return describeSandboxOf(sandboxForPlan(plan, options));
}

/** What {@link describeRunSandbox} returns: the summary as data, and as `Label: text` lines. */
export interface SandboxDescription {
  summary: SandboxSummary & { agentShell: boolean; execForRuntime: boolean; notes: string[] };
  lines: Array<[label: string, text: string]>;
}

function describeSandboxOf(sandbox: RunSandbox): SandboxDescription {
  const summary = {
    ...describeSandbox(sandbox.policy),
    agentShell: sandbox.agentShell,
    execForRuntime: sandbox.execForRuntime,
    notes: sandbox.notes,
  };
  const lines = formatSandboxLines(summary).map(([label, text]): [string, string] => {
    if (label !== 'Exec' || !sandbox.execForRuntime) return [label, text];
    return [
      label,
      `child processes allowed for the runtime (${sandbox.runtime.name}: its MCP servers, helpers and the egress bridge), each confined to this sandbox; the agent has no shell, so the runtime's shell tool is turned off`,
    ];
  });
  if (egressAllowlist(sandbox.policy) && sandbox.policy.exec === 'none') {
    lines.push([
      'Sandbox',
      'refused: the egress proxy needs a bridge process inside the sandbox, which exec: none forbids; declare exec: sandboxed',
    ]);
  }
  for (const note of sandbox.notes) lines.push(['Note', note]);
  return { summary, lines };
}

/** The real path of `path`, or for a path that does not exist yet, its nearest existing ancestor's real path joined with the rest. */
function realish(path: string): string {
  let at = resolve(path);
  const rest: string[] = [];
  for (;;) {
    const real = safeRealpath(at);
    if (real !== undefined) return join(real, ...rest.reverse());
    const parent = dirname(at);
    if (parent === at) return resolve(path);
    rest.push(basename(at));
    at = parent;
  }
}

/**
 * Runs a short command (the runtime's `--version`) in a sandbox of its own with the run's policy:
 * the runtime binary may be one the agent could have written, so it never runs on the host.
 */
function sandboxedRunner(backend: IsolationBackend, policy: IsolationPolicy): VersionRunner {
  return async (argv, timeoutMs) => {
    const chunks: Buffer[] = [];
    const probePolicy = { ...policy, limits: { ...policy.limits, timeoutMs } };
    const prepared = backend.prepare(probePolicy, { argv, env: {} });
    try {
      const end = await spawnPrepared(prepared, probePolicy, {
        stdio: ['ignore', 'pipe', 'ignore'],
        onStdout: (c) => chunks.push(c),
      });
      return { exitCode: end.exitCode, stdout: Buffer.concat(chunks).toString('utf8') };
    } finally {
      await prepared.cleanup();
    }
  };
}

/**
 * Per MCP server env key (`mcp_servers.<server>.env.<KEY>`), the host variables it reads: the
 * names its `{{.env.X}}` template uses, or, for a plan without its manifest, the same-named variable.
 */
function environmentReads(plan: ResolvedPlan, agent: LoadedAgent | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const server of plan.mcpServers) {
    const spec = agent?.manifest.mcpServers.find((m) => m.name === server.name);
    for (const key of new Set([...server.envKeys, ...Object.keys(spec?.env ?? {})])) {
      const template = spec?.env[key];
      const names = template === undefined ? [key] : templateVariables(template);
      if (names.length > 0) out.set(`mcp_servers.${server.name}.env.${key}`, names);
    }
  }
  return out;
}

/** Names (never values) of the host variables handed to the sandbox: the runtime's credentials and what MCP env templates read. */
function passedEnvironment(adapter: RuntimeAdapter, invocation: Invocation, reads: Map<string, string[]>): string[] {
  const names = new Set(adapter.secretEnv.filter((n) => n in invocation.secrets));
  for (const [use, vars] of reads) {
    const key = use.slice(use.lastIndexOf('.') + 1);
    if (key in invocation.secrets) for (const v of vars) names.add(v);
  }
  return [...names].sort();
}

function exitCodeOf(
  end: { exitCode: number | null; signal: string | null; timedOut: boolean },
  aborted: boolean,
): number {
  if (end.timedOut) return 124;
  if (aborted) return 130;
  if (end.exitCode !== null) return end.exitCode;
  return 128 + (SIGNAL_NUMBERS[end.signal ?? ''] ?? 9);
}

/** One run's cancellation: the caller's signal and, when asked, SIGINT/SIGTERM abort it; `dispose` unhooks both. */
function wireCancellation(
  external: AbortSignal | undefined,
  handleSignals: boolean,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  external?.addEventListener('abort', abort, { once: true });
  if (external?.aborted) abort();
  if (handleSignals) {
    process.on('SIGINT', abort);
    process.on('SIGTERM', abort);
  }
  return {
    signal: controller.signal,
    dispose() {
      external?.removeEventListener('abort', abort);
      if (handleSignals) {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
    },
  };
}

type Sink = ReturnType<typeof guardSink>;

/** What running the agent produced, whichever runtime ran it: how it ended and the facts the record needs. */
interface StepResult {
  end: SandboxResult;
  prepared: Pick<PreparedSandbox, 'backend' | 'redactedArgv' | 'cleanup'>;
  runtimeVersion: Promise<string | null>;
  host?: HostInfo;
  harness?: HarnessRunSummary;
}

/** The built-in runtime: the loop runs here, in the host; only bash tools and MCP servers enter the sandbox. */
async function harnessStep(input: {
  plan: ResolvedPlan;
  options: RunPlanOptions;
  env: Record<string, string | undefined>;
  backend: IsolationBackend;
  policy: IsolationPolicy;
  signal: AbortSignal;
  stdout: Sink;
  stderr: Sink;
  /** The project root (built-in tools' state) and this run's id (its artifacts). */
  cwd: string;
  runId: string;
}): Promise<StepResult> {
  const { options, policy, signal, stdout, stderr } = input;
  const t0 = performance.now();
  let summary: HarnessRunSummary | undefined;
  let failed = false;
  try {
    summary = await runHarness({
      plan: input.plan,
      ...(options.agent ? { manifest: options.agent.manifest, agent: options.agent } : {}),
      systemPrompt: options.systemPrompt ?? '',
      prompt: options.userPrompt ?? '',
      cwd: input.cwd,
      runId: input.runId,
      ...(options.harness ? { options: options.harness } : {}),
      ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
      env: input.env,
      backend: input.backend,
      policy,
      timeoutMs: policy.limits.timeoutMs,
      signal,
      onText: (t) => stdout.write(Buffer.from(t)),
      log: (l) => stderr.write(Buffer.from(`${l}\n`)),
    });
  } catch (error) {
    failed = true;
    stderr.write(Buffer.from(`harness: ${error instanceof Error ? error.message : String(error)}\n`));
  }
  const end: SandboxResult = {
    exitCode: summary ? HARNESS_EXIT_CODES[summary.outcome] : HARNESS_MODEL_ERROR_EXIT,
    signal: null,
    timedOut: summary?.outcome === 'timeout',
    aborted: summary?.outcome === 'aborted' || (failed && signal.aborted),
    durationMs: performance.now() - t0,
  } as SandboxResult;
  return {
    end,
    prepared: { backend: input.backend.name, redactedArgv: [], cleanup: async () => {} },
    // The built-in runtime is this build's @agentlang/harness: its version is a constant, no probe.
    runtimeVersion: Promise.resolve(HARNESS_VERSION),
    ...(summary ? { harness: summary } : {}),
  };
}

/** An external runtime: its CLI runs inside the sandbox with the output streamed through. */
async function sandboxStep(input: {
  plan: ResolvedPlan;
  adapter: RuntimeAdapter;
  backend: IsolationBackend;
  policy: IsolationPolicy;
  command: Parameters<IsolationBackend['prepare']>[1];
  invocation: Invocation;
  env: Record<string, string | undefined>;
  agentlangDir: string;
  signal: AbortSignal;
  stdout: Sink;
  stderr: Sink;
}): Promise<StepResult> {
  const { backend, policy } = input;
  const prepared = backend.prepare(policy, input.command);
  try {
    const ending = spawnPrepared(prepared, policy, {
      stdio: ['ignore', 'pipe', 'pipe'],
      onStdout: input.stdout.write,
      onStderr: input.stderr.write,
      signal: input.signal,
      ...(input.invocation.stdin !== undefined ? { input: input.invocation.stdin } : {}),
    });
    // The record's other facts are gathered while the sandbox starts up (bwrap runs on another
    // core), not before it: the runtime's version (cached per binary; a probe spawns on a miss)
    // and the host description.
    const runtimeVersion = probeRuntimeVersion(input.plan.runtime.path, input.adapter.versionArgs, {
      cacheDir: join(input.agentlangDir, 'cache'),
      run: sandboxedRunner(backend, policy),
    });
    const host = describeHost(input.env);
    return { end: await ending, prepared, runtimeVersion, host };
  } catch (error) {
    await prepared.cleanup();
    throw error;
  }
}

/** The execution record of a finished run: facts only — never prompt text, arguments, output or keys. */
function assembleRecord(input: {
  runId: string;
  plan: ResolvedPlan;
  adapter: RuntimeAdapter;
  lock: RunPlanOptions['lock'];
  runtimeVersion: string | null;
  startedAt: number;
  endedAt: number;
  end: SandboxResult;
  outcome: RunOutcome;
  host: HostInfo;
  backend: string;
  env: string[];
  harness: HarnessRunSummary | undefined;
}): ExecutionRecord {
  const { plan, lock, end, harness } = input;
  return {
    schema: RECORD_SCHEMA,
    run_id: input.runId,
    agent: { name: plan.agent.name, version: plan.agent.version ?? null, hash: plan.agent.digest },
    lock: lock
      ? {
          digest: lock.digest,
          signed: lock.signed,
          verified: lock.verified,
          signature: lock.signature ?? (lock.signed ? 'lock' : null),
          key_ids: lock.keyIds ?? [],
          ...(lock.portable_digest !== undefined && { portable_digest: lock.portable_digest }),
          ...(lock.host !== undefined && { host: { ...lock.host } }),
        }
      : null,
    runtime: input.adapter.name,
    runtime_version: input.runtimeVersion,
    model: plan.model,
    auth_source: plan.authSource,
    started_at: formatRecordTime(input.startedAt),
    ended_at: formatRecordTime(input.endedAt),
    duration_ms: Math.max(0, Math.round(end.durationMs)),
    exit_code: end.exitCode,
    signal: end.signal,
    outcome: input.outcome,
    host: input.host,
    isolation: { backend: input.backend },
    env: input.env,
    ...(input.adapter.name === 'harness'
      ? {
          harness: harness
            ? {
                outcome: harness.outcome,
                turns: harness.turns,
                usage: harness.usage,
                tool_calls: harness.toolCalls,
                ...(harness.costUsd !== undefined ? { cost_usd: harness.costUsd } : {}),
                ...(harness.subAgents ? { sub_agents: harness.subAgents } : {}),
              }
            : { outcome: 'model_error', turns: 0, usage: {}, tool_calls: {} },
        }
      : {}),
  };
}

/**
 * Runs a resolved plan: picks the runtime adapter, derives the isolation policy, spawns the agent
 * inside the sandbox with its output streamed through, and writes an `agentlang.record/v1` record
 * (atomically, outside anything the sandbox can write). `dryRun` returns the exact sandbox argv
 * (secrets redacted) and spawns nothing.
 */
export async function runPlan(plan: ResolvedPlan, options: RunPlanOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const log = options.log ?? (() => {});
  const adapter = getAdapter(options.runtime ?? plan.runtime.name, options.adapters);
  const effective = withRuntime(plan, adapter, env);
  if (!options.dryRun) {
    if (effective.missing.length > 0) {
      throw new RunnerError(
        'RUNNER_PLAN_BLOCKED',
        `the plan for ${effective.agent.name} cannot run: ${effective.missing.join('; ')}; run \`agentlang resolve\` for details`,
        { details: { missing: effective.missing } },
      );
    }
    if (!effective.runtime.available) {
      throw new RunnerError(
        'RUNNER_RUNTIME_MISSING',
        `runtime ${adapter.name} needs the '${adapter.binary}' executable, which is not on PATH; install it or pick another runtime with --runtime`,
        { details: { runtime: adapter.name, binary: adapter.binary } },
      );
    }
  }
  const recordsDir = resolve(options.recordsDir ?? recordsDirFor(cwd));
  const agentlangDir = join(cwd, '.agentlang');
  const protect = [recordsDir];
  if (isInside(recordsDir, agentlangDir)) protect.unshift(agentlangDir);
  const sandbox = sandboxForPlan(effective, {
    adapter,
    env,
    workdir: cwd,
    ...(options.agent ? { root: options.agent.source.root } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    // A dry run creates nothing: directories a real run would create are not bound yet.
    protect: options.dryRun ? protect.filter((p) => existsSync(p)) : protect,
    ...(options.agent ? { agent: options.agent } : {}),
  });
  const policy = sandbox.policy;
  for (const note of sandbox.notes) log(`warning: ${note}`);
  if (sandbox.execForRuntime && options.verbose) {
    log(
      `sandbox: child processes allowed for the runtime ${adapter.name} (MCP servers, helpers, egress bridge); the agent has no shell, so its shell tool is turned off`,
    );
  }

  // The host variables the agent's MCP servers read; consent first for an agent not from the working tree.
  const reads = environmentReads(effective, options.agent);
  if (!options.agent || envConsentRequired(options.agent)) {
    const uses = new Map<string, string[]>();
    for (const [use, names] of reads) for (const name of names) uses.set(name, [...(uses.get(name) ?? []), use]);
    assertEnvConsent(
      [...uses].map(([name, u]) => ({ name, uses: u, template: true })),
      options.allowEnv ?? [],
      `agent ${effective.agent.name}`,
    );
  }
  const backend = selectBackend({
    env,
    unsafeNoIsolation: options.unsafeNoIsolation === true,
    log,
    verbose: options.verbose === true,
  });
  // Without a sandbox there is no private tmpfs: config files go to a host temp directory instead.
  const hostConfigDir = backend.name === 'none' ? mkdtempSync(join(tmpdir(), 'agentlang-runtime-')) : undefined;
  const releases: Array<() => void> = [];
  try {
    const invocation: Invocation = adapter.buildInvocation({
      plan: effective,
      systemPrompt: options.systemPrompt ?? null,
      ...(options.userPrompt !== undefined ? { userPrompt: options.userPrompt } : {}),
      workdir: cwd,
      configDir: hostConfigDir ?? SANDBOX_CONFIG_DIR,
      env,
      ...(options.agent ? { manifest: options.agent.manifest } : {}),
      agentShell: sandbox.agentShell,
    });
    if (hostConfigDir) {
      for (const file of invocation.files) {
        mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
        writeFileSync(file.path, file.content, { mode: file.mode ?? 0o600 });
      }
    }
    const command = {
      argv: invocation.argv,
      env: invocation.env,
      secrets: invocation.secrets,
      cwd,
      ...(hostConfigDir ? {} : { files: invocation.files.map((f) => ({ path: f.path, content: f.content })) }),
    };

    options.onReady?.(effective);
    if (options.dryRun) {
      const prepared = backend.prepare(policy, command);
      await prepared.cleanup();
      return {
        exitCode: 0,
        outcome: 'dry-run',
        record: null,
        recordPath: null,
        plan: effective,
        sandbox: { backend: prepared.backend, redactedArgv: prepared.redactedArgv, allows: describeSandboxOf(sandbox) },
      };
    }

    // Created only now that nothing can refuse the run: a refused run leaves no trace on disk.
    for (const dir of protect) mkdirSync(dir, { recursive: true });
    const cancel = wireCancellation(options.signal, options.handleSignals === true);
    const startedAt = Date.now();
    const runId = createUlid(startedAt);
    const stdout = guardSink(options.stdout);
    const stderr = guardSink(options.stderr);
    // Released only after the record is written: a late EPIPE must not crash the host before that.
    releases.push(stdout.release, stderr.release);
    let step: StepResult;
    try {
      step =
        adapter.name === 'harness'
          ? await harnessStep({
              plan: effective,
              options,
              env,
              backend,
              policy,
              signal: cancel.signal,
              stdout,
              stderr,
              cwd,
              runId,
            })
          : await sandboxStep({
              plan: effective,
              adapter,
              backend,
              policy,
              command,
              invocation,
              env,
              agentlangDir,
              signal: cancel.signal,
              stdout,
              stderr,
            });
    } finally {
      cancel.dispose();
    }
    await step.prepared.cleanup();
    const { end } = step;
    const outcome = decideOutcome({ exitCode: end.exitCode, timedOut: end.timedOut, aborted: end.aborted });
    const record = assembleRecord({
      runId,
      plan: effective,
      adapter,
      lock: options.lock,
      runtimeVersion: await step.runtimeVersion,
      startedAt,
      endedAt: Date.now(),
      end,
      outcome,
      host: step.host ?? describeHost(env),
      backend: step.prepared.backend,
      env: passedEnvironment(adapter, invocation, reads),
      harness: step.harness,
    });
    const envelope = options.signingKey ? signRecord(record, options.signingKey) : undefined;
    const recordPath = writeRecord(recordsDir, record, envelope);
    return {
      exitCode: exitCodeOf(end, end.aborted),
      outcome,
      record,
      recordPath,
      plan: effective,
      ...(step.harness ? { harness: step.harness } : {}),
      sandbox: {
        backend: step.prepared.backend,
        redactedArgv: step.prepared.redactedArgv,
        allows: describeSandboxOf(sandbox),
      },
    };
  } finally {
    if (hostConfigDir) rmSync(hostConfigDir, { recursive: true, force: true });
    // Let a pending EPIPE from the last chunk surface (and be swallowed) before unhooking.
    if (releases.length > 0)
      setImmediate(() => {
        for (const release of releases) release();
      });
  }
}
