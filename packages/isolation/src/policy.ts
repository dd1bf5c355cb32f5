/**
 * What a sandboxed process may touch. Derived from AgentSpec `trust` or AgentLang `permissions`
 * (see mapping.ts); consumed by every backend. Each field is enforced or the backend refuses to
 * run: nothing here is advisory.
 */
export interface IsolationPolicy {
  schema: 'agentlang.isolation/v1';
  filesystem: {
    /** Host paths bound read-only inside the sandbox (system dirs the runtime needs, scoped paths). */
    readOnly: string[];
    /** Host paths bound read-write. Always includes the workdir unless filesystem is `none`-and-no-workdir. */
    readWrite: string[];
    /** `full` means host passthrough (no filesystem isolation); noether refuses this shape. */
    mode: 'none' | 'read-only' | 'scoped' | 'full';
  };
  /** The working directory inside and outside the sandbox (same path). */
  workdir: string;
  network: 'none' | 'scoped' | 'allowed';
  /** Hosts the agent may reach under `scoped` network, through the host-side egress proxy. */
  allowedHosts: string[];
  /**
   * The runtime's own needs, kept apart from the agent's grants: the domains its model endpoint
   * lives on are reachable through the egress proxy whatever `network` says (except `allowed`,
   * which needs no proxy). `resolve` holds host-configured name pins (`AGENTLANG_EGRESS_RESOLVE`).
   */
  egress?: {
    runtimeHosts: string[];
    resolve: Record<string, string>;
  };
  exec: 'none' | 'sandboxed' | 'full';
  /** Environment variable names passed from the parent (the environment is cleared otherwise). */
  env: string[];
  /** Fixed environment values set inside the sandbox (never secrets). */
  setEnv: Record<string, string>;
  limits: {
    /** Wall-clock limit in milliseconds; the whole process tree is killed when it passes. */
    timeoutMs: number;
    /** Per-process limit on private writable memory (RLIMIT_DATA) in bytes. */
    memoryBytes?: number;
    /** Maximum number of tasks (processes and threads) in the sandbox. */
    maxProcesses?: number;
  };
  /** AgentLang capabilities this policy grants and withholds (set by `policyFromPermissions`; informational). */
  capabilities?: { granted: string[]; withheld: string[] };
}
