import { describe, expect, it } from 'vitest';
import * as promptlang from '@agentlang/promptlang';

describe('@agentlang/promptlang exports', () => {
  it('exports exactly the documented runtime symbols', () => {
    expect(Object.keys(promptlang).sort()).toEqual(
      [
        'COMPILE_TARGETS',
        'INJECT_SOURCES',
        'PROMPT_ROLES',
        'PromptError',
        'PromptErrorCode',
        'SECTION_NAME_PATTERN',
        'SUPPORTED_PROMPT_VERSIONS',
        'TEMPLATE_VARIABLE_PATTERN',
        'checkSectionName',
        'compilePrompt',
        'createInjectVariables',
        'escapeMarkdownContent',
        'findTemplateVariables',
        'isInjectSource',
        'listTemplateVariables',
        'looksLikePrompt',
        'parseCompiled',
        'parsePrompt',
        'renderTemplate',
        'safeParsePrompt',
        'unescapeMarkdownContent',
      ].sort(),
    );
  });

  it('every error code starts with PROMPT_ and is unique', () => {
    const codes = Object.values(promptlang.PromptErrorCode);
    expect(codes.every((c) => /^PROMPT_[A-Z_]+$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
