import type { PromptDocument } from '@agentlang/promptlang';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestError } from './errors.js';
import type { AgentManifest, SourceFile } from './types.js';

/** Options for {@link loadAgent} and friends. */
export interface LoadOptions {
  /** Accept a partial (sub-agent) manifest: `version` may be absent. */
  partial?: boolean;
  /** Largest YAML/Markdown file accepted, in bytes (default 1 MiB). */
  maxFileBytes?: number;
  /** Largest number of YAML alias nodes expanded per document (default 100). */
  maxAliasCount?: number;
  /**
   * `sha256:<hex>` of referenced files that are deliberately not supplied, by root-relative path —
   * e.g. `{ 'prompt.yaml': … }` for a container whose prompt stays encrypted. They enter the
   * digest and `files` as if present; the file itself is not parsed.
   */
  fileDigests?: Record<string, string>;
  /**
   * Fetches an AgentSpec `base:` given as a registry reference (`tenant/name@version[#sha256:…]`) and
   * returns its verified manifest text. Without it such a base is `MANIFEST_BASE_REF`. This package
   * never does network itself; @agentlang/registry-client's `createRegistryBaseResolver` is one.
   */
  resolveBase?: (reference: string) => Promise<{ text: string }>;
}

/** Options for {@link loadAgentFromFiles}. */
export interface LoadFromFilesOptions extends LoadOptions {
  /** Path of the manifest among `files` (default `agent.yaml`). */
  entry?: string;
  /** What to call the source in messages and in `source.root` (default `<memory>`). */
  label?: string;
}

/** An agent loaded, validated, normalised and digested. */
export interface LoadedAgent {
  manifest: AgentManifest;
  /** `ag1:<64 hex>` content digest (see the package README for the exact definition). */
  digest: string;
  source: {
    kind: 'directory' | 'file' | 'memory';
    /** Absolute directory the agent's relative paths resolve against, or the in-memory label. */
    root: string;
    /** The manifest file, relative to `root` (`agent.yaml`, `demo.agent`). */
    entry: string;
  };
  /** Every file read to make this agent (entry, bases, prompt, ux, skills, sub-agents), sorted by path. */
  files: SourceFile[];
  /**
   * The bytes of a file in {@link files} exactly as they were read and digested — from the agent's
   * directory or from a container's entries — so a consumer (the harness reading a skill's SKILL.md)
   * uses what was validated, wherever the agent came from. Absent on agents not built by this package's loaders.
   */
  fileBytes?: (path: string) => Uint8Array | undefined;
  /** The parsed `prompt.yaml`, when the agent has one. */
  prompt?: { path: string; document: PromptDocument };
  /** Sub-agent manifests (static `delegate.agents` and dynamically discovered files), relative to `root`. */
  subAgentPaths: Array<{ name?: string; path: string }>;
  /** Non-fatal diagnostics (unknown keys, …). */
  warnings: Diagnostic[];
  /**
   * Where a path of the (inheritance-merged) source document was written, e.g. `['tools', 0, 'version']`
   * or `['runtime']`; falls back to the nearest written ancestor. Positions are never part of the
   * digest. Absent on agents not built by this package's loaders.
   */
  locate?(path: readonly (string | number)[], options?: { key?: boolean }): SourcePosition;
  /** Whether the source (any file of the `base:` chain) writes `path`, as opposed to a default filling it in. */
  written?(path: readonly (string | number)[]): boolean;
}

/** A place in an agent's source files: `file` relative to the agent root, 1-based line and column (0 when unknown). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** Result of {@link safeLoadAgent}: the agent, or the error that {@link loadAgent} would have thrown. */
export type SafeLoadResult = { ok: true; agent: LoadedAgent } | { ok: false; error: ManifestError };
