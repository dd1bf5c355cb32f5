import { type IsolationBackend, type IsolationPolicy, runSandboxed } from '@agentlang/isolation';
import type { HarnessTool, ToolOutcome } from './loop.js';

/** A `bash_tools.<name>` entry as the manifest normalises it (structurally `BashToolSpec`). */
export interface BashToolDeclaration {
  name: string;
  description?: string;
  command: string;
  labels?: { running?: string; finished?: string };
}

/** Where and how bash tools run: always inside the sandbox, under the agent's policy. */
export interface BashToolSandbox {
  backend: IsolationBackend;
  policy: IsolationPolicy;
  /** Time limit of one call in ms (default 60 s; never above the policy's). */
  timeoutMs?: number;
  /** Output bytes kept per stream (default 64 KiB); the rest is cut and flagged. */
  maxOutputBytes?: number;
  /** Progress for the terminal: the tool's `labels`. */
  onLabel?: (label: string) => void;
}

/** The input schema every bash tool offers: its arguments, appended to the declared command as argv. */
export const BASH_TOOL_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    args: {
      type: 'array',
      items: { type: 'string' },
      description: 'Arguments appended to the command (argv, no shell).',
    },
  },
  additionalProperties: false,
} as const;

function collector(max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  return {
    push(chunk: Buffer) {
      if (size >= max) {
        cut = true;
        return;
      }
      const part = chunk.subarray(0, max - size);
      if (part.length < chunk.length) cut = true;
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (cut ? `\n[output cut at ${max} bytes]` : ''),
  };
}

/**
 * A bash tool: the declared command (split on spaces: a program and fixed arguments) with the
 * model's `args` appended as argv — never through a shell — run inside the sandbox.
 */
export function createBashTool(tool: BashToolDeclaration, sandbox: BashToolSandbox): HarnessTool {
  const base = tool.command.trim().split(/\s+/);
  const timeoutMs = Math.min(sandbox.timeoutMs ?? 60_000, sandbox.policy.limits.timeoutMs);
  const maxBytes = sandbox.maxOutputBytes ?? 64 * 1024;
  return {
    spec: {
      name: tool.name,
      description: tool.description ?? `Runs ${base[0]}`,
      inputSchema: { ...BASH_TOOL_INPUT_SCHEMA },
    },
    async execute(input, context): Promise<ToolOutcome> {
      const args = (input as { args?: unknown } | null)?.args ?? [];
      if (typeof input !== 'object' || input === null || Object.keys(input).some((k) => k !== 'args')) {
        return { ok: false, kind: 'validation', message: 'the input is { "args": [ "…" ] }' };
      }
      if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0'))) {
        return { ok: false, kind: 'validation', message: 'args must be an array of strings without NUL bytes' };
      }
      if (tool.labels?.running) sandbox.onLabel?.(tool.labels.running);
      const out = collector(maxBytes);
      const err = collector(maxBytes);
      const policy: IsolationPolicy = { ...sandbox.policy, limits: { ...sandbox.policy.limits, timeoutMs } };
      const r = await runSandboxed(
        policy,
        { argv: [...base, ...(args as string[])], env: {} },
        {
          backend: sandbox.backend,
          stdio: ['ignore', 'pipe', 'pipe'],
          onStdout: (c) => out.push(c),
          onStderr: (c) => err.push(c),
          signal: context.signal,
        },
      );
      if (tool.labels?.finished) sandbox.onLabel?.(tool.labels.finished);
      if (r.timedOut)
        return {
          ok: false,
          kind: 'timeout',
          message: `${tool.name} did not finish within ${timeoutMs} ms and was stopped`,
        };
      const stdout = out.text();
      const stderr = err.text();
      if (r.exitCode !== 0) {
        return {
          ok: false,
          kind: 'execution',
          message: `${tool.name} exited ${r.exitCode ?? r.signal}${stderr ? `: ${stderr}` : ''}${stdout ? `\nstdout: ${stdout}` : ''}`,
        };
      }
      return { ok: true, content: stderr ? `${stdout}\n[stderr]\n${stderr}` : stdout };
    },
  };
}
