import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import type { IsolationBackend, PreparedSandbox, SandboxCommand } from './types.js';

/** Options of {@link createBwrapBackend}. */
export interface BwrapBackendOptions {
  /** Absolute path of the bwrap binary. */
  bwrapPath: string;
}

/** The default backend: bubblewrap with the hardened profile and the generated seccomp filter. */
export function createBwrapBackend(options: BwrapBackendOptions): IsolationBackend {
  return {
    name: 'bwrap',
    prepare(_policy: IsolationPolicy, _command: SandboxCommand): PreparedSandbox {
      throw new IsolationError('SANDBOX_UNSUPPORTED', `not implemented yet (${options.bwrapPath})`);
    },
  };
}
