import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './hash.js';
import type { AgentManifest, SourceFile } from './types.js';

/** Version tag of the digest definition; bump it if the payload below ever changes. */
export const DIGEST_PREFIX = 'ag1';

/**
 * `ag1:<64 hex>` = sha256 of the RFC 8785 canonical JSON of
 * `{"format":"ag1","manifest":<normalised merged manifest>,"files":{<path>:"sha256:<hex>",…}}`
 * where `files` holds the referenced files that are not normalised into the manifest
 * (prompt.yaml, skills' SKILL.md, sub-agent manifests).
 */
export function computeDigest(manifest: AgentManifest, files: readonly SourceFile[] = []): string {
  const fileMap: Record<string, string> = {};
  for (const f of files) fileMap[f.path] = f.sha256;
  return `${DIGEST_PREFIX}:${sha256Hex(canonicalJson({ format: DIGEST_PREFIX, manifest, files: fileMap }))}`;
}
