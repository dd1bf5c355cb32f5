import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import type { IsolationBackend, PreparedSandbox, SandboxCommand } from './types.js';

/** Options of {@link createNoetherBackend}. */
export interface NoetherBackendOptions {
  /** Absolute path of `noether-sandbox`. */
  noetherPath: string;
  /** The backend used for policies noether cannot express (undefined when bwrap is missing too). */
  fallback?: () => IsolationBackend;
  /** Debug log sink for fallbacks. */
  log?: (line: string) => void;
}

/** Delegates to `noether-sandbox --policy-file <json> --isolate=bwrap --require-isolation -- argv`. */
export function createNoetherBackend(options: NoetherBackendOptions): IsolationBackend {
  return {
    name: 'noether',
    prepare(_policy: IsolationPolicy, _command: SandboxCommand): PreparedSandbox {
      throw new IsolationError('SANDBOX_UNSUPPORTED', `not implemented yet (${options.noetherPath})`);
    },
  };
}
