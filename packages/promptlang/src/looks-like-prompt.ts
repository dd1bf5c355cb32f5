import { readYaml } from '@agentlang/safe-yaml';
import { isMap, isScalar } from 'yaml';

/**
 * Whether YAML text is a PromptLang document rather than an agent manifest: its top level is a
 * mapping with `sections` and without a manifest's `name` or `apiVersion`. Decided by content,
 * never by file name; text that is not YAML at all (or too large or deep to read safely) is not a prompt.
 */
export function looksLikePrompt(text: string): boolean {
  const reading = readYaml(text);
  if (reading.issues.length === 0) {
    // Read cleanly: the data decides (no parsed document is made for a plain file).
    const data = reading.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
    return 'sections' in data && !('name' in data) && !('apiVersion' in data);
  }
  const doc = reading.document;
  if (!doc || doc.errors.length > 0 || !isMap(doc.contents)) return false;
  const keys = new Set(doc.contents.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '')));
  return keys.has('sections') && !keys.has('name') && !keys.has('apiVersion');
}
