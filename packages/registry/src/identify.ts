import { readFile } from 'node:fs/promises';
import { loadContainerAgent } from '@agentlang/container';
import { canonicalJson, loadAgentFromFiles, sha256Tagged, sniffBytes } from '@agentlang/manifest';
import { RegistryError } from './errors.js';
import type { ArtifactKind } from './storage.js';

/** What the registry learns by parsing an uploaded artifact. */
export interface ArtifactIdentity {
  kind: ArtifactKind;
  name: string;
  version: string;
  /** `ag1:` content digest of the agent. */
  digest: string;
  description?: string;
}

/** Options of {@link IdentifyArtifact}. */
export interface IdentifyOptions {
  /** Ed25519 public keys (hex): the artifact must be a container whose signature verifies under one of them. */
  signers?: string[];
}

/** Parses an uploaded artifact, by content: reads the agent's own name, version and digest. */
export type IdentifyArtifact = (path: string, head: Uint8Array, options?: IdentifyOptions) => Promise<ArtifactIdentity>;

function invalid(kind: string, cause: unknown, path?: string): RegistryError {
  let reason = cause instanceof Error ? cause.message : String(cause);
  // The staging path is the server's business: never echo it to the client.
  if (path) reason = reason.split(path).join('<upload>');
  return new RegistryError('REGISTRY_INVALID_ARTIFACT', `the uploaded ${kind} is not valid: ${reason}`, { kind, cause: (cause as { code?: string }).code ?? null }, { cause });
}

/**
 * The default identifier: a ustar archive is a container (verified entry by entry against its
 * signed index by @agentlang/container, and its agent reloaded); anything else must be a YAML
 * manifest of either dialect (@agentlang/manifest).
 */
export const identifyArtifact: IdentifyArtifact = async (path, head, options = {}) => {
  const signers = options.signers ?? [];
  if (sniffBytes(head) === 'container') {
    let loaded: Awaited<ReturnType<typeof loadContainerAgent>>;
    try {
      // Every entry checked against the signed index, and the agent inside reloaded: its digest
      // must be the one the index claims (the prompt stays encrypted; the registry never reads it).
      loaded = await loadContainerAgent(path, signers.length > 0 ? { publicKeys: signers, requireSignature: true } : {});
    } catch (cause) {
      if (signers.length > 0 && /^SIGNATURE_|^CONTAINER_(SIGNATURE|UNSIGNED|KEY)/.test(String((cause as { code?: string }).code))) {
        throw new RegistryError('REGISTRY_UNSIGNED', `this tenant accepts only containers signed by one of its ${signers.length} publisher key(s), and this one is not: ${(cause as Error).message.split(path).join('<upload>')}; sign it with \`agentlang publish --sign-key-env VAR\``, { signers: signers.length }, { cause });
      }
      throw invalid('container', cause, path);
    }
    const { name, version, digest } = loaded.index.agent;
    const description = loaded.agent.manifest.description;
    return { kind: 'container', name, version, digest, ...(description ? { description } : {}) };
  }
  if (signers.length > 0) {
    throw new RegistryError('REGISTRY_UNSIGNED', 'this tenant accepts only signed containers, not bare YAML manifests; publish the agent with `agentlang publish --sign-key-env VAR`', { signers: signers.length });
  }
  let agent: Awaited<ReturnType<typeof loadAgentFromFiles>>;
  try {
    agent = await loadAgentFromFiles({ 'agent.yaml': await readFile(path) }, { entry: 'agent.yaml', label: 'upload' });
  } catch (cause) {
    throw invalid('manifest', cause, path);
  }
  const { name, version, description } = agent.manifest;
  if (!version) throw invalid('manifest', new Error('the manifest has no version'));
  return { kind: 'manifest', name, version, digest: agent.digest, ...(description ? { description } : {}) };
};

/** Largest tool definition accepted, in bytes. */
export const MAX_TOOL_BYTES = 1 << 20;

/**
 * Parses an uploaded tool definition (`agentlang.tool/v1`: the resolver's ToolDefinition — `name`,
 * exact `version`, `description`, `inputSchema`, optional `outputSchema`); its digest is the
 * resolver's integrity, `sha256:` of the RFC 8785 canonical JSON.
 */
export async function identifyTool(path: string): Promise<ArtifactIdentity> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw invalid('tool definition', cause, path);
  }
  const def = value as Record<string, unknown> | null;
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null || Array.isArray(def)) problems.push('it is not a JSON object');
  else {
    if (typeof def.name !== 'string') problems.push('"name" is not a string');
    if (typeof def.version !== 'string') problems.push('"version" is not a string');
    if (typeof def.description !== 'string') problems.push('"description" is not a string');
    if (typeof def.inputSchema !== 'object' || def.inputSchema === null || Array.isArray(def.inputSchema)) problems.push('"inputSchema" is not a JSON Schema object');
    if (def.outputSchema !== undefined && (typeof def.outputSchema !== 'object' || def.outputSchema === null)) problems.push('"outputSchema" is not a JSON Schema object');
  }
  if (problems.length > 0) {
    throw invalid('tool definition', new Error(`${problems.join('; ')}; expected {"name","version","description","inputSchema"[,"outputSchema"]}`));
  }
  const tool = def as { name: string; version: string; description: string };
  return { kind: 'tool', name: tool.name, version: tool.version, digest: sha256Tagged(canonicalJson(tool)), description: tool.description };
}
