import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { inspectContainer } from '@agentlang/container';
import { canonicalJson, loadAgent, sha256Tagged, sniffInput } from '@agentlang/manifest';
import { RegistryClientError } from './errors.js';

/** A file ready to push: what it is, who it says it is, and the sha256 of its exact bytes. */
export interface PushableArtifact {
  path: string;
  kind: 'manifest' | 'container' | 'tool';
  name: string;
  version: string;
  /** `ag1:` digest of the agent (for a tool: `sha256:` of its canonical JSON, as the server computes it). */
  digest: string;
  /** Lower-case hex sha256 of the file. */
  sha256: string;
  size: number;
}

/** Streams a file through sha256. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Reads a file as a tool definition when it is a JSON object with `inputSchema` (and no `apiVersion`). */
async function readToolDefinition(
  path: string,
): Promise<{ name: string; version: string; digest: string } | undefined> {
  const info = await stat(path);
  if (info.size > 1 << 20) return undefined;
  const text = await readFile(path, 'utf8');
  if (!text.trimStart().startsWith('{')) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('inputSchema' in value) || 'apiVersion' in value)
    return undefined;
  if (typeof value.name !== 'string' || typeof value.version !== 'string') {
    throw new RegistryClientError(
      'REGISTRY_INPUT',
      `${path} looks like a tool definition but lacks a string "name" and "version"`,
      { details: { path } },
    );
  }
  return { name: value.name, version: value.version, digest: sha256Tagged(canonicalJson(value)) };
}

/**
 * Reads what `push` would send: a YAML manifest file (either dialect), a container, or a tool
 * definition (JSON with `inputSchema`), told apart by content. A directory is refused: its other files (prompt, skills) would be lost, so it must be
 * built into a container first (`agentlang publish` does both).
 */
export async function readPushable(path: string): Promise<PushableArtifact> {
  const kind = await sniffInput(path).catch((cause: unknown) => {
    throw new RegistryClientError('REGISTRY_INPUT', `cannot read ${path}: ${(cause as Error).message}`, {
      details: { path },
      cause,
    });
  });
  if (kind === 'directory') {
    throw new RegistryClientError(
      'REGISTRY_INPUT',
      `${path} is a directory; push a YAML manifest file or a container, or run \`agentlang publish ${path}\` to build the signed container and push it`,
      { details: { path } },
    );
  }
  let name: string;
  let version: string | undefined;
  let digest: string;
  const tool = kind === 'yaml' ? await readToolDefinition(path) : undefined;
  if (tool) {
    const { sha256, size } = await hashFile(path);
    return { path, kind: 'tool', ...tool, sha256, size };
  }
  if (kind === 'container') {
    const info = await inspectContainer(path);
    ({ name, version, digest } = info.agent);
  } else {
    const agent = await loadAgent(path);
    ({ name, version } = agent.manifest);
    digest = agent.digest;
  }
  if (!version)
    throw new RegistryClientError(
      'REGISTRY_INPUT',
      `${path} has no version; a pushed agent needs one (version: "0.1.0")`,
      { details: { path } },
    );
  const { sha256, size } = await hashFile(path);
  const info = await stat(path);
  if (info.size !== size)
    throw new RegistryClientError('REGISTRY_INPUT', `${path} changed while it was read`, { details: { path } });
  return { path, kind: kind === 'container' ? 'container' : 'manifest', name, version, digest, sha256, size };
}
