import type { RuntimeAdapter } from './types.js';

/**
 * `harness`: the built-in runtime. Nothing is spawned for it — the runner runs @agentlang/harness's
 * loop in the host process (see run-harness.ts), so the provider key never enters a sandbox. The
 * adapter exists for the policy (no hosts, no processes for the runtime) and the registry; the
 * invocation is never executed (a dry run shows it as the loop's placeholder argv).
 */
export const harnessAdapter: RuntimeAdapter = {
  name: 'harness',
  binary: '',
  description: 'built in: @agentlang/harness loop in-process (openai Chat Completions, anthropic Messages)',
  secretEnv: [],
  versionArgs: null,
  buildInvocation() {
    return { argv: ['agentlang-harness'], env: {}, secrets: {}, files: [] };
  },
};
