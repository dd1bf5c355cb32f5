import { readFile, stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import type { ResolveOptions } from '@agentlang/resolver';
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

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Builds `<name>@<version>.agent` from an agent directory or YAML file: loads it, resolves and
 * locks it (or keeps the existing lock; `frozen` refuses any change), encrypts `prompt.yaml`,
 * bundles `context/` (directories only) and writes the signed, deterministic container.
 */
export async function buildContainer(agentPath: string, options: BuildOptions = {}): Promise<BuildResult> {
  const [{ loadAgent }, { lockAgent }] = await Promise.all([import('@agentlang/manifest'), import('@agentlang/lock')]);
  const agent = await loadAgent(agentPath);
  const { name, version } = agent.manifest;
  if (version === undefined) {
    throw new ContainerError(ContainerErrorCode.SOURCE_INVALID, `${agentPath} has no version; a container is named <name>@<version>.agent — add \`version: 1.0.0\``, { agent: name });
  }
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const locked = await lockAgent(agentPath, {
    frozen,
    ...(options.env && { env: options.env }),
    ...(options.resolve && { resolve: options.resolve }),
  }).catch((cause: { code?: string; message?: string }) => {
    if (frozen && (cause.code === 'LOCK_DRIFT' || cause.code === 'LOCK_NOT_FOUND')) {
      throw new ContainerError(ContainerErrorCode.FROZEN, `cannot build ${name}@${version} with --frozen: ${cause.message}`, { agent: `${name}@${version}` }, { cause });
    }
    throw cause;
  });
  if (locked.plan.agent.digest !== agent.digest) {
    throw new ContainerError(ContainerErrorCode.SOURCE_INVALID, `${agentPath} changed while it was being built (digest ${agent.digest} → ${locked.plan.agent.digest}); build again`, { agent: name });
  }
  const root = agent.source.root;
  const promptPath = agent.prompt?.path;
  const sources: Array<{ path: string; bytes: Uint8Array }> = [];
  let prompt: Uint8Array | undefined;
  for (const file of agent.files) {
    const rel = file.path;
    if (rel.startsWith('../') || posix.isAbsolute(rel)) {
      throw new ContainerError(ContainerErrorCode.SOURCE_INVALID, `${agentPath} uses ${rel}, which lies outside the agent's directory ${root}; a container holds only files under it — move the file in`, { file: rel });
    }
    const bytes = await readFile(resolve(root, rel));
    if (rel === promptPath) {
      if (rel !== PROMPT_FILE) {
        throw new ContainerError(ContainerErrorCode.SOURCE_INVALID, `the prompt of ${name} is ${rel}; a container encrypts the prompt only at ${PROMPT_FILE} next to the manifest`, { file: rel });
      }
      prompt = bytes;
      continue;
    }
    if (posix.basename(rel) === PROMPT_FILE) {
      throw new ContainerError(ContainerErrorCode.SOURCE_INVALID, `${rel} looks like a sub-agent prompt; only the root ${PROMPT_FILE} is encrypted, so it would be stored in plaintext — inline it or remove it`, { file: rel });
    }
    if (rel === LOCK_ENTRY || rel.startsWith(CONTEXT_DIR)) continue;
    sources.push({ path: rel, bytes });
  }
  const contextDir = agent.source.kind === 'directory' && (await isDirectory(resolve(root, 'context'))) ? resolve(root, 'context') : undefined;
  const out = options.out ?? resolve(options.cwd ?? process.cwd(), `${name}@${version}.agent`);
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
    out,
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  return { path: packed.path, index: packed.index, agent, lockWritten: locked.written && locked.changed, lockPath: locked.lockPath };
}
