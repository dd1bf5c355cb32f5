import { RunnerError } from '../errors.js';
import { aiderAdapter } from './aider.js';
import { claudeCodeAdapter } from './claude-code.js';
import { codexAdapter } from './codex.js';
import { cursorCliAdapter } from './cursor-cli.js';
import { geminiCliAdapter } from './gemini-cli.js';
import { harnessAdapter } from './harness.js';
import { gooseAdapter } from './goose.js';
import { ollamaAdapter } from './ollama.js';
import { opencodeAdapter } from './opencode.js';
import { testEchoAdapter } from './test-echo.js';
import type { RuntimeAdapter } from './types.js';

/** Every built-in adapter, by runtime name. */
export const RUNTIME_ADAPTERS: readonly RuntimeAdapter[] = [
  testEchoAdapter,
  claudeCodeAdapter,
  codexAdapter,
  geminiCliAdapter,
  ollamaAdapter,
  opencodeAdapter,
  cursorCliAdapter,
  gooseAdapter,
  aiderAdapter,
  harnessAdapter,
];

const ALIASES: Record<string, string> = {
  claude: 'claude-code',
  gemini: 'gemini-cli',
  'codex-cli': 'codex',
  'cursor-agent': 'cursor-cli',
};

/** Finds the adapter for a runtime name (aliases: `claude`, `gemini`, `codex-cli`, `cursor-agent`), or throws RUNNER_UNKNOWN_RUNTIME. */
export function getAdapter(name: string, extra: readonly RuntimeAdapter[] = []): RuntimeAdapter {
  const wanted = ALIASES[name] ?? name;
  const found = [...extra, ...RUNTIME_ADAPTERS].find((a) => a.name === wanted);
  if (!found) {
    const known = [...extra, ...RUNTIME_ADAPTERS].map((a) => a.name).join(', ');
    throw new RunnerError('RUNNER_UNKNOWN_RUNTIME', `no runtime adapter named '${name}'; known runtimes: ${known}`, {
      details: { runtime: name, known },
    });
  }
  return found;
}
