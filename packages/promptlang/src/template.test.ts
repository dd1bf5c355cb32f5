import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import {
  compilePrompt,
  createInjectVariables,
  findTemplateVariables,
  INJECT_SOURCES,
  isInjectSource,
  listTemplateVariables,
  parsePrompt,
  PromptError,
  renderTemplate,
} from '@agentlang/promptlang';

const errorOf = (fn: () => unknown): PromptError => thrownBy(PromptError, fn);

describe('renderTemplate', () => {
  it('renders plain and dotted variables, with or without spaces', () => {
    const vars = { time: '2026-01-01T00:00:00.000Z', user_profile: { name: 'Ada', tags: ['a', 'b'] }, n: 3, ok: false };
    expect(renderTemplate('{{time}} {{ user_profile.name }} {{user_profile.tags.1}} {{n}} {{ok}}', vars)).toBe(
      '2026-01-01T00:00:00.000Z Ada b 3 false',
    );
  });

  it('renders objects as JSON and dates as ISO 8601', () => {
    expect(renderTemplate('{{p}} {{d}}', { p: { a: 1 }, d: new Date(0) })).toBe('{"a":1} 1970-01-01T00:00:00.000Z');
  });

  it('leaves text that is not a variable alone', () => {
    const text = 'code: {{ not a var }} {{.env.X}} {{}} { {x} }';
    expect(renderTemplate(text, {})).toBe(text);
  });

  it('makes an unknown variable an error, naming it and its position', () => {
    const error = errorOf(() =>
      renderTemplate('line one\nhi {{user_profile.email}}', { user_profile: { name: 'Ada' } }),
    );
    expect(error.code).toBe('PROMPT_UNKNOWN_VARIABLE');
    expect(error.details).toMatchObject({ line: 2, column: 4, found: 'user_profile.email' });
    expect(error.message).toContain("'user_profile.email'");
  });

  it('never reaches into prototypes', () => {
    expect(errorOf(() => renderTemplate('{{constructor.name}}', {})).code).toBe('PROMPT_UNKNOWN_VARIABLE');
    expect(errorOf(() => renderTemplate('{{a.toString}}', { a: {} })).code).toBe('PROMPT_UNKNOWN_VARIABLE');
    expect(errorOf(() => renderTemplate('{{a.length}}', { a: 'abc' })).code).toBe('PROMPT_UNKNOWN_VARIABLE');
  });

  it('refuses values that cannot be text', () => {
    expect(errorOf(() => renderTemplate('{{a}}', { a: null })).code).toBe('PROMPT_VARIABLE_VALUE');
    expect(errorOf(() => renderTemplate('{{a}}', { a: () => 1 })).code).toBe('PROMPT_VARIABLE_VALUE');
  });
});

describe('template variables in prompts', () => {
  const doc = parsePrompt(
    'version: 2\nsections:\n  - name: ctx\n    content: |\n      Now: {{time}}\n      You talk to {{ user_profile.name }} in {{location.city}} at {{time}}.\n',
    { file: 'prompt.yaml' },
  );

  it('lists distinct variables in order of first use', () => {
    expect(listTemplateVariables(doc)).toEqual(['time', 'user_profile.name', 'location.city']);
  });

  it('finds each use with its file position', () => {
    expect(findTemplateVariables(doc)[1]).toEqual({
      path: 'user_profile.name',
      root: 'user_profile',
      section: 'ctx',
      file: 'prompt.yaml',
      line: 6,
      column: 19,
    });
  });

  it('leaves templates verbatim without variables, renders and checks them with variables', () => {
    expect(compilePrompt(doc, { target: 'markdown' })).toContain('{{time}}');
    const variables = createInjectVariables(INJECT_SOURCES, {
      now: new Date('2026-04-21T10:30:45Z'),
      location: { city: 'Lyon' },
      userProfile: { name: 'Ada' },
    });
    expect(compilePrompt(doc, { target: 'xml', variables })).toBe(
      '<ctx>\nNow: 2026-04-21T10:30:45.000Z\nYou talk to Ada in Lyon at 2026-04-21T10:30:45.000Z.\n</ctx>\n',
    );
    const error = errorOf(() => compilePrompt(doc, { target: 'xml', variables: {} }));
    expect(error.details).toMatchObject({ file: 'prompt.yaml', line: 5, column: 12, path: 'sections[0].content' });
  });

  it('leaves out inject sources the host cannot supply, so rendering fails instead of printing nothing', () => {
    const variables = createInjectVariables(['time', 'location'], { now: new Date(0) });
    expect(variables).toEqual({ time: '1970-01-01T00:00:00.000Z' });
    expect(errorOf(() => compilePrompt(doc, { target: 'markdown', variables })).code).toBe('PROMPT_UNKNOWN_VARIABLE');
  });

  it('knows the inject sources', () => {
    expect(INJECT_SOURCES).toEqual(['time', 'location', 'user_profile']);
    expect(isInjectSource('user_profile')).toBe(true);
    expect(isInjectSource('env')).toBe(false);
  });
});
