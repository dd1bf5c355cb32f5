import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import {
  type IsolationBackend,
  type IsolationPolicy,
  type PreparedSandbox,
  SANDBOX_PATH,
  policyFromPermissions,
  policyFromTrust,
  sandboxHostIdentity,
  selectBackend,
} from '@agentlang/isolation';
import type { ProbeExecutor, ProbeExit, ProbeProcess, ProbeRequest } from '@agentlang/resolver';
import { findOnPath, killProcessGroup } from '@agentlang/utils';

/** Options of {@link createSandboxProbeExecutor}. */
export interface SandboxProbeExecutorOptions {
  /** The caller's environment: only PATH (to find the program) and the backend selection (`AGENTLANG_ISOLATION_BACKEND`) are read; nothing of it reaches the probe. */
  env?: Record<string, string | undefined>;
  /** The explicit no-sandbox backend (`--unsafe-no-isolation`): probes then run like the agent would, unisolated. */
  unsafeNoIsolation?: boolean;
  /** A backend chosen by the caller (default: `selectBackend`, on the first probe). */
  backend?: IsolationBackend;
  /** Debug lines (backend fallback). */
  log?: (line: string) => void;
}

/** Directories every sandbox already has read-only (bwrap binds them): nothing to add for a path under them. */
const SYSTEM = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/lib32/', '/libx32/'];
/** How long a stopped probe gets to exit on its own (stdin closed) before its sandbox is killed. */
const GRACE_MS = 1000;

const isSystem = (path: string) => SYSTEM.some((s) => path.startsWith(s));

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** An executable regular file on PATH (the resolver's lookup: relative PATH entries ignored); a name with a slash is taken relative to `base`. */
function findProgram(name: string, base: string, pathVar: string | undefined): string | undefined {
  return findOnPath(name.includes('/') ? resolve(base, name) : name, pathVar);
}

/** The outermost `node_modules` directory a path lies in (pnpm links a package's dependencies to siblings under it). */
function outermostNodeModules(path: string): string | undefined {
  const parts = path.split(sep);
  const at = parts.indexOf('node_modules');
  return at > 0 ? parts.slice(0, at + 1).join(sep) : undefined;
}

/**
 * Host paths a probe must read: the program (and its real path), the installed package code its
 * arguments name (files under a `node_modules` directory: that whole tree, read-only, so the
 * package's dependencies resolve), and the host's `node` when it lives outside the system
 * directories. Any other host file an argument names is NOT bound: an agent must not be able to
 * read `/etc/shadow` into a probe by naming it.
 */
function programPaths(
  program: string,
  args: string[],
  base: string,
  pathVar: string | undefined,
): { readOnly: string[]; path: string[] } {
  const readOnly = new Set<string>();
  const extraPath: string[] = [];
  const addCode = (file: string) => {
    const real = realpath(file);
    for (const p of [file, real]) {
      if (!p || isSystem(p)) continue;
      const modules = outermostNodeModules(p);
      readOnly.add(modules ?? p);
    }
  };
  addCode(program);
  for (const arg of args) {
    const candidate = isAbsolute(arg)
      ? arg
      : arg.startsWith('./') || arg.startsWith('../')
        ? resolve(base, arg)
        : undefined;
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpath(candidate) ?? candidate;
    if (outermostNodeModules(real) || outermostNodeModules(candidate)) addCode(candidate);
  }
  const node = findProgram('node', base, pathVar);
  if (node && !isSystem(node)) {
    addCode(node);
    extraPath.push(dirname(node));
  }
  return { readOnly: [...readOnly], path: extraPath };
}

/**
 * The agent's policy narrowed for inspection: network and exec as the agent declares them; on the
 * filesystem nothing of the host is writable (a private scratch directory is the workdir and HOME,
 * removed afterwards), the agent's directory and its scope paths are read-only, and `filesystem:
 * full` is narrowed to that too.
 */
function probePolicy(request: ProbeRequest, scratch: string, readOnly: string[]): IsolationPolicy {
  const root = request.agent.root;
  const extra = [...readOnly, ...(root && root !== '/' && existsSync(root) ? [root] : [])];
  const ctx = { workdir: scratch, root: root ?? scratch, timeoutMs: request.timeoutMs, readOnly: extra };
  const trust = request.agent.trust;
  const policy = trust
    ? policyFromTrust(
        {
          ...trust,
          filesystem: trust.filesystem === 'full' ? 'read-only' : trust.filesystem,
          scope: trust.filesystem === 'full' ? [] : trust.scope,
        },
        ctx,
      )
    : policyFromPermissions(request.agent.permissions ?? { required: [], optional: [] }, ctx);
  const demoted = policy.filesystem.readWrite.filter((p) => p !== scratch);
  policy.filesystem.readWrite = policy.filesystem.readWrite.filter((p) => p === scratch);
  policy.filesystem.readOnly = [...new Set([...policy.filesystem.readOnly, ...demoted])];
  return policy;
}

function notFound(program: string): Error {
  return Object.assign(new Error(`${program}: not found on PATH`), { code: 'ENOENT' });
}

/**
 * The resolver's {@link ProbeExecutor} backed by @agentlang/isolation: every dependency check and
 * MCP server an agent declares runs inside the sandbox under the agent's own policy (narrowed:
 * nothing on the host writable), with a scrubbed environment (the sandbox's PATH, HOME, TMPDIR,
 * LANG plus what the request names; rendered `{{.env.X}}` values as sandbox secrets, never on a
 * command line). Killing the sandbox kills everything in it.
 *
 * It lives in the runner because the runner is where agents meet the sandbox: the resolver only
 * defines the interface (it must not spawn), isolation knows nothing of agents, and lock/container
 * stay free of isolation by taking the executor through their resolver options.
 */
export function createSandboxProbeExecutor(options: SandboxProbeExecutorOptions = {}): ProbeExecutor {
  const env = options.env ?? process.env;
  let backend = options.backend;
  const backendOf = (): IsolationBackend => {
    backend ??= selectBackend({
      env,
      unsafeNoIsolation: options.unsafeNoIsolation === true,
      ...(options.log ? { log: options.log } : {}),
    });
    return backend;
  };
  return {
    get name() {
      return backend?.name ?? 'sandbox';
    },
    async start(request: ProbeRequest): Promise<ProbeProcess> {
      const chosen = backendOf();
      const [name, ...args] = request.argv;
      if (!name) throw Object.assign(new Error('empty argv'), { code: 'ENOENT' });
      const base = request.agent.root ?? process.cwd();
      const program = findProgram(name, base, env.PATH);
      if (!program) throw notFound(name);
      const scratch = mkdtempSync(join(tmpdir(), 'agentlang-probe-'));
      let prepared: PreparedSandbox | undefined;
      try {
        // Run as root, the sandbox is an unprivileged uid: the scratch workdir (mode 0700) is its.
        const owner = sandboxHostIdentity(env);
        if (owner) chownSync(scratch, owner.uid, owner.gid);
        const paths = programPaths(program, args, base, env.PATH);
        const policy = probePolicy(request, scratch, paths.readOnly);
        prepared = chosen.prepare(policy, {
          argv: [program, ...args],
          env: { ...request.env, PATH: [...paths.path, SANDBOX_PATH].join(':') },
          secrets: request.secrets,
          cwd: request.agent.root && existsSync(request.agent.root) ? request.agent.root : scratch,
        });
      } catch (error) {
        rmSync(scratch, { recursive: true, force: true });
        throw error;
      }
      const ready = prepared;
      const io = request.stdio === 'pipe' ? 'pipe' : 'ignore';
      const child: ChildProcess = spawn(ready.argv[0]!, ready.argv.slice(1), {
        ...ready.spawnOptions,
        detached: true,
        stdio: [io, io, io, ...ready.spawnOptions.stdio.slice(3)] as StdioOptions,
      });
      const killTree = () => killProcessGroup(child.pid);
      const exited = new Promise<ProbeExit>((resolveExit) => {
        child.once('exit', (code, signal) => resolveExit({ exitCode: code, signal }));
        child.once('error', () => resolveExit({ exitCode: null, signal: null }));
      });
      // The wall-clock backstop: whatever the caller does, the sandbox does not outlive it.
      const timer = setTimeout(killTree, request.timeoutMs);
      timer.unref();
      let stopping: Promise<void> | undefined;
      return {
        pid: child.pid,
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        stop() {
          stopping ??= (async () => {
            child.stdin?.end();
            const gone = await Promise.race([
              exited.then(() => true),
              new Promise<boolean>((r) => setTimeout(() => r(false), GRACE_MS)),
            ]);
            // bwrap runs in its own process group with --die-with-parent and a pid namespace: killing
            // the group takes the whole sandbox with it.
            killTree();
            if (!gone) await exited;
            clearTimeout(timer);
            await ready.cleanup();
            rmSync(scratch, { recursive: true, force: true });
          })();
          return stopping;
        },
      };
    },
  };
}
