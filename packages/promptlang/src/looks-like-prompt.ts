import { isMap, isScalar, parseDocument } from 'yaml';

/**
 * Whether YAML text is a PromptLang document rather than an agent manifest: its top level is a
 * mapping with `sections` and without a manifest's `name` or `apiVersion`. Decided by content,
 * never by file name; text that is not YAML at all is not a prompt.
 */
export function looksLikePrompt(text: string): boolean {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return false;
  const keys = new Set(doc.contents.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '')));
  return keys.has('sections') && !keys.has('name') && !keys.has('apiVersion');
}
