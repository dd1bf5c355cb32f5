import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact, renderEnvTemplate, templateVariables } from './env-template.js';
import { ResolveError } from './errors.js';

describe('{{.env.X}} templates', () => {
  it('renders every occurrence, with or without inner spaces, and lists the variables', () => {
    const env = { A: 'one', B_2: 'two' };
    expect(renderEnvTemplate('x={{.env.A}} y={{ .env.B_2 }} z={{.env.A}}', env, 'w')).toBe('x=one y=two z=one');
    expect(templateVariables('{{.env.A}}-{{ .env.B_2 }}')).toEqual(['A', 'B_2']);
    expect(renderEnvTemplate('{{name}} stays', env, 'w')).toBe('{{name}} stays');
  });

  it('an unset or empty variable names the variable and where, never a value', () => {
    for (const env of [{}, { TOKEN: '' }]) {
      try {
        renderEnvTemplate('Bearer {{.env.TOKEN}}', { OTHER: 'sk-other-secret', ...env }, 'MCP server S env AUTH');
        throw new Error('expected a throw');
      } catch (error) {
        expect(error).toBeInstanceOf(ResolveError);
        const e = error as ResolveError;
        expect(e.code).toBe('RESOLVE_MCP_ENV');
        expect(e.message).toBe(
          'MCP server S env AUTH uses {{.env.TOKEN}} but TOKEN is not set in the environment; export TOKEN before resolving',
        );
        expect(JSON.stringify(e.details)).not.toContain('sk-other-secret');
      }
    }
  });

  it('property: a rendered secret is gone from any text after redact', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 40 }), fc.string(), fc.string(), (secret, before, after) => {
        const rendered = renderEnvTemplate('{{.env.S}}', { S: secret }, 'w');
        expect(rendered).toBe(secret);
        expect(redact(`${before}${secret}${after}${secret}`, [rendered])).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
    expect(redact('*' + '****', ['****'])).toBe('***');
  });
});
