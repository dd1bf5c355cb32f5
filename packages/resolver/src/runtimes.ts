/** What the resolver knows about one runtime adapter. */
export interface RuntimeInfo {
  /** Adapter name, as written in `runtime:` or `--runtime`. */
  name: string;
  /** Executable looked up on PATH. */
  binary: string;
  /** Model providers this runtime can drive, in preference order of runtimes for that provider. */
  providers: readonly string[];
  /** `local`: no credentials (a local process or socket); `provider`: the model provider's API key. */
  auth: 'local' | 'provider';
  /** The runtime's own login (`subscription:<name>`) used when no API key variable is set. */
  subscription?: string;
  /** Extra credential variables the runtime itself reads, checked before the provider's. */
  authEnv?: readonly string[];
  /**
   * Built into AgentLang (the `harness` runtime: @agentlang/harness's loop, run in-process by the
   * runner): no binary, always available; the default of an AgentLang-dialect agent that names no
   * runtime (see `selectRuntime`), never picked by provider routing among external CLIs.
   */
  builtin?: boolean;
}

/**
 * Runtime adapters the resolver can pick, in the order tried when an agent names no runtime
 * and no model. `test-echo` maps to POSIX `echo` (seed 000).
 */
export const RUNTIMES: readonly RuntimeInfo[] = Object.freeze([
  {
    name: 'claude-code',
    binary: 'claude',
    providers: ['anthropic'],
    auth: 'provider',
    subscription: 'claude',
    authEnv: ['CLAUDE_CODE_OAUTH_TOKEN'],
  },
  { name: 'codex', binary: 'codex', providers: ['openai'], auth: 'provider', subscription: 'codex' },
  { name: 'gemini-cli', binary: 'gemini', providers: ['google'], auth: 'provider', subscription: 'gemini' },
  { name: 'ollama', binary: 'ollama', providers: ['ollama'], auth: 'local' },
  {
    name: 'cursor-cli',
    binary: 'cursor-agent',
    providers: ['cursor'],
    auth: 'provider',
    subscription: 'cursor-agent',
    authEnv: ['CURSOR_API_KEY'],
  },
  // opencode, goose and aider also take AgentSpec's `opencode/`, `goose/`, `aider/` prefixes: the
  // runtime then picks provider and model from its own config (`goose configure`, `.aider.conf.yml`).
  {
    name: 'opencode',
    binary: 'opencode',
    providers: ['anthropic', 'openai', 'google', 'ollama', 'opencode'],
    auth: 'provider',
  },
  { name: 'goose', binary: 'goose', providers: ['anthropic', 'openai', 'google', 'ollama', 'goose'], auth: 'provider' },
  { name: 'aider', binary: 'aider', providers: ['anthropic', 'openai', 'google', 'ollama', 'aider'], auth: 'provider' },
  // Built in: the harness loop runs in the host process; the provider key never enters a sandbox.
  // `OPENAI_BASE_URL` points the openai provider at any Chat Completions server (Ollama, vLLM).
  { name: 'harness', binary: '', providers: ['openai', 'anthropic'], auth: 'provider', builtin: true },
  { name: 'test-echo', binary: 'echo', providers: ['test-echo'], auth: 'local' },
] satisfies RuntimeInfo[]);

/** API-key environment variables per model provider, first set one wins. */
export const PROVIDER_KEY_ENV: Readonly<Record<string, readonly string[]>> = Object.freeze({
  anthropic: ['ANTHROPIC_API_KEY'],
  openai: ['OPENAI_API_KEY'],
  google: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
});

/** Base-URL variables the built-in harness runtime reads per provider. */
export const PROVIDER_BASE_URL_ENV: Readonly<Record<string, string>> = Object.freeze({
  openai: 'OPENAI_BASE_URL',
  anthropic: 'ANTHROPIC_BASE_URL',
});

/** True when `url` names a loopback or private host (localhost, 127/8, ::1, 10/8, 172.16/12, 192.168/16). */
export function isLocalBaseUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Other names a runtime is known by (AgentSpec writes `codex-cli`; `claude` and `gemini` are the binaries). */
export const RUNTIME_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'codex-cli': 'codex',
  claude: 'claude-code',
  gemini: 'gemini-cli',
});

/** Returns the runtime named `name` (or an alias of it), or undefined. */
export function findRuntime(name: string): RuntimeInfo | undefined {
  const wanted = RUNTIME_ALIASES[name] ?? name;
  return RUNTIMES.find((r) => r.name === wanted);
}

/**
 * Where the runtime's credentials come from, by NAME only: `local socket`, `env:<VAR>`,
 * `subscription:<cli>`, or `none` (then `missing` explains which variable to set).
 */
export function detectAuth(
  runtime: RuntimeInfo,
  provider: string | undefined,
  env: NodeJS.ProcessEnv,
): { source: string; missing?: string; decision: string } {
  if (runtime.auth === 'local' || provider === 'ollama' || provider === 'test-echo') {
    return { source: 'local socket', decision: `auth: ${runtime.name} needs no credentials (local process or socket)` };
  }
  if (runtime.builtin && provider !== undefined) {
    const base = env[PROVIDER_BASE_URL_ENV[provider] ?? ''] ?? '';
    if (base !== '' && isLocalBaseUrl(base)) {
      return {
        source: 'local socket',
        decision: `auth: ${runtime.name} talks to a local ${provider} endpoint (${PROVIDER_BASE_URL_ENV[provider]}); no key needed`,
      };
    }
  }
  if (provider !== undefined && ['opencode', 'goose', 'aider'].includes(provider) && runtime.name === provider) {
    return {
      source: `config:${runtime.name}`,
      decision: `auth: ${runtime.name} picks provider and credentials from its own configuration (model prefix ${provider}/)`,
    };
  }
  const vars = [...(runtime.authEnv ?? []), ...(provider ? (PROVIDER_KEY_ENV[provider] ?? []) : [])];
  const set = vars.find((v) => (env[v] ?? '') !== '');
  if (set)
    return { source: `env:${set}`, decision: `auth: ${set} is set in the environment (value not read into the plan)` };
  if (runtime.subscription) {
    return {
      source: `subscription:${runtime.subscription}`,
      decision: `auth: none of ${vars.join(', ') || '(no key variables)'} is set; ${runtime.name} uses its own login (\`${runtime.binary}\`)`,
    };
  }
  const wanted = vars.length > 0 ? vars.join(' or ') : 'an API key for the model provider';
  return {
    source: 'none',
    missing: `credentials for ${runtime.name}: set ${wanted}`,
    decision: `auth: ${runtime.name} needs ${wanted}; none is set`,
  };
}
