export { compilePrompt, COMPILE_TARGETS } from './compile.js';
export {
  PromptError,
  PromptErrorCode,
  type PromptErrorDetails,
} from './errors.js';
export {
  createInjectVariables,
  INJECT_SOURCES,
  isInjectSource,
  type InjectContext,
  type InjectSource,
} from './inject.js';
export { looksLikePrompt } from './looks-like-prompt.js';
export { escapeMarkdownContent, unescapeMarkdownContent, type MarkdownScan } from './markdown-escape.js';
export { parseCompiled } from './parse-compiled.js';
export { parsePrompt, safeParsePrompt } from './parse.js';
export { checkSectionName, SECTION_NAME_PATTERN } from './section-name.js';
export {
  findTemplateVariables,
  listTemplateVariables,
  renderTemplate,
  TEMPLATE_VARIABLE_PATTERN,
  type TemplateVariableUse,
} from './template.js';
export {
  type CompileOptions,
  type CompileTarget,
  type ParseOptions,
  PROMPT_ROLES,
  type PromptDocument,
  type PromptSection,
  type SafeResult,
  SUPPORTED_PROMPT_VERSIONS,
} from './types.js';
