import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { HarnessTool, ToolOutcome } from './loop.js';

/** JSON Schemas a tool is held to. */
export interface ToolSchemas {
  /** Arguments are checked before the call; defaults to the tool's `spec.inputSchema`. */
  inputSchema?: Record<string, unknown>;
  /** The result (content parsed as JSON) is checked after the call; unchecked when absent. */
  outputSchema?: Record<string, unknown>;
}

let shared: Ajv | undefined;
function ajv(): Ajv {
  shared ??= new Ajv({ allErrors: true, strict: false });
  return shared;
}

/** A short, model-readable summary of ajv errors (`/path: message`, at most 5). */
export function summarizeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  const list = (errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  const shown = list.slice(0, 5).join('; ');
  return list.length > 5 ? `${shown}; and ${list.length - 5} more` : shown;
}

/**
 * Wraps a tool so its arguments and its result are validated. Schemas compile once, here.
 * A failure either way is `{ ok: false, kind: 'validation' }`; the wrapped tool never sees bad input.
 */
export function withSchemas(tool: HarnessTool, schemas: ToolSchemas = {}): HarnessTool {
  const input: ValidateFunction = ajv().compile(schemas.inputSchema ?? tool.spec.inputSchema);
  const output: ValidateFunction | undefined = schemas.outputSchema ? ajv().compile(schemas.outputSchema) : undefined;
  return {
    spec: tool.spec,
    async execute(args, context): Promise<ToolOutcome> {
      if (!input(args)) {
        return { ok: false, kind: 'validation', message: `${tool.spec.name}: arguments do not match the input schema: ${summarizeSchemaErrors(input.errors)}` };
      }
      const outcome = await tool.execute(args, context);
      if (!outcome.ok || !output) return outcome;
      let parsed: unknown;
      try {
        parsed = JSON.parse(outcome.content);
      } catch {
        return { ok: false, kind: 'validation', message: `${tool.spec.name}: the result is not JSON, so it cannot match the output schema` };
      }
      if (!output(parsed)) {
        return { ok: false, kind: 'validation', message: `${tool.spec.name}: the result does not match the output schema: ${summarizeSchemaErrors(output.errors)}` };
      }
      return outcome;
    },
  };
}
