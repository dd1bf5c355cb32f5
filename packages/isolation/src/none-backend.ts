import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import { buildEnvironment, checkCommand } from './sandbox-env.js';
import type { IsolationBackend, PreparedSandbox, SandboxCommand } from './types.js';

/**
 * The explicit no-isolation backend (`--unsafe-no-isolation`): runs the command directly on the
 * host with the policy's cleared environment and timeout, and nothing else enforced.
 */
export function createNoneBackend(): IsolationBackend {
  return {
    name: 'none',
    prepare(policy: IsolationPolicy, command: SandboxCommand): PreparedSandbox {
      checkCommand(command);
      if (command.files && command.files.length > 0) {
        throw new IsolationError(
          'SANDBOX_UNSUPPORTED',
          'the none backend cannot create files inside a sandbox (there is none); write them into the workdir yourself',
          { details: { files: command.files.map((f) => f.path) } },
        );
      }
      const env = { ...buildEnvironment(policy, command), ...(command.secrets ?? {}) };
      return {
        backend: 'none',
        argv: [...command.argv],
        redactedArgv: [...command.argv],
        spawnOptions: {
          cwd: command.cwd ?? policy.workdir,
          env,
          detached: true,
          stdio: ['inherit', 'inherit', 'inherit'],
        },
        async cleanup() {},
      };
    },
  };
}
