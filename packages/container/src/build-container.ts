import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import type { LockResult } from '@agentlang/lock';
import type { LoadedAgent } from '@agentlang/manifest';
import type { ResolvedPlan, ResolveOptions } from '@agentlang/resolver';
import type { ContainerIndex } from './container-index.js';
import { CONTEXT_DIR, LOCK_ENTRY, PROMPT_FILE } from './container-index.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { type BuildProgress, packContainer } from './pack-container.js';

/** Options of {@link buildContainer}. */
export interface BuildOptions {
  /** Output file (default `<cwd>/<name>@<version>.agent`). */
  out?: string;
  /** Working directory for the default output path (default `process.cwd()`). */
  cwd?: string;
  /** Ed25519 signing keys (hex seeds); without any the container is unsigned. */
  signingKeys?: string[];
  /** X25519 recipients (`agentlang-x25519-…`) who may decrypt the prompt. */
  recipients?: string[];
  /** A passphrase that may decrypt the prompt (scrypt). */
  passphrase?: string;
  /** scrypt cost for the passphrase (default N=2^15, r=8, p=1). */
  scrypt?: { N: number; r: number; p: number };
  /** Refuse to create or change the lock (`--frozen`; the default when CI=true). */
  frozen?: boolean;
  /**
   * Keys to sign the lock again when it is signed and must change (default: `signingKeys`). Without
   * any, a signed lock that must change is refused (LOCK_KEY_MISSING) rather than written unsigned.
   */
  lockSigningKeys?: string[];
  /** Passed to the resolver (environment, catalogs, MCP probing, …). */
  resolve?: ResolveOptions;
  /** Environment for the resolver and the CI default of `frozen`. */
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: BuildProgress) => void;
}

/** What {@link buildContainer} produced. */
export interface BuildResult {
  path: string;
  index: ContainerIndex;
  agent: LoadedAgent;
  /** Whether the lock file on disk was (re)written by this build. */
  lockWritten: boolean;
  lockPath: string;
}

/**
 * Refuses a symbolic link anywhere on the way from the agent root to `rel` (every component, the
 * file included). An agent can plant links in its own workdir; build packs regular files only.
 */
async function assertNoLink(root: string, rel: string, what: string): Promise<void> {
  let at = root;
  for (const part of rel.split('/')) {
    at = join(at, part);
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (st.isSymbolicLink()) {
      throw new ContainerError(
        ContainerErrorCode.SourceLink,
        `${at} (on the way to ${what} ${rel}) is a symbolic link; build never follows a link into a container — replace it with the real file or directory`,
        { details: { file: rel, link: at } },
      );
    }
  }
}

/**
 * Reads a source file without following a link (O_NOFOLLOW on the last component, every other
 * component checked just before) and checks its bytes are the ones the agent was loaded (and locked) with.
 */
async function readSource(root: string, rel: string, sha256: string, what: string): Promise<Uint8Array> {
  await assertNoLink(root, rel, what);
  const fh = await open(resolve(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP')
        throw new ContainerError(
          ContainerErrorCode.SourceLink,
          `${rel} is a symbolic link; build never follows a link into a container`,
          { details: { file: rel } },
        );
      throw error;
    },
  );
  try {
    if (!(await fh.stat()).isFile())
      throw new ContainerError(ContainerErrorCode.SourceInvalid, `${rel} is not a regular file`, {
        details: { file: rel },
      });
    const bytes = await fh.readFile();
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== sha256) {
      throw new ContainerError(
        ContainerErrorCode.SourceInvalid,
        `${rel} changed while the container was being built; build again`,
        { details: { file: rel } },
      );
    }
    return bytes;
  } finally {
    await fh.close();
  }
}

/** What a source file is, for messages. */
function roleOf(agent: LoadedAgent, rel: string): string {
  if (rel === agent.source.entry) return 'the manifest';
  if (rel === agent.prompt?.path) return 'the prompt';
  if (agent.subAgentPaths.some((s) => s.path === rel)) return 'sub-agent';
  if (agent.manifest.skills.some((s) => s.file === rel)) return 'skill';
  return 'source file';
}

/**
 * Builds `<name>@<version>.agent` from an agent directory or YAML file: loads it, resolves and
 * locks it (keeping the lock on disk while its portable part matches; `frozen` refuses any change),
 * encrypts `prompt.yaml`, bundles `context/` (directories only) and writes the signed,
 * deterministic container. A symbolic link on the way into the container is refused. Nothing is
 * written unless the whole build succeeds: the lock goes to disk only once the container is complete.
 */
export async function buildContainer(agentPath: string, options: BuildOptions = {}): Promise<BuildResult> {
  const [{ loadAgent }, { checkLockFileBeforeProbes, lockPathFor, lockPlan, writeLockFile }, { resolvePlan }] =
    await Promise.all([import('@agentlang/manifest'), import('@agentlang/lock'), import('@agentlang/resolver')]);
  const agent = await loadAgent(agentPath);
  const { name, version } = agent.manifest;
  if (version === undefined) {
    throw new ContainerError(
      ContainerErrorCode.SourceInvalid,
      `${agentPath} has no version; a container is named <name>@<version>.agent — add \`version: 1.0.0\``,
      { details: { agent: name } },
    );
  }
  const root = agent.source.root;
  // Links first, before anything is resolved or locked.
  for (const file of agent.files) {
    if (!file.path.startsWith('../') && !posix.isAbsolute(file.path))
      await assertNoLink(root, file.path, roleOf(agent, file.path));
  }
  const contextPath = resolve(root, 'context');
  let contextDir: string | undefined;
  if (agent.source.kind === 'directory') {
    const st = await lstat(contextPath).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      throw new ContainerError(
        ContainerErrorCode.SourceLink,
        `${contextPath} is a symbolic link; build never follows a link into a container — make context/ a real directory holding the files`,
        { details: { file: 'context' } },
      );
    }
    if (st?.isDirectory()) contextDir = contextPath;
  }
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const lockKeys = (options.lockSigningKeys ?? options.signingKeys ?? []).map((privateKey) => ({ privateKey }));
  // The agent loaded (and checked for links) above is the one resolved, locked and packed: it is
  // not read twice. Frozen, the lock must hold before any dependency check or MCP server starts.
  const lockPath = lockPathFor(agentPath);
  const beforeProbe = frozen
    ? (draft: ResolvedPlan) => {
        checkLockFileBeforeProbes(draft, { lockPath, agentPath });
        return options.resolve?.beforeProbe?.(draft);
      }
    : options.resolve?.beforeProbe;
  let plan: ResolvedPlan;
  let locked: LockResult;
  try {
    plan = await resolvePlan(agent, {
      ...(options.env && { env: options.env }),
      ...options.resolve,
      ...(beforeProbe && { beforeProbe }),
    });
    const manifestPath = relative(dirname(resolve(lockPath)), join(root, agent.source.entry))
      .split(sep)
      .join('/');
    locked = lockPlan(plan, {
      lockPath,
      manifestPath,
      agentPath,
      frozen,
      keepMatching: true,
      write: false,
      signingKeys: lockKeys,
      ...(options.env && { env: options.env }),
    });
  } catch (error) {
    const cause = error as { code?: string; message?: string };
    if (frozen && (cause.code === 'LOCK_DRIFT' || cause.code === 'LOCK_NOT_FOUND')) {
      throw new ContainerError(
        ContainerErrorCode.Frozen,
        `cannot build ${name}@${version} with --frozen: ${cause.message}`,
        { details: { agent: `${name}@${version}` }, cause },
      );
    }
    throw error;
  }
  if (plan.agent.digest !== agent.digest) {
    throw new ContainerError(
      ContainerErrorCode.SourceInvalid,
      `${agentPath} changed while it was being built (digest ${agent.digest} → ${plan.agent.digest}); build again`,
      { details: { agent: name } },
    );
  }
  const promptPath = agent.prompt?.path;
  const sources: Array<{ path: string; bytes: Uint8Array }> = [];
  let prompt: Uint8Array | undefined;
  for (const file of agent.files) {
    const rel = file.path;
    if (rel.startsWith('../') || posix.isAbsolute(rel)) {
      throw new ContainerError(
        ContainerErrorCode.SourceInvalid,
        `${agentPath} uses ${rel}, which lies outside the agent's directory ${root}; a container holds only files under it — move the file in`,
        { details: { file: rel } },
      );
    }
    const bytes = await readSource(root, rel, file.sha256, roleOf(agent, rel));
    if (rel === promptPath) {
      if (rel !== PROMPT_FILE) {
        throw new ContainerError(
          ContainerErrorCode.SourceInvalid,
          `the prompt of ${name} is ${rel}; a container encrypts the prompt only at ${PROMPT_FILE} next to the manifest`,
          { details: { file: rel } },
        );
      }
      prompt = bytes;
      continue;
    }
    if (posix.basename(rel) === PROMPT_FILE) {
      throw new ContainerError(
        ContainerErrorCode.SourceInvalid,
        `${rel} looks like a sub-agent prompt; only the root ${PROMPT_FILE} is encrypted, so it would be stored in plaintext — inline it or remove it`,
        { details: { file: rel } },
      );
    }
    if (rel === LOCK_ENTRY || rel.startsWith(CONTEXT_DIR)) continue;
    sources.push({ path: rel, bytes });
  }
  const out = options.out ?? resolve(options.cwd ?? process.cwd(), `${name}@${version}.agent`);
  // Packed under a temporary name beside the output; the lock is written, then the container
  // renamed into place. A failure before that leaves the directory as it was.
  const staging = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.building`);
  try {
    const packed = await packContainer({
      agent: { name, version, digest: agent.digest, dialect: agent.manifest.dialect },
      entry: agent.source.entry,
      sources,
      ...(prompt !== undefined && { prompt }),
      lock: locked.bytes,
      ...(contextDir !== undefined && { contextDir }),
      signingKeys: options.signingKeys ?? [],
      encryptTo: {
        recipients: options.recipients ?? [],
        ...(options.passphrase !== undefined && { passphrase: options.passphrase }),
        ...(options.scrypt && { scrypt: options.scrypt }),
      },
      out: staging,
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    const before = locked.changed ? await readFile(locked.lockPath).catch(() => undefined) : undefined;
    if (locked.changed) writeLockFile(locked.lockPath, locked.bytes);
    try {
      await rename(staging, out);
    } catch (error) {
      // Put the old lock back: a build that did not produce its container changes nothing.
      if (locked.changed) {
        if (before === undefined) await rm(locked.lockPath, { force: true });
        else writeLockFile(locked.lockPath, before);
      }
      throw error;
    }
    return { path: out, index: packed.index, agent, lockWritten: locked.changed, lockPath: locked.lockPath };
  } finally {
    await rm(staging, { force: true });
  }
}
