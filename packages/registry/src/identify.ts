import { readFile, stat } from 'node:fs/promises';
import { openContainer } from '@agentlang/container';
import { canonicalJson, loadAgentFromFiles, sha256Tagged, sniffBytes } from '@agentlang/manifest';
import { findExcessiveNesting, MAX_NESTING_DEPTH } from '@agentlang/safe-yaml';
import { parseDocument } from 'yaml';
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
  return new RegistryError('REGISTRY_INVALID_ARTIFACT', `the uploaded ${kind} is not valid: ${reason}`, {
    details: { kind, cause: (cause as { code?: string }).code ?? null },
    cause,
  });
}

/** Largest bare YAML manifest accepted, in bytes (the manifest loader's own file limit). */
export const MAX_MANIFEST_BYTES = 1 << 20;

const ENCRYPTED_PROMPT = 'prompt.yaml.enc';
const PROMPT = 'prompt.yaml';
const LOCK = 'agent.lock';

/** Refuses text nested deeper than {@link MAX_NESTING_DEPTH} before any parser sees it. */
function assertShallow(kind: string, file: string, bytes: Uint8Array): void {
  const excess = findExcessiveNesting(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (excess) {
    throw new RegistryError(
      'REGISTRY_TOO_COMPLEX',
      `the uploaded ${kind} nests deeper than ${MAX_NESTING_DEPTH} levels (${file}:${excess.line}:${excess.column}); no agent needs that — flatten the document`,
      { details: { kind, file, line: excess.line, column: excess.column, maxDepth: MAX_NESTING_DEPTH } },
    );
  }
}

const YAML_FILE = /\.(ya?ml|agent)$/;

/**
 * The `sha256:` of the plaintext prompt, as the container's own lock records it (the lock is an
 * entry of the signed index, so its bytes were verified). The registry never decrypts the prompt:
 * this digest stands in for it when the agent's `ag1:` digest is recomputed.
 */
function promptDigestFromLock(files: Record<string, Uint8Array>): string {
  const lock = files[LOCK];
  let recorded: unknown;
  try {
    // agentlang.lock/v2 keys files by role (`prompt`), v1 by path (`prompt.yaml`).
    const locked = lock
      ? (JSON.parse(Buffer.from(lock).toString('utf8')) as { files?: Record<string, unknown> }).files
      : undefined;
    recorded = locked?.prompt ?? locked?.[PROMPT];
  } catch (cause) {
    throw new Error(`its ${LOCK} is not JSON`, { cause });
  }
  if (typeof recorded !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(recorded)) {
    throw new Error(
      `its prompt is encrypted, and its ${LOCK} records no sha256 for ${PROMPT} to check the agent digest with; rebuild it with \`agentlang build\``,
    );
  }
  return recorded;
}

/**
 * The default identifier: a ustar archive is a container — its structure, signed index and every
 * entry digest verified by @agentlang/container, and its agent reloaded so that its `ag1:` digest
 * must equal the index's. The encrypted prompt is never decrypted (the registry has no identity):
 * its plaintext digest comes from the container's verified lock. Anything else must be a YAML
 * manifest of either dialect (@agentlang/manifest). Every YAML or JSON text is bounded in nesting
 * before it is parsed.
 */
export const identifyArtifact: IdentifyArtifact = async (path, head, options = {}) => {
  const signers = options.signers ?? [];
  if (sniffBytes(head) === 'container') {
    let opened: Awaited<ReturnType<typeof openContainer>>;
    try {
      opened = await openContainer(path, signers.length > 0 ? { publicKeys: signers, requireSignature: true } : {});
    } catch (cause) {
      if (
        signers.length > 0 &&
        /^SIGNATURE_|^CONTAINER_(SIGNATURE|UNSIGNED|KEY)/.test(String((cause as { code?: string }).code))
      ) {
        throw new RegistryError(
          'REGISTRY_UNSIGNED',
          `this tenant accepts only containers signed by one of its ${signers.length} publisher key(s), and this one is not: ${(cause as Error).message.split(path).join('<upload>')}; sign it with \`agentlang publish --sign-key-env VAR\``,
          { details: { signers: signers.length }, cause },
        );
      }
      throw invalid('container', cause, path);
    }
    const { index, files } = opened;
    for (const [file, bytes] of Object.entries(files))
      if (file === LOCK || file === index.entry || YAML_FILE.test(file)) assertShallow('container', file, bytes);
    let digest: string;
    let description: string | undefined;
    try {
      const sealed = index.encryption !== null && index.entries.some((e) => e.path === ENCRYPTED_PROMPT);
      const agent = await loadAgentFromFiles(files, {
        entry: index.entry,
        label: 'upload',
        ...(sealed ? { fileDigests: { [PROMPT]: promptDigestFromLock(files) } } : {}),
      });
      if (agent.digest !== index.agent.digest) {
        throw new Error(
          `the agent inside has digest ${agent.digest}, but the signed index says ${index.agent.digest}; the container is inconsistent`,
        );
      }
      if (agent.manifest.name !== index.agent.name || agent.manifest.version !== index.agent.version) {
        throw new Error(
          `the manifest says ${agent.manifest.name}@${agent.manifest.version ?? '(no version)'} but the index says ${index.agent.name}@${index.agent.version}`,
        );
      }
      digest = agent.digest;
      description = agent.manifest.description;
    } catch (cause) {
      throw invalid('container', cause, path);
    }
    return {
      kind: 'container',
      name: index.agent.name,
      version: index.agent.version,
      digest,
      ...(description ? { description } : {}),
    };
  }
  if (signers.length > 0) {
    throw new RegistryError(
      'REGISTRY_UNSIGNED',
      'this tenant accepts only signed containers, not bare YAML manifests; publish the agent with `agentlang publish --sign-key-env VAR`',
      { details: { signers: signers.length } },
    );
  }
  const size = (await stat(path)).size;
  if (size > MAX_MANIFEST_BYTES) {
    throw new RegistryError(
      'REGISTRY_TOO_LARGE',
      `the upload is not a container, and a YAML manifest is at most ${MAX_MANIFEST_BYTES} bytes (this one is ${size}); build a container with \`agentlang build\``,
      { details: { limitBytes: MAX_MANIFEST_BYTES, size } },
    );
  }
  const bytes = await readFile(path);
  assertShallow('manifest', 'agent.yaml', bytes);
  let agent: Awaited<ReturnType<typeof loadAgentFromFiles>>;
  try {
    agent = await loadAgentFromFiles({ 'agent.yaml': bytes }, { entry: 'agent.yaml', label: 'upload' });
  } catch (cause) {
    throw invalid('manifest', cause, path);
  }
  const { name, version, description } = agent.manifest;
  if (!version) throw invalid('manifest', new Error('the manifest has no version'));
  return { kind: 'manifest', name, version, digest: agent.digest, ...(description ? { description } : {}) };
};

/** Largest tool definition accepted, in bytes. */
export const MAX_TOOL_BYTES = 1 << 20;

const TOOL_KEYS = ['name', 'version', 'description', 'inputSchema', 'outputSchema'];

/**
 * Keys that are refused anywhere in a tool definition: a consumer that merges or spreads the
 * definition must never meet an own `__proto__` (prototype pollution in a looser parser).
 */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** Finds duplicate and forbidden keys at any depth (JSON.parse keeps the last duplicate silently). */
function keyProblems(text: string): string[] {
  // `yaml` in the JSON schema reads JSON exactly and reports every duplicate key with its place;
  // the text is valid JSON already (JSON.parse ran first) and bounded in nesting.
  const doc = parseDocument(text, { schema: 'json', uniqueKeys: true, prettyErrors: false });
  const problems = doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => `duplicate key at offset ${e.pos[0]}`);
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${at}[${i}]`);
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key)) problems.push(`key "${key}" at ${at || '(top)'} is not allowed`);
        walk((value as Record<string, unknown>)[key], `${at}/${key}`);
      }
    }
  };
  walk(JSON.parse(text), '');
  return problems;
}

/**
 * Parses an uploaded tool definition (`agentlang.tool/v1`: the resolver's ToolDefinition — `name`,
 * exact `version`, `description`, `inputSchema`, optional `outputSchema`, nothing else); its digest
 * is the resolver's integrity, `sha256:` of the RFC 8785 canonical JSON. Duplicate keys and
 * `__proto__` are refused at any depth.
 */
export async function identifyTool(path: string): Promise<ArtifactIdentity> {
  let value: unknown;
  let text: string;
  try {
    const bytes = await readFile(path);
    assertShallow('tool definition', 'tool.json', bytes);
    text = bytes.toString('utf8');
    value = JSON.parse(text);
  } catch (cause) {
    if (cause instanceof RegistryError) throw cause;
    throw invalid('tool definition', cause, path);
  }
  const def = value as Record<string, unknown> | null;
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null || Array.isArray(def)) problems.push('it is not a JSON object');
  else {
    problems.push(...keyProblems(text));
    const unknown = Object.keys(def).filter((k) => !TOOL_KEYS.includes(k));
    if (unknown.length > 0)
      problems.push(
        `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`,
      );
    if (typeof def.name !== 'string') problems.push('"name" is not a string');
    if (typeof def.version !== 'string') problems.push('"version" is not a string');
    if (typeof def.description !== 'string') problems.push('"description" is not a string');
    if (typeof def.inputSchema !== 'object' || def.inputSchema === null || Array.isArray(def.inputSchema))
      problems.push('"inputSchema" is not a JSON Schema object');
    if (
      def.outputSchema !== undefined &&
      (typeof def.outputSchema !== 'object' || def.outputSchema === null || Array.isArray(def.outputSchema))
    )
      problems.push('"outputSchema" is not a JSON Schema object');
  }
  if (problems.length > 0) {
    throw invalid(
      'tool definition',
      new Error(
        `${problems.join('; ')}; expected exactly {"name","version","description","inputSchema"[,"outputSchema"]}`,
      ),
    );
  }
  const tool = def as { name: string; version: string; description: string };
  return {
    kind: 'tool',
    name: tool.name,
    version: tool.version,
    digest: sha256Tagged(canonicalJson(tool)),
    description: tool.description,
  };
}
