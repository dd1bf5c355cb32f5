import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { HarnessTool, ToolOutcome } from './loop.js';

/** JSON Schemas a tool is held to. */
export interface ToolSchemas {
  /** Arguments are checked before the call; defaults to the tool's `spec.inputSchema`. */
  inputSchema?: Record<string, unknown>;
  /** The result (content parsed as JSON) is checked after the call; unchecked when absent. */
  outputSchema?: Record<string, unknown>;
}

// ajv costs tens of milliseconds to import, so it loads on the first validated call, not with the package.
let shared: Promise<Ajv> | undefined;
function ajv(): Promise<Ajv> {
  shared ??= import('ajv').then((m) => new m.Ajv({ allErrors: true, strict: false }));
  return shared;
}

/** A short, model-readable summary of ajv errors (`/path: message`, at most 5). */
export function summarizeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  const list = (errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  const shown = list.slice(0, 5).join('; ');
  return list.length > 5 ? `${shown}; and ${list.length - 5} more` : shown;
}

/**
 * Wraps a tool so its arguments and its result are validated. Schemas compile once, on the first
 * call. A failure either way is `{ ok: false, kind: 'validation' }`; the wrapped tool never sees bad input.
 */
export function withSchemas(tool: HarnessTool, schemas: ToolSchemas = {}): HarnessTool {
  let compiled: Promise<{ input: ValidateFunction; output: ValidateFunction | undefined }> | undefined;
  const compile = () => {
    compiled ??= ajv().then((a) => ({
      input: a.compile(schemas.inputSchema ?? tool.spec.inputSchema),
      output: schemas.outputSchema ? a.compile(schemas.outputSchema) : undefined,
    }));
    return compiled;
  };
  return {
    spec: tool.spec,
    async execute(args, context): Promise<ToolOutcome> {
      const { input, output } = await compile();
      if (!input(args)) {
        return {
          ok: false,
          kind: 'validation',
          message: `${tool.spec.name}: arguments do not match the input schema: ${summarizeSchemaErrors(input.errors)}`,
        };
      }
      const outcome = await tool.execute(args, context);
      if (!outcome.ok || !output) return outcome;
      let parsed: unknown;
      try {
        parsed = JSON.parse(outcome.content);
      } catch {
        return {
          ok: false,
          kind: 'validation',
          message: `${tool.spec.name}: the result is not JSON, so it cannot match the output schema`,
        };
      }
      if (!output(parsed)) {
        return {
          ok: false,
          kind: 'validation',
          message: `${tool.spec.name}: the result does not match the output schema: ${summarizeSchemaErrors(output.errors)}`,
        };
      }
      return outcome;
    },
  };
}
