import { chownSync, existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DescriptorFiles } from './descriptor-files.js';
import {
  EGRESS_BRIDGE_PATH,
  EGRESS_BRIDGE_SOURCE,
  EGRESS_DIR,
  EGRESS_PORT,
  egressEnvironment,
} from './egress-bridge.js';
import { egressAllowlist } from './egress-policy.js';
import { EGRESS_SOCKET_NAME, type EgressProxy, startEgressProxy } from './egress-proxy.js';
import { IsolationError } from './errors.js';
import { NOBODY_ID } from './host-settings.js';
import { inheritableDescriptors } from './leaked-descriptors.js';
import { createPidsCgroup, type PidsCgroup } from './pids-cgroup.js';
import type { IsolationPolicy } from './policy.js';
import { buildEnvironment, checkCommand } from './sandbox-env.js';
import { seccompProgram } from './seccomp/precompiled.js';
import type { IsolationBackend, PreparedSandbox, SandboxCommand } from './types.js';

/** Options of {@link createBwrapBackend}. */
export interface BwrapBackendOptions {
  /** Absolute path of the bwrap binary. */
  bwrapPath: string;
  /** Receives the egress proxy's refusals (one line each). */
  log?: (line: string) => void;
  /**
   * Host uid/gid the sandbox runs as when this process is root (`AGENTLANG_SANDBOX_USER`). Default:
   * 65534 (nobody). `{ uid: 0 }` keeps host root, an explicit and weaker choice. Ignored when not
   * running as root (the sandbox is then the caller).
   */
  sandboxUser?: { uid: number; gid: number };
}

/**
 * /proc entries that reach the host kernel rather than the sandbox's own processes: sysctls
 * (`kernel.core_pattern` runs a program as host root), the SysRq trigger, IRQ affinity, bus and
 * driver tunables. Bound read-only over the sandbox's fresh /proc, whoever runs it (the list
 * Docker and bubblewrap's own setuid mode cover).
 */
export const PROC_READ_ONLY = [
  '/proc/sys',
  '/proc/sysrq-trigger',
  '/proc/irq',
  '/proc/bus',
  '/proc/fs',
  '/proc/acpi',
  '/proc/scsi',
  '/proc/asound',
  '/proc/driver',
];

/** Where secrets appear inside the sandbox (a private tmpfs). */
export const SECRETS_DIR = '/run/agentlang/secrets';

/** Top-level system directories bound read-only (or recreated as the same symlink). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];
/** /etc entries every process needs (dynamic linker cache, alternatives symlinks). */
const ETC_BASE = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime'];
/** /etc entries for name resolution and TLS, bound only when the network is allowed. */
const ETC_NETWORK = [
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/gai.conf',
  '/etc/host.conf',
  '/etc/services',
  '/etc/protocols',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/pki',
];
/** /etc entries for TLS, bound when the sandbox reaches hosts through the egress proxy (no DNS needed: the proxy resolves). */
const ETC_TLS = ['/etc/ssl', '/etc/ca-certificates', '/etc/pki'];
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const SENSITIVE_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;

/** Checks the policy shape the bwrap backend can enforce, refusing what it cannot. */
export function assertBwrapCanEnforce(policy: IsolationPolicy): void {
  if (policy.schema !== 'agentlang.isolation/v1') {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `policy schema is ${JSON.stringify(policy.schema)}; expected "agentlang.isolation/v1"`,
      {
        details: { schema: policy.schema },
      },
    );
  }
  const allowlist = egressAllowlist(policy);
  if (allowlist && policy.exec === 'none') {
    throw new IsolationError(
      'SANDBOX_UNSUPPORTED',
      `the sandbox's egress (${allowlist.join(', ')}) goes through a bridge process inside the sandbox, which exec: none forbids (no new processes); declare exec: sandboxed, or network: none without hosts`,
      {
        details: {
          network: policy.network,
          allowedHosts: policy.allowedHosts,
          runtimeHosts: policy.egress?.runtimeHosts ?? [],
          exec: policy.exec,
        },
      },
    );
  }
  if (policy.filesystem.mode !== 'full' && policy.filesystem.readWrite.includes('/')) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `the policy grants the host root / read-write (workdir ${policy.workdir}) under filesystem: ${policy.filesystem.mode}, which would be host passthrough in disguise; run from a project directory, or declare filesystem: full`,
      { details: { workdir: policy.workdir, mode: policy.filesystem.mode } },
    );
  }
  for (const path of [...policy.filesystem.readOnly, ...policy.filesystem.readWrite, policy.workdir]) {
    if (!path.startsWith('/')) {
      throw new IsolationError('SANDBOX_INVALID_POLICY', `policy path ${JSON.stringify(path)} is not absolute`, {
        details: { path },
      });
    }
    if (!existsSync(path)) {
      throw new IsolationError(
        'SANDBOX_INVALID_POLICY',
        `policy grants ${path}, which does not exist on the host; create it or remove it from the scope`,
        { details: { path } },
      );
    }
  }
  const { memoryBytes, maxProcesses } = policy.limits;
  if (memoryBytes !== undefined && (!Number.isInteger(memoryBytes) || memoryBytes < 1024 * 1024)) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `limits.memoryBytes must be an integer of at least 1 MiB; found ${memoryBytes}`,
      {
        details: { memoryBytes },
      },
    );
  }
  if (maxProcesses !== undefined && (!Number.isInteger(maxProcesses) || maxProcesses < 1)) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `limits.maxProcesses must be a positive integer; found ${maxProcesses}`,
      {
        details: { maxProcesses },
      },
    );
  }
}

/** The in-sandbox shell prelude: reads secrets from the tmpfs files, applies rlimits, then execs the command without forking. */
export function buildPrelude(secretNames: string[], limits: { memoryKiB?: number; nproc?: number }): string {
  const lines = ['set -e'];
  for (const name of secretNames) {
    // Builtins only (no command substitution → no fork, so it works under exec: none). The file
    // holds the value plus one newline, which makes the join below exact.
    lines.push(
      `__al_v=; __al_n=0; while IFS= read -r __al_l; do if [ "$__al_n" = 0 ]; then __al_v=$__al_l; else __al_v="$__al_v\n$__al_l"; fi; __al_n=1; done < ${SECRETS_DIR}/${name}`,
      `export ${name}="$__al_v"`,
    );
  }
  if (secretNames.length) lines.push('unset __al_v __al_l __al_n');
  // RLIMIT_DATA (private writable memory), not RLIMIT_AS: see DEFAULT_MEMORY_BYTES.
  if (limits.memoryKiB !== undefined) lines.push(`ulimit -d ${limits.memoryKiB}`);
  // RLIMIT_NPROC is -u in bash and busybox, -p in dash (where -u is refused); set -e fails the run if neither takes.
  if (limits.nproc !== undefined) lines.push(`ulimit -u ${limits.nproc} 2>/dev/null || ulimit -p ${limits.nproc}`);
  lines.push('exec "$@"');
  return lines.join('\n');
}

/**
 * The spawn `stdio` array: 0..2 inherited (callers replace them), then the data descriptors bwrap
 * reads, and /dev/null over every descriptor this process leaked without close-on-exec: the child
 * would otherwise inherit it, and bwrap does not close descriptors it was not told about.
 */
function descriptorStdio(files: DescriptorFiles): Array<'inherit' | 'ignore' | number> {
  const stdio: Array<'inherit' | 'ignore' | number> = ['inherit', 'inherit', 'inherit', ...files.descriptors];
  const leaked = inheritableDescriptors().filter((fd) => fd >= stdio.length);
  if (leaked.length === 0) return stdio;
  const devNull = files.devNull();
  const last = Math.max(...leaked);
  for (let fd = stdio.length; fd <= last; fd++) stdio.push('ignore');
  for (const fd of leaked) stdio[fd] = devNull;
  return stdio;
}

/** The node binary that runs the egress bridge inside the sandbox: this very node, resolved. */
function nodeBinary(): string {
  try {
    return realpathSync(process.execPath);
  } catch {
    return process.execPath;
  }
}

function isSystemPath(path: string): boolean {
  return SYSTEM_DIRS.some((dir) => path.startsWith(`${dir}/`));
}

/**
 * The binds of {@link SYSTEM_DIRS}, looked up once per process: seven lstat and readlink calls were
 * 0.15 ms of a 1.35 ms prepare() (CPU, measured for bench 720), and the host's /usr layout does not
 * change under a running agent. Whatever it is, each entry stays a read-only bind or a symlink.
 */
let systemBindArgs: readonly string[] | undefined;

function systemBinds(args: string[]): void {
  if (!systemBindArgs) {
    const found: string[] = [];
    for (const dir of SYSTEM_DIRS) {
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(dir);
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) found.push('--symlink', readlinkSync(dir), dir);
      else if (stat.isDirectory()) found.push('--ro-bind', dir, dir);
    }
    systemBindArgs = found;
  }
  args.push(...systemBindArgs);
}

/** The default backend: bubblewrap with the hardened profile and the generated seccomp filter. */
export function createBwrapBackend(options: BwrapBackendOptions): IsolationBackend {
  return {
    name: 'bwrap',
    prepare(policy: IsolationPolicy, command: SandboxCommand): PreparedSandbox {
      checkCommand(command);
      assertBwrapCanEnforce(policy);
      const env = buildEnvironment(policy, command);
      const allowlist = egressAllowlist(policy);
      if (allowlist) Object.assign(env, egressEnvironment());
      const secrets = command.secrets ?? {};
      const secretNames = Object.keys(secrets);
      const runningAsRoot = process.getuid?.() === 0;
      assertBinaryOutsideGrants(options.bwrapPath, policy);
      // As root, the sandbox runs under an unprivileged host uid: kernel interfaces that trust uid 0
      // (sysctls, sysrq, peer credentials on the shared network) then refuse it, and RLIMIT_NPROC binds.
      const identity = runningAsRoot ? sandboxIdentity(policy, options.sandboxUser) : undefined;
      // The egress bridge runs this node inside the sandbox, so the sandbox user must reach it too.
      if (identity)
        assertReachable(
          policy,
          command.cwd,
          identity,
          allowlist && !isSystemPath(nodeBinary()) ? [dirname(nodeBinary())] : [],
        );

      let cgroup: PidsCgroup | undefined;
      let nproc: number | undefined;
      if (policy.limits.maxProcesses !== undefined) {
        if (runningAsRoot && !identity) {
          // Host root by explicit choice: RLIMIT_NPROC does not bind uid 0, so only a pids cgroup can count.
          cgroup = createPidsCgroup(policy.limits.maxProcesses);
          if (!cgroup) {
            throw new IsolationError(
              'SANDBOX_UNSUPPORTED',
              `limits.maxProcesses (${policy.limits.maxProcesses}) cannot be enforced: AGENTLANG_SANDBOX_USER=0 keeps the sandbox as host root, this host offers no writable pids cgroup, and RLIMIT_NPROC does not bind host root; unset AGENTLANG_SANDBOX_USER (the sandbox then runs as an unprivileged uid), mount the pids cgroup controller, or set AGENTLANG_SANDBOX_MAX_PROCESSES=unlimited`,
              { details: { maxProcesses: policy.limits.maxProcesses } },
            );
          }
        } else {
          // In the sandbox's own user namespace RLIMIT_NPROC counts that namespace's tasks only (Linux ≥ 5.14 ucounts).
          nproc = policy.limits.maxProcesses;
        }
      }

      let files: DescriptorFiles | undefined;
      let proxy: EgressProxy | undefined;
      try {
        files = new DescriptorFiles();
        // The runtime's endpoint and the agent's scoped hosts: a host-side proxy with the allowlist,
        // reached through its unix socket bound in, and a bridge on the sandbox's own loopback.
        if (allowlist) {
          proxy = startEgressProxy({
            allow: allowlist,
            resolve: policy.egress?.resolve ?? {},
            ...(options.log ? { log: options.log } : {}),
          });
          if (identity) {
            // The unprivileged sandbox user binds the proxy's private directory and connects to its socket.
            chownSync(proxy.dir, identity.uid, identity.gid);
            chownSync(proxy.socketPath, identity.uid, identity.gid);
          }
        }
        const args: string[] = [
          '--unshare-all',
          '--unshare-user',
          '--disable-userns',
          ...(policy.network === 'allowed' ? ['--share-net'] : []),
          '--new-session',
          '--die-with-parent',
          '--cap-drop',
          'ALL',
          '--hostname',
          'agentlang',
          '--clearenv',
        ];
        const redactedEnv: string[] = [];
        for (const [name, value] of Object.entries(env)) {
          args.push('--setenv', name, value);
          redactedEnv.push('--setenv', name, SENSITIVE_NAME.test(name) ? '<redacted>' : value);
        }
        if (policy.filesystem.mode === 'full') {
          // Host passthrough of files, not of kernel tunables: /sys (and its submounts) read-only, like /proc's.
          args.push(
            '--bind',
            '/',
            '/',
            '--ro-bind-try',
            '/sys',
            '/sys',
            '--proc',
            '/proc',
            ...procReadOnly(),
            '--dev',
            '/dev',
            '--tmpfs',
            '/run',
          );
        } else {
          systemBinds(args);
          args.push('--proc', '/proc', ...procReadOnly(), '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run');
          for (const path of [
            ...ETC_BASE,
            ...(policy.network === 'allowed' ? ETC_NETWORK : []),
            ...(proxy ? ETC_TLS : []),
          ]) {
            args.push('--ro-bind-try', path, path);
          }
          args.push('--ro-bind-data', String(files.add(PASSWD)), '/etc/passwd');
          args.push('--ro-bind-data', String(files.add(GROUP)), '/etc/group');
          args.push(...pathBinds(policy));
        }
        if (secretNames.length) {
          args.push('--dir', SECRETS_DIR, '--chmod', '0700', SECRETS_DIR);
          for (const name of secretNames) {
            args.push('--file', String(files.add(`${secrets[name]}\n`)), `${SECRETS_DIR}/${name}`);
          }
        }
        let bridge: string[] = [];
        if (proxy) {
          const node = nodeBinary();
          args.push('--dir', '/run/agentlang', '--ro-bind', proxy.dir, EGRESS_DIR);
          args.push('--file', String(files.add(EGRESS_BRIDGE_SOURCE)), EGRESS_BRIDGE_PATH);
          if (policy.filesystem.mode !== 'full' && !isSystemPath(node))
            args.push('--ro-bind', dirname(node), dirname(node));
          bridge = [node, EGRESS_BRIDGE_PATH, String(EGRESS_PORT), `${EGRESS_DIR}/${EGRESS_SOCKET_NAME}`];
        }
        for (const file of command.files ?? []) {
          const parent = dirname(file.path);
          if (parent === '/tmp' || parent.startsWith('/tmp/') || parent.startsWith('/run/')) args.push('--dir', parent);
          args.push('--file', String(files.add(file.content)), file.path);
        }
        // The program buildSeccompFilter() assembles, precompiled (seccomp/precompiled.ts, pinned by its test).
        args.push('--seccomp', String(files.add(seccompProgram({ denyNewProcesses: policy.exec === 'none' }))));
        // Nothing outside the granted paths is writable, not even the sandbox's own root (only /tmp and /run, private tmpfs).
        if (policy.filesystem.mode !== 'full') args.push('--remount-ro', '/');
        args.push('--chdir', command.cwd ?? policy.workdir);

        const memoryKiB =
          policy.limits.memoryBytes === undefined ? undefined : Math.floor(policy.limits.memoryBytes / 1024);
        const needsPrelude = secretNames.length > 0 || memoryKiB !== undefined || nproc !== undefined;
        const inner = needsPrelude
          ? [
              '/bin/sh',
              '-c',
              buildPrelude(secretNames, { memoryKiB, nproc }),
              'agentlang-sandbox',
              ...bridge,
              ...command.argv,
            ]
          : [...bridge, ...command.argv];
        const stdio = descriptorStdio(files);
        files.seal();

        let argv = [options.bwrapPath, ...args, '--', ...inner];
        let redactedArgv = [options.bwrapPath, ...redactEnvArgs(args, redactedEnv), '--', ...inner];
        if (cgroup) {
          // Join the pids cgroup before bwrap starts, so every process of the run is counted.
          const join = [
            '/bin/sh',
            '-c',
            'echo $$ > "$1/cgroup.procs" && shift && exec "$@"',
            'agentlang-cgroup',
            cgroup.dir,
          ];
          argv = [...join, ...argv];
          redactedArgv = [...join, ...redactedArgv];
        }
        let cleaned = false;
        const opened = files;
        const openedProxy = proxy;
        return {
          backend: 'bwrap',
          argv,
          redactedArgv,
          spawnOptions: {
            // Not the workdir: an unprivileged sandbox user may not be able to enter it on the host side.
            cwd: '/',
            // Empty: bwrap needs no environment (its path is absolute, the command's PATH comes from
            // --setenv), and its own initial environment is what /proc/1/environ shows inside.
            env: {},
            detached: true,
            stdio,
            ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
          },
          async cleanup() {
            if (cleaned) return;
            cleaned = true;
            opened.close();
            await openedProxy?.close();
            await cgroup?.remove();
          },
        };
      } catch (error) {
        files?.close();
        void proxy?.close();
        void cgroup?.remove();
        if (error instanceof IsolationError) throw error;
        throw new IsolationError(
          'SANDBOX_PREPARE_FAILED',
          `could not prepare the bwrap sandbox: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/**
 * Binds for the granted paths, parents before children so a nested grant keeps its own mode; a
 * path granted both ways is read-write, and the workdir is read-only unless granted read-write.
 */
export function pathBinds(policy: IsolationPolicy): string[] {
  const modes = new Map<string, 'ro' | 'rw'>();
  for (const path of policy.filesystem.readOnly) modes.set(path, 'ro');
  for (const path of policy.filesystem.readWrite) modes.set(path, 'rw');
  if (!modes.has(policy.workdir)) modes.set(policy.workdir, 'ro');
  const depth = (path: string) => path.split('/').filter(Boolean).length;
  const ordered = [...modes.keys()].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  return ordered.flatMap((path) => [modes.get(path) === 'rw' ? '--bind' : '--ro-bind', path, path]);
}

function redactEnvArgs(args: string[], redactedEnv: string[]): string[] {
  const out: string[] = [];
  let envIndex = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--setenv') {
      out.push(
        redactedEnv[envIndex] as string,
        redactedEnv[envIndex + 1] as string,
        redactedEnv[envIndex + 2] as string,
      );
      envIndex += 3;
      i += 2;
    } else {
      out.push(args[i] as string);
    }
  }
  return out;
}

/** `--ro-bind-try` of every {@link PROC_READ_ONLY} entry over the fresh /proc. */
function procReadOnly(): string[] {
  return PROC_READ_ONLY.flatMap((path) => ['--ro-bind-try', path, path]);
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Refuses a sandbox binary (bwrap, noether-sandbox) the sandbox could write (found under a granted read-write path): an agent
 * would replace the sandbox of the next run. `filesystem: full`'s `/` is not a grant of this kind.
 */
export function assertBinaryOutsideGrants(binary: string, policy: IsolationPolicy): void {
  const real = realOrSelf(binary);
  for (const grant of policy.filesystem.readWrite) {
    if (grant === '/') continue;
    const root = realOrSelf(grant);
    if (isInside(binary, grant) || isInside(real, root)) {
      throw new IsolationError(
        'SANDBOX_UNSUPPORTED',
        `the sandbox binary ${binary} lies inside ${grant}, which the sandbox may write: an agent could replace the sandbox of the next run; install it system-wide (e.g. apt-get install bubblewrap) and keep only system directories on PATH`,
        { details: { binary, grant } },
      );
    }
  }
}

/**
 * The unprivileged host identity a root caller runs the sandbox as, or undefined to stay root
 * (explicit `uid: 0`). Not the workdir's owner by default: whoever owns the sandbox's user namespace
 * can ptrace into it and read the secrets root handed it, so choosing a real user is left explicit.
 */
export function sandboxIdentity(
  _policy: IsolationPolicy,
  configured: { uid: number; gid: number } | undefined,
): { uid: number; gid: number } | undefined {
  if (configured) return configured.uid === 0 ? undefined : configured;
  return { uid: NOBODY_ID, gid: NOBODY_ID };
}

/**
 * The first path component `id` cannot pass (search on every ancestor; read and search on the path
 * itself), by mode bits: supplementary groups are dropped at spawn, and ACLs are not consulted.
 */
function blockedAt(path: string, id: { uid: number; gid: number }): string | undefined {
  const parts = realOrSelf(path).split('/').filter(Boolean);
  let current = '/';
  for (let i = 0; i <= parts.length; i++) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(current);
    } catch {
      return undefined; // a missing path is reported elsewhere
    }
    const bits = (stat.uid === id.uid ? stat.mode >> 6 : stat.gid === id.gid ? stat.mode >> 3 : stat.mode) & 7;
    const want = i < parts.length ? 1 : stat.isDirectory() ? 5 : 4;
    if ((bits & want) !== want) return current;
    if (i < parts.length) current = join(current, parts[i] as string);
  }
  return undefined;
}

/** bwrap sets up the sandbox as the unprivileged user, so every bound path must be reachable by it. */
export function assertReachable(
  policy: IsolationPolicy,
  cwd: string | undefined,
  id: { uid: number; gid: number },
  extra: string[] = [],
): void {
  const paths = [policy.workdir, ...(cwd ? [cwd] : []), ...extra];
  if (policy.filesystem.mode !== 'full') paths.push(...policy.filesystem.readWrite, ...policy.filesystem.readOnly);
  for (const path of new Set(paths)) {
    const blocked = blockedAt(path, id);
    if (blocked === undefined) continue;
    throw new IsolationError(
      'SANDBOX_UNSUPPORTED',
      `running as root, the sandbox runs as the unprivileged uid ${id.uid} (gid ${id.gid}), never as host root; that user cannot reach ${path} (blocked at ${blocked}); run as a regular user, or from a directory that uid can reach (searchable all the way down, e.g. not under /root; \`chown -R ${id.uid}:${id.gid} <dir>\` also lets the agent write there), or set AGENTLANG_SANDBOX_USER=uid[:gid] to a user that can (0 keeps host root, which is weaker)`,
      { details: { path, blocked, uid: id.uid, gid: id.gid } },
    );
  }
}
