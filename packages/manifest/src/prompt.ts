import {
  COMPILE_TARGETS,
  compilePrompt,
  findTemplateVariables,
  INJECT_SOURCES,
  type PromptDocument,
  PromptError,
  parsePrompt,
} from '@agentlang/promptlang';
import type { Diagnostic } from './diagnostic.js';

/**
 * Parses prompt.yaml with @agentlang/promptlang and turns its error into a diagnostic; a template
 * variable that names no declared context source is reported as a warning (hosts may supply more).
 */
export function loadPrompt(
  rel: string,
  text: string,
  inject: unknown,
): { document?: PromptDocument; diagnostics: Diagnostic[] } {
  let document: PromptDocument;
  try {
    document = parsePrompt(text, { file: rel });
  } catch (error) {
    if (!(error instanceof PromptError)) throw error;
    const d = error.details;
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'MANIFEST_PROMPT',
          message: `${error.code}: ${error.message}`,
          file: rel,
          line: d.line ?? 0,
          column: d.column ?? 0,
          path: d.path ?? '',
          ...(d.expected !== undefined ? { expected: d.expected } : {}),
          ...(d.found !== undefined ? { found: d.found } : {}),
        },
      ],
    };
  }
  // Every runtime compiles the prompt to one of the targets (claude-code: xml, the others: markdown)
  // and an agent may run on any of them: a prompt that cannot compile to one fails here, not at lock.
  const diagnostics: Diagnostic[] = [];
  for (const target of COMPILE_TARGETS) {
    try {
      compilePrompt(document, { target, file: rel });
    } catch (error) {
      if (!(error instanceof PromptError)) throw error;
      const d = error.details;
      diagnostics.push({
        severity: 'error',
        code: 'MANIFEST_PROMPT',
        message: `${error.code}: the prompt does not compile to ${target} (${target === 'xml' ? 'the claude-code runtime' : 'every runtime but claude-code'}): ${error.message.replace(/^[^:\n]*:\d+:\d+: /, '')}`,
        file: rel,
        line: d.line ?? 0,
        column: d.column ?? 0,
        path: d.path ?? '',
        ...(d.expected !== undefined ? { expected: d.expected } : {}),
        ...(d.found !== undefined ? { found: d.found } : {}),
      });
    }
  }
  const declared = new Set(Array.isArray(inject) ? inject.filter((x): x is string => typeof x === 'string') : []);
  for (const use of findTemplateVariables(document)) {
    if (declared.has(use.root)) continue;
    const known = (INJECT_SOURCES as readonly string[]).includes(use.root);
    diagnostics.push({
      severity: 'warning',
      code: 'MANIFEST_TEMPLATE_VAR',
      message: known
        ? `prompt variable {{${use.path}}} needs context.inject to list "${use.root}"`
        : `prompt variable {{${use.path}}} names no context source; it must be supplied at render time`,
      file: rel,
      line: use.line ?? 0,
      column: use.column ?? 0,
      path: `/sections/${use.section}`,
      expected: `one of the declared context.inject sources (${[...declared].join(', ') || 'none'})`,
      found: `{{${use.path}}}`,
    });
  }
  return { document, diagnostics };
}
