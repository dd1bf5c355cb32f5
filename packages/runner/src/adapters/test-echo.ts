import { programOf } from './shared.js';
import type { RuntimeAdapter } from './types.js';

/**
 * `test-echo`: POSIX echo standing in for an LLM, so the whole resolve → sandbox → record path runs
 * without an API key. Prints `[test-echo] <name>@<version>`, as seed 000 shows; it never echoes the
 * prompt (no prompt text may leave the run through an adapter's fixed output).
 */
export const testEchoAdapter: RuntimeAdapter = {
  name: 'test-echo',
  binary: 'echo',
  description: 'POSIX echo: prints [test-echo] <name>@<version>; no model, no key',
  secretEnv: [],
  versionArgs: ['--version'],
  buildInvocation(input) {
    const { name, version } = input.plan.agent;
    return {
      argv: [programOf(input, 'echo'), `[test-echo] ${version ? `${name}@${version}` : name}`],
      env: {},
      secrets: {},
      files: [],
    };
  },
};
