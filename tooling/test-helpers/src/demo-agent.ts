import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, writeTree } from './temp.js';

/** Absolute path of `examples/demo.agent`, the seed-000 demo manifest. */
export const demoAgentPath = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/demo.agent');

/** The exact text of `examples/demo.agent` (seed 000, step 1): the one source of truth for tests. */
export const DEMO_AGENT: string = readFileSync(demoAgentPath, 'utf8');

function replaceLine(text: string, key: string, value: string): string {
  const pattern = new RegExp(`^${key}: .*$`, 'm');
  if (!pattern.test(text)) throw new Error(`examples/demo.agent has no top-level "${key}:" line to replace`);
  return text.replace(pattern, `${key}: ${value}`);
}

/** {@link DEMO_AGENT} with another name, version and/or description (every other line unchanged). */
export function demoAgent(
  options: { name?: string | undefined; version?: string | undefined; description?: string | undefined } = {},
): string {
  let text = DEMO_AGENT;
  if (options.name !== undefined) text = replaceLine(text, 'name', options.name);
  if (options.version !== undefined) text = replaceLine(text, 'version', options.version);
  if (options.description !== undefined) text = replaceLine(text, 'description', JSON.stringify(options.description));
  return text;
}

/** A fresh temporary directory holding `demo.agent` ({@link DEMO_AGENT}) plus any `extra` files; returns its path. */
export function demoAgentDir(extra: Record<string, string | Uint8Array> = {}): string {
  return writeTree(makeTempDir(), { 'demo.agent': DEMO_AGENT, ...extra });
}
