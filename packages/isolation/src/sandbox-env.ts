import { isAbsolute } from 'node:path';
import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import type { SandboxCommand } from './types.js';

/** PATH inside the sandbox unless the policy or command sets one. */
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws `SANDBOX_INVALID_COMMAND` unless the command is well-formed (argv, env and secret names, file paths). */
export function checkCommand(command: SandboxCommand): void {
  if (
    !Array.isArray(command.argv) ||
    command.argv.length === 0 ||
    command.argv.some((a) => typeof a !== 'string' || a.includes('\0'))
  ) {
    throw new IsolationError(
      'SANDBOX_INVALID_COMMAND',
      'the sandboxed command needs a non-empty argv of strings without NUL bytes',
      {
        details: { argv: command.argv },
      },
    );
  }
  for (const [kind, record] of [
    ['env', command.env ?? {}],
    ['secrets', command.secrets ?? {}],
  ] as const) {
    for (const [name, value] of Object.entries(record)) {
      if (!ENV_NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
        throw new IsolationError(
          'SANDBOX_INVALID_COMMAND',
          `${kind} entry ${JSON.stringify(name)} is not a valid environment variable (name like API_KEY, string value without NUL)`,
          { details: { kind, name } },
        );
      }
    }
  }
  for (const file of command.files ?? []) {
    if (!isAbsolute(file.path) || file.path.split('/').includes('..') || file.path.includes('\0')) {
      throw new IsolationError(
        'SANDBOX_INVALID_COMMAND',
        `file path ${JSON.stringify(file.path)} must be absolute inside the sandbox and contain no ".."`,
        {
          details: { path: file.path },
        },
      );
    }
  }
  if (command.cwd !== undefined && !isAbsolute(command.cwd)) {
    throw new IsolationError('SANDBOX_INVALID_COMMAND', `cwd ${JSON.stringify(command.cwd)} must be an absolute path`, {
      details: { cwd: command.cwd },
    });
  }
}

/**
 * The complete, non-secret environment of the sandboxed command: defaults (PATH, HOME, TMPDIR,
 * LANG), the policy's passed-through names read from `hostEnv`, the policy's fixed values, then the
 * command's values. Nothing else from the parent leaks in.
 */
export function buildEnvironment(
  policy: IsolationPolicy,
  command: SandboxCommand,
  hostEnv: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: policy.workdir, TMPDIR: '/tmp', LANG: 'C.UTF-8' };
  for (const name of policy.env) {
    if (!ENV_NAME.test(name)) {
      throw new IsolationError(
        'SANDBOX_INVALID_POLICY',
        `policy.env names ${JSON.stringify(name)}, which is not a valid environment variable name`,
        {
          details: { name },
        },
      );
    }
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, policy.setEnv, command.env ?? {});
  return env;
}
