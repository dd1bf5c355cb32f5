import { findOnPath } from '@agentlang/utils';
import { createBwrapBackend } from './bwrap-backend.js';
import { IsolationError } from './errors.js';
import { sandboxSettingsFromEnv } from './host-settings.js';
import { createNoetherBackend } from './noether-backend.js';
import { createNoneBackend } from './none-backend.js';
import type { IsolationBackend } from './types.js';

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** The environment to read `AGENTLANG_ISOLATION_BACKEND`, `AGENTLANG_SANDBOX_USER`, `AGENTLANG_DEBUG` and `PATH` from. */
  env: Record<string, string | undefined>;
  /** The user passed `--unsafe-no-isolation`: run without any sandbox. */
  unsafeNoIsolation?: boolean;
  /** Debug log sink (fallbacks are reported here when `AGENTLANG_DEBUG` is set or `verbose`). */
  log?: (line: string) => void;
  /** Report fallbacks through `log` even without `AGENTLANG_DEBUG`. */
  verbose?: boolean;
}

/** The message shown when bubblewrap is missing. */
export const BWRAP_MISSING_MESSAGE =
  'bubblewrap (bwrap) was not found on PATH, so the agent cannot be isolated. Install it: `apt-get install bubblewrap` (Debian/Ubuntu), `dnf install bubblewrap` (Fedora), `nix profile install nixpkgs#bubblewrap` (Nix); on macOS `brew install bubblewrap` installs it but it only runs on Linux. To run WITHOUT any isolation (the agent can read and write everything you can), pass --unsafe-no-isolation.';

/**
 * Picks the isolation backend: bwrap by default, noether-sandbox when
 * `AGENTLANG_ISOLATION_BACKEND=noether` (falling back to bwrap per policy), no isolation only with
 * `unsafeNoIsolation`. A missing bwrap is `SANDBOX_UNAVAILABLE`, never a silent downgrade.
 */
export function selectBackend(options: SelectBackendOptions): IsolationBackend {
  const env = options.env;
  const requested = (env.AGENTLANG_ISOLATION_BACKEND ?? '').trim() || 'bwrap';
  if (options.unsafeNoIsolation) {
    if (requested !== 'bwrap' && requested !== 'none' && requested !== 'noether') throw unknown(requested);
    return createNoneBackend();
  }
  const debug = (line: string) => {
    if (options.log && (options.verbose || isTruthy(env.AGENTLANG_DEBUG))) options.log(line);
  };
  if (requested === 'none') {
    throw new IsolationError(
      'SANDBOX_UNAVAILABLE',
      'AGENTLANG_ISOLATION_BACKEND=none disables isolation, which needs the explicit --unsafe-no-isolation flag; remove the variable to use bubblewrap, or pass --unsafe-no-isolation',
      { details: { requested } },
    );
  }
  if (requested !== 'bwrap' && requested !== 'noether') throw unknown(requested);
  const bwrapPath = findOnPath('bwrap', env.PATH);
  const bwrap = () => {
    if (!bwrapPath) {
      throw new IsolationError('SANDBOX_UNAVAILABLE', BWRAP_MISSING_MESSAGE, {
        details: { requested, path: env.PATH ?? '' },
      });
    }
    const { user } = sandboxSettingsFromEnv(env);
    return createBwrapBackend({
      bwrapPath,
      ...(options.log ? { log: options.log } : {}),
      ...(user ? { sandboxUser: user } : {}),
    });
  };
  if (requested === 'bwrap') return bwrap();
  const noetherPath = findOnPath('noether-sandbox', env.PATH);
  if (!noetherPath) {
    debug('isolation: noether-sandbox not found on PATH; falling back to the bwrap backend');
    return bwrap();
  }
  const { user } = sandboxSettingsFromEnv(env);
  return createNoetherBackend({
    noetherPath,
    fallback: bwrapPath ? () => bwrap() : undefined,
    log: debug,
    ...(user ? { sandboxUser: user } : {}),
  });
}

function unknown(requested: string): IsolationError {
  return new IsolationError(
    'SANDBOX_UNKNOWN_BACKEND',
    `AGENTLANG_ISOLATION_BACKEND is "${requested}"; expected bwrap (the default) or noether`,
    { details: { requested, expected: ['bwrap', 'noether'] } },
  );
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
