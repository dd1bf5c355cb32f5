import { createHash } from 'node:crypto';
import { canonicalJson } from '@agentlang/manifest';

/** RFC 8785 canonical JSON (re-exported from @agentlang/manifest so digests agree across packages). */
export { canonicalJson };

/** `sha256:<64 hex>` of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** `sha256:<64 hex>` of the canonical JSON of a value: the integrity of a definition. */
export function digestJson(value: unknown): string {
  return sha256(canonicalJson(value));
}
